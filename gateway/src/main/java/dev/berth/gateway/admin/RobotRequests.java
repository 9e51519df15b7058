package dev.berth.gateway.admin;

import dev.berth.gateway.auth.Passwords;
import dev.berth.kit.auth.Access;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Creating robots: validation, and the secret that is returned once and stored only as a hash. */
final class RobotRequests {

    private static final Set<String> ACTIONS = Set.of(Access.PULL, Access.PUSH, Access.DELETE);

    private final Vertx vertx;
    private final AdminStore store;

    RobotRequests(Vertx vertx, AdminStore store) {
        this.vertx = vertx;
        this.store = store;
    }

    record NewRobot(String name, List<String> actions, OffsetDateTime expiresAt) {
    }

    NewRobot read(RoutingContext ctx) {
        JsonObject body = Bodies.object(ctx, "name", "actions", "expiresAt");
        String name = Names.name("robot", Bodies.string(body, "name"));
        Object rawActions = body.getValue("actions");
        if (!(rawActions instanceof JsonArray array) || array.isEmpty()) {
            throw AdminException.invalid("field 'actions' must be a non-empty list of pull, push, delete");
        }
        List<String> actions = new ArrayList<>();
        for (Object action : array) {
            if (!(action instanceof String s) || !ACTIONS.contains(s)) {
                throw AdminException.invalid("unknown action '" + action + "'; allowed: pull, push, delete");
            }
            if (!actions.contains(s)) {
                actions.add(s);
            }
        }
        String expires = Bodies.string(body, "expiresAt");
        OffsetDateTime expiresAt = null;
        if (expires != null) {
            try {
                expiresAt = OffsetDateTime.parse(expires);
            } catch (DateTimeParseException e) {
                throw AdminException.invalid("field 'expiresAt' must be an RFC 3339 time, e.g. 2030-01-01T00:00:00Z");
            }
            if (!expiresAt.toInstant().isAfter(Instant.now())) {
                throw AdminException.invalid("field 'expiresAt' must be in the future");
            }
            expiresAt = expiresAt.withOffsetSameInstant(ZoneOffset.UTC);
        }
        return new NewRobot(name, actions, expiresAt);
    }

    /** Stores the robot and answers with its secret, which is never shown again. */
    Future<JsonObject> create(String namespace, NewRobot robot) {
        String secret = Passwords.randomSecret();
        return vertx.executeBlocking(() -> Passwords.hash(secret), false)
                .compose(hash -> store.createRobot(namespace, robot.name(), hash, robot.actions(), robot.expiresAt()))
                .map(json -> json.put("secret", secret));
    }
}
