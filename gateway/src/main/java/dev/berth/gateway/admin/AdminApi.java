package dev.berth.gateway.admin;

import dev.berth.gateway.auth.ApiAuthentication;
import dev.berth.gateway.auth.AuthFailure;
import dev.berth.gateway.auth.IdentityStore;
import dev.berth.gateway.auth.Passwords;
import dev.berth.gateway.auth.Principal;
import dev.berth.gateway.auth.Role;
import dev.berth.kit.ErrorBody;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import java.util.function.BiFunction;

/**
 * Berth's identity admin API under {@code /api/v1}, served by the gateway itself: users,
 * namespaces, members and robots. System admins may do everything; a namespace's admins manage
 * its visibility, members and robots; a user may read themself and change their own password.
 * Errors are {@code {"error":{"code","message"}}}.
 */
public final class AdminApi {

    static final int BODY_LIMIT = 16 * 1024;

    private final Vertx vertx;
    private final AdminStore store;
    private final IdentityStore identities;
    private final ApiAuthentication authentication;
    private final RobotRequests robots;

    private AdminApi(Vertx vertx, Pool pool, ApiAuthentication authentication) {
        this.vertx = vertx;
        this.store = new AdminStore(pool);
        this.identities = new IdentityStore(pool);
        this.authentication = authentication;
        this.robots = new RobotRequests(vertx, store);
    }

    public static void mount(Router router, Vertx vertx, Pool pool, ApiAuthentication authentication) {
        AdminApi api = new AdminApi(vertx, pool, authentication);
        api.route(router, HttpMethod.GET, "/api/v1/users", api::listUsers);
        api.route(router, HttpMethod.POST, "/api/v1/users", api::createUser);
        api.route(router, HttpMethod.GET, "/api/v1/users/:user", api::getUser);
        api.route(router, HttpMethod.PUT, "/api/v1/users/:user/password", api::changePassword);
        api.route(router, HttpMethod.DELETE, "/api/v1/users/:user", api::deleteUser);
        api.route(router, HttpMethod.GET, "/api/v1/namespaces", api::listNamespaces);
        api.route(router, HttpMethod.POST, "/api/v1/namespaces", api::createNamespace);
        api.route(router, HttpMethod.GET, "/api/v1/namespaces/:ns", api::getNamespace);
        api.route(router, HttpMethod.PATCH, "/api/v1/namespaces/:ns", api::updateNamespace);
        api.route(router, HttpMethod.DELETE, "/api/v1/namespaces/:ns", api::deleteNamespace);
        api.route(router, HttpMethod.GET, "/api/v1/namespaces/:ns/members", api::listMembers);
        api.route(router, HttpMethod.PUT, "/api/v1/namespaces/:ns/members/:user", api::putMember);
        api.route(router, HttpMethod.DELETE, "/api/v1/namespaces/:ns/members/:user", api::deleteMember);
        api.route(router, HttpMethod.GET, "/api/v1/namespaces/:ns/robots", api::listRobots);
        api.route(router, HttpMethod.POST, "/api/v1/namespaces/:ns/robots", api::createRobot);
        api.route(router, HttpMethod.DELETE, "/api/v1/namespaces/:ns/robots/:robot", api::deleteRobot);
    }

    private void route(Router router, HttpMethod method, String path,
                       BiFunction<RoutingContext, Principal, Future<?>> handler) {
        router.route(method, path)
                .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT))
                .handler(ctx -> authentication.authenticate(ctx)
                        .compose(principal -> {
                            if (principal instanceof Principal.Anonymous) {
                                return Future.failedFuture(new AuthFailure(AuthFailure.Kind.UNAUTHORIZED,
                                        "authentication required"));
                            }
                            principal.caller().attachTo(ctx);
                            return handler.apply(ctx, principal);
                        })
                        .onFailure(e -> fail(ctx, e)))
                .failureHandler(ctx -> {
                    if (ctx.statusCode() == 413) {
                        ErrorBody.send(ctx.response(), 413, "body_too_large", "request body exceeds " + BODY_LIMIT + " bytes");
                    } else {
                        fail(ctx, ctx.failure());
                    }
                });
    }

    private static void fail(RoutingContext ctx, Throwable e) {
        if (ctx.response().ended()) {
            return;
        }
        if (e instanceof AdminException a) {
            ErrorBody.send(ctx.response(), a.status(), a.code(), a.getMessage());
        } else if (e instanceof AuthFailure) {
            ApiAuthentication.refuse(ctx, e);
        } else {
            org.slf4j.LoggerFactory.getLogger(AdminApi.class).error("admin API request failed", e);
            ErrorBody.send(ctx.response(), 500, "internal_error", "the request failed; see the gateway's log");
        }
    }

    // --- users

    private Future<?> listUsers(RoutingContext ctx, Principal p) {
        requireSystemAdmin(p);
        return store.users().compose(users -> json(ctx, 200, new JsonObject().put("users", new JsonArray(users))));
    }

    private Future<?> createUser(RoutingContext ctx, Principal p) {
        requireSystemAdmin(p);
        JsonObject body = Bodies.object(ctx, "name", "password", "systemAdmin");
        String name = Names.name("user", Bodies.string(body, "name"));
        String password = Names.password(Bodies.string(body, "password"));
        boolean admin = Bodies.bool(body, "systemAdmin", false);
        return vertx.executeBlocking(() -> Passwords.hash(password), false)
                .compose(hash -> store.createUser(name, hash, admin))
                .compose(user -> json(ctx, 201, user));
    }

    private Future<?> getUser(RoutingContext ctx, Principal p) {
        String user = ctx.pathParam("user");
        requireSelfOrAdmin(p, user);
        return store.user(user).compose(u -> json(ctx, 200, u));
    }

    private Future<?> changePassword(RoutingContext ctx, Principal p) {
        String user = ctx.pathParam("user");
        requireSelfOrAdmin(p, user);
        String password = Names.password(Bodies.string(Bodies.object(ctx, "password"), "password"));
        return vertx.executeBlocking(() -> Passwords.hash(password), false)
                .compose(hash -> store.setPassword(user, hash))
                .compose(v -> noContent(ctx));
    }

    private Future<?> deleteUser(RoutingContext ctx, Principal p) {
        requireSystemAdmin(p);
        return store.deleteUser(ctx.pathParam("user")).compose(v -> noContent(ctx));
    }

    // --- namespaces

    private Future<?> listNamespaces(RoutingContext ctx, Principal p) {
        long visibleTo = p.systemAdmin() ? -1 : p instanceof Principal.User u ? u.id() : 0;
        return store.namespaces(visibleTo)
                .compose(list -> json(ctx, 200, new JsonObject().put("namespaces", new JsonArray(list))));
    }

    private Future<?> createNamespace(RoutingContext ctx, Principal p) {
        requireSystemAdmin(p);
        JsonObject body = Bodies.object(ctx, "name", "public");
        String name = Names.name("namespace", Bodies.string(body, "name"));
        return store.createNamespace(name, Bodies.bool(body, "public", false)).compose(ns -> json(ctx, 201, ns));
    }

    private Future<?> getNamespace(RoutingContext ctx, Principal p) {
        String ns = ctx.pathParam("ns");
        return identities.namespace(ns, p).compose(access -> {
            boolean visible = p.systemAdmin() || access.map(a -> a.isPublic() || a.role().isPresent()).orElse(false);
            if (!visible) {
                // Private namespaces of others are not confirmed to exist.
                throw AdminException.notFound("namespace", ns);
            }
            return store.namespace(ns).compose(n -> json(ctx, 200, n));
        });
    }

    private Future<?> updateNamespace(RoutingContext ctx, Principal p) {
        String ns = ctx.pathParam("ns");
        JsonObject body = Bodies.object(ctx, "public");
        if (!body.containsKey("public")) {
            throw AdminException.invalid("field 'public' is required");
        }
        boolean isPublic = Bodies.bool(body, "public", false);
        return requireNamespaceAdmin(p, ns).compose(v -> store.setPublic(ns, isPublic)).compose(n -> json(ctx, 200, n));
    }

    private Future<?> deleteNamespace(RoutingContext ctx, Principal p) {
        requireSystemAdmin(p);
        return store.deleteNamespace(ctx.pathParam("ns")).compose(v -> noContent(ctx));
    }

    // --- members

    private Future<?> listMembers(RoutingContext ctx, Principal p) {
        String ns = ctx.pathParam("ns");
        return requireNamespaceAdmin(p, ns).compose(v -> store.members(ns))
                .compose(list -> json(ctx, 200, new JsonObject().put("members", new JsonArray(list))));
    }

    private Future<?> putMember(RoutingContext ctx, Principal p) {
        String ns = ctx.pathParam("ns");
        String user = ctx.pathParam("user");
        String roleLabel = Bodies.string(Bodies.object(ctx, "role"), "role");
        Role role = Role.parse(roleLabel).orElseThrow(() -> AdminException.invalid(
                "role must be one of admin, maintainer, developer, guest; got '" + roleLabel + "'"));
        return requireNamespaceAdmin(p, ns)
                .compose(v -> store.putMember(ns, user, role.label()))
                .compose(created -> json(ctx, created ? 201 : 200, AdminStore.member(user, role.label())));
    }

    private Future<?> deleteMember(RoutingContext ctx, Principal p) {
        String ns = ctx.pathParam("ns");
        return requireNamespaceAdmin(p, ns).compose(v -> store.deleteMember(ns, ctx.pathParam("user")))
                .compose(v -> noContent(ctx));
    }

    // --- robots

    private Future<?> listRobots(RoutingContext ctx, Principal p) {
        String ns = ctx.pathParam("ns");
        return requireNamespaceAdmin(p, ns).compose(v -> store.robots(ns))
                .compose(list -> json(ctx, 200, new JsonObject().put("robots", new JsonArray(list))));
    }

    private Future<?> createRobot(RoutingContext ctx, Principal p) {
        String ns = ctx.pathParam("ns");
        RobotRequests.NewRobot robot = robots.read(ctx);
        return requireNamespaceAdmin(p, ns).compose(v -> robots.create(ns, robot)).compose(r -> json(ctx, 201, r));
    }

    private Future<?> deleteRobot(RoutingContext ctx, Principal p) {
        String ns = ctx.pathParam("ns");
        return requireNamespaceAdmin(p, ns).compose(v -> store.deleteRobot(ns, ctx.pathParam("robot")))
                .compose(v -> noContent(ctx));
    }

    // --- permissions and replies

    private static void requireSystemAdmin(Principal p) {
        if (!p.systemAdmin()) {
            throw AdminException.forbidden("only system admins may do this");
        }
    }

    private static void requireSelfOrAdmin(Principal p, String user) {
        if (!p.systemAdmin() && !(p instanceof Principal.User u && u.name().equals(user))) {
            throw AdminException.forbidden("only system admins and the user themself may do this");
        }
    }

    private Future<Void> requireNamespaceAdmin(Principal p, String ns) {
        if (p.systemAdmin()) {
            return identities.namespace(ns, p).compose(found -> found.isPresent() ? Future.succeededFuture()
                    : Future.failedFuture(AdminException.notFound("namespace", ns)));
        }
        return identities.namespace(ns, p).compose(found -> {
            if (found.isPresent() && found.get().role().filter(r -> r == Role.ADMIN).isPresent()) {
                return Future.succeededFuture();
            }
            return Future.failedFuture(AdminException.forbidden("only admins of namespace '" + ns + "' may do this"));
        });
    }

    private static Future<Void> json(RoutingContext ctx, int status, JsonObject body) {
        return ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    private static Future<Void> noContent(RoutingContext ctx) {
        return ctx.response().setStatusCode(204).end();
    }
}
