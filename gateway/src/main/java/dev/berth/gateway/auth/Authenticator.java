package dev.berth.gateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Checks a user's password or a robot's secret (bcrypt, on a worker thread), with brute-force
 * protection: a locked user or address is refused with {@link AuthFailure.Kind#LOCKED} before any
 * check, and each failure is answered a little later than the one before (up to 2 s), without
 * holding a thread.
 */
public final class Authenticator {

    private static final long SLOWDOWN_STEP_MS = 250;
    private static final long SLOWDOWN_MAX_MS = 2000;

    private final Vertx vertx;
    private final IdentityStore store;
    private final LoginThrottle throttle;
    private final Clock clock;

    public Authenticator(Vertx vertx, IdentityStore store, LoginThrottle throttle, Clock clock) {
        this.vertx = vertx;
        this.store = store;
        this.throttle = throttle;
        this.clock = clock;
    }

    public Future<Principal> login(Credentials credentials, String address) {
        String name = credentials.username();
        Optional<Duration> locked = throttle.lockedFor(name, address);
        if (locked.isPresent()) {
            return Future.failedFuture(new AuthFailure(AuthFailure.Kind.LOCKED,
                    "too many failed logins; try again later", locked.get()));
        }
        Future<Optional<Principal>> checked = name.startsWith(IdentityStore.RobotName.PREFIX)
                ? store.robot(name).compose(robot -> verify(robot.map(IdentityStore.StoredRobot::secretHash),
                        credentials.password(), robot.map(IdentityStore.StoredRobot::robot)))
                : store.user(name).compose(user -> verify(user.map(IdentityStore.StoredUser::passwordHash),
                        credentials.password(), user.map(IdentityStore.StoredUser::user)));
        return checked.compose(principal -> {
            if (principal.isPresent()) {
                if (principal.get() instanceof Principal.Robot robot && robot.expired(clock.instant())) {
                    return Future.failedFuture(new AuthFailure(AuthFailure.Kind.UNAUTHORIZED, "robot account has expired"));
                }
                throttle.succeeded(name);
                return Future.succeededFuture(principal.get());
            }
            int failures = throttle.failed(name, address);
            Promise<Principal> later = Promise.promise();
            long delay = Math.min(SLOWDOWN_MAX_MS, SLOWDOWN_STEP_MS * (failures - 1));
            AuthFailure failure = new AuthFailure(AuthFailure.Kind.UNAUTHORIZED, "incorrect username or password");
            if (delay <= 0) {
                later.fail(failure);
            } else {
                vertx.setTimer(delay, t -> later.fail(failure));
            }
            return later.future();
        });
    }

    private <P extends Principal> Future<Optional<Principal>> verify(Optional<String> hash, String secret, Optional<P> who) {
        return vertx.executeBlocking(() -> Passwords.matches(hash.orElse(null), secret) && who.isPresent()
                ? Optional.<Principal>of(who.get()) : Optional.<Principal>empty(), false);
    }
}
