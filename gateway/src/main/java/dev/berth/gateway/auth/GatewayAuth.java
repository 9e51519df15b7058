package dev.berth.gateway.auth;

import dev.berth.gateway.admin.AdminApi;
import dev.berth.kit.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication and authorization of the gateway, shared by all its event loops: the signing
 * key, the identity database, the login throttle. {@link #mount} adds, in front of the proxy
 * routes, {@code /token}, the {@code /v2} guard, the filtered catalog, the admin API and the guard
 * of the proxied {@code /api/v1} paths.
 */
public final class GatewayAuth {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayAuth.class);
    /** The subject of tokens the gateway mints for its own calls to the registry. */
    public static final String INTERNAL_SUBJECT = "berth-gateway";
    public static final String ADMIN_USER = "admin";
    private static final int TOKEN_FORM_LIMIT = 8 * 1024;

    private final AuthSettings settings;
    private final Pool pool;
    private final IdentityStore store;
    private final TokenIssuer issuer;
    private final Authenticator authenticator;
    private final Permissions permissions;
    private final ApiAuthentication apiAuthentication;

    private GatewayAuth(Vertx vertx, AuthSettings settings, SigningKey key, Pool pool, Clock clock) {
        this.settings = settings;
        this.pool = pool;
        this.store = new IdentityStore(pool);
        this.issuer = new TokenIssuer(key, settings, clock);
        this.authenticator = new Authenticator(vertx, store,
                new LoginThrottle(settings.maxFailures(), settings.lockout(), clock), clock);
        this.permissions = new Permissions(store, clock);
        this.apiAuthentication = new ApiAuthentication(authenticator, issuer.accessVerifier(), store);
    }

    /** Loads or creates the signing key, migrates the database, and creates user admin on first start. */
    public static Future<GatewayAuth> start(Vertx vertx, AuthSettings settings) {
        return vertx.executeBlocking(() -> SigningKey.loadOrCreate(settings.signingKeyFile()), false)
                .compose(key -> Database.migrate(vertx, settings.database(), "classpath:db/gateway").map(key))
                .map(key -> new GatewayAuth(vertx, settings, key, Database.pool(vertx, settings.database()),
                        Clock.systemUTC()))
                .compose(auth -> auth.createFirstAdmin(vertx).map(auth)
                        .onFailure(e -> auth.pool.close()));
    }

    public Future<Void> close() {
        return pool.close();
    }

    public AuthSettings settings() {
        return settings;
    }

    public IdentityStore store() {
        return store;
    }

    public ApiAuthentication apiAuthentication() {
        return apiAuthentication;
    }

    public TokenIssuer issuer() {
        return issuer;
    }

    /**
     * The first half, before the gateway's per-identity limits and audit: {@code /token} and the
     * {@code /v2} guard, which attaches the {@link dev.berth.gateway.Caller}.
     */
    public void mountGuards(Router router, String externalUrl) {
        TokenEndpoint token = new TokenEndpoint(settings, authenticator, permissions, store, issuer);
        router.get("/token").handler(token::get);
        router.post("/token").handler(BodyHandler.create(false).setBodyLimit(TOKEN_FORM_LIMIT)).handler(token::post);

        RegistryGuard guard = new RegistryGuard(settings, externalUrl, issuer.accessVerifier(), store, permissions);
        // One route, so /v2/ (which matches both "/v2" and "/v2/*") is checked once.
        router.routeWithRegex("/v2(/.*)?").handler(guard::handle);
    }

    /** The second half, before the {@code /v2} routes: the catalog filtered to what the caller may see. */
    public void mountCatalog(Router router, UpstreamReader upstream) {
        router.get("/v2/_catalog").handler(new CatalogHandler(store, issuer, upstream)::handle);
    }

    /**
     * The third half, after the {@code /v2} routes (so registry traffic never walks past the admin API's
     * routes): the admin API, and the guard of the other {@code /api/v1} paths (system admins only;
     * routes mounted after this pass the same guard).
     */
    public void mountAdmin(Router router, Vertx vertx) {
        AdminApi.mount(router, vertx, store.pool(), apiAuthentication);
        router.route("/api/v1/*").handler(new ApiGuard(apiAuthentication, issuer)::handle);
    }

    private Future<Void> createFirstAdmin(Vertx vertx) {
        return store.countUsers().compose(count -> {
            if (count > 0) {
                return Future.succeededFuture();
            }
            boolean generated = settings.adminPassword() == null;
            String password = generated ? Passwords.randomSecret() : settings.adminPassword();
            return vertx.executeBlocking(() -> Passwords.hash(password), false)
                    .compose(hash -> store.createUser(ADMIN_USER, hash, true))
                    .onSuccess(v -> {
                        if (generated) {
                            // Shown once, on stdout (logs go to stderr): whoever started Berth sees it.
                            System.out.println("berth: created user '" + ADMIN_USER + "' with password " + password
                                    + "  (shown once; set BERTH_ADMIN_PASSWORD before the first start to choose it)");
                            System.out.flush();
                            LOG.warn("created user '{}' with a generated password, printed once on stdout", ADMIN_USER);
                        } else {
                            LOG.info("created user '{}' with the password from BERTH_ADMIN_PASSWORD", ADMIN_USER);
                        }
                    })
                    // Another gateway process may have created it first.
                    .recover(e -> store.countUsers().compose(n -> n > 0 ? Future.succeededFuture() : Future.failedFuture(e)));
        });
    }
}
