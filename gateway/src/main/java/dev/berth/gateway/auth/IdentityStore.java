package dev.berth.gateway.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** The lookups authentication and authorization make in the gateway's database. */
public final class IdentityStore {

    private final Pool pool;

    public IdentityStore(Pool pool) {
        this.pool = pool;
    }

    public Pool pool() {
        return pool;
    }

    /** A user row with its password hash, for checking a login. */
    public record StoredUser(Principal.User user, String passwordHash) {
    }

    /** A robot row with its secret hash. */
    public record StoredRobot(Principal.Robot robot, String secretHash) {
    }

    /** What a namespace means to one principal: whether it is public and the principal's role. */
    public record NamespaceAccess(long id, boolean isPublic, Optional<Role> role) {
    }

    public Future<Optional<StoredUser>> user(String name) {
        return pool.preparedQuery("select id, name, password_hash, system_admin from users where name = $1")
                .execute(Tuple.of(name))
                .map(rows -> first(rows).map(r -> new StoredUser(
                        new Principal.User(r.getLong("id"), r.getString("name"), r.getBoolean("system_admin")),
                        r.getString("password_hash"))));
    }

    /** A robot by its full name {@code robot$<namespace>+<name>}; empty for any other shape. */
    public Future<Optional<StoredRobot>> robot(String fullName) {
        Optional<RobotName> parsed = RobotName.parse(fullName);
        if (parsed.isEmpty()) {
            return Future.succeededFuture(Optional.empty());
        }
        return pool.preparedQuery("select r.id, r.secret_hash, r.actions, r.expires_at from robots r "
                        + "join namespaces n on n.id = r.namespace_id where n.name = $1 and r.name = $2")
                .execute(Tuple.of(parsed.get().namespace(), parsed.get().name()))
                .map(rows -> first(rows).map(r -> new StoredRobot(new Principal.Robot(r.getLong("id"), fullName,
                        parsed.get().namespace(), Set.of(r.getArrayOfStrings("actions")),
                        instant(r.getOffsetDateTime("expires_at"))), r.getString("secret_hash"))));
    }

    /** A user or robot with the stored hash of its password or secret. */
    public record Credentialed(Principal principal, String credentialHash) {
    }

    /** The user or robot {@code subject} names, with its stored credential hash; empty when gone (or anonymous). */
    public Future<Optional<Credentialed>> credentialed(String subject) {
        if (subject == null || subject.isEmpty()) {
            return Future.succeededFuture(Optional.empty());
        }
        if (subject.startsWith(RobotName.PREFIX)) {
            return robot(subject).map(r -> r.map(robot -> new Credentialed(robot.robot(), robot.secretHash())));
        }
        return user(subject).map(u -> u.map(user -> new Credentialed(user.user(), user.passwordHash())));
    }

    /** The principal a token's subject names, as the database knows it now; empty when gone. */
    public Future<Optional<Principal>> principal(String subject) {
        if (subject == null || subject.isEmpty()) {
            return Future.succeededFuture(Optional.of(Principal.ANONYMOUS));
        }
        if (subject.startsWith(RobotName.PREFIX)) {
            return robot(subject).map(r -> r.map(StoredRobot::robot));
        }
        return user(subject).map(u -> u.map(StoredUser::user));
    }

    public Future<Optional<NamespaceAccess>> namespace(String namespace, Principal principal) {
        long userId = principal instanceof Principal.User u ? u.id() : -1;
        return pool.preparedQuery("select n.id, n.public, m.role from namespaces n "
                        + "left join members m on m.namespace_id = n.id and m.user_id = $2 where n.name = $1")
                .execute(Tuple.of(namespace, userId))
                .map(rows -> first(rows).map(r -> new NamespaceAccess(r.getLong("id"), r.getBoolean("public"),
                        Optional.ofNullable(r.getString("role")).flatMap(Role::parse))));
    }

    /** Namespaces whose repositories {@code principal} may pull (system admins: see Permissions). */
    public Future<Set<String>> pullableNamespaces(Principal principal) {
        long userId = principal instanceof Principal.User u ? u.id() : -1;
        String robotNamespace = principal instanceof Principal.Robot r && r.actions().contains("pull")
                ? r.namespace() : "";
        return pool.preparedQuery("select n.name from namespaces n where n.public or n.name = $2 "
                        + "or exists (select 1 from members m where m.namespace_id = n.id and m.user_id = $1)")
                .execute(Tuple.of(userId, robotNamespace))
                .map(rows -> {
                    Set<String> names = new HashSet<>();
                    rows.forEach(r -> names.add(r.getString("name")));
                    return names;
                });
    }

    /**
     * Creates {@code namespace} (private) unless it exists; {@code owner}, when given, becomes its
     * admin. Used when a user pushes to their own name or a system admin to a new namespace.
     */
    public Future<Void> ensureNamespace(String namespace, Principal.User owner) {
        return pool.withTransaction(conn -> conn
                .preparedQuery("insert into namespaces (name) values ($1) on conflict (name) do nothing returning id")
                .execute(Tuple.of(namespace))
                .compose(rows -> {
                    Optional<Row> created = first(rows);
                    if (created.isEmpty() || owner == null) {
                        return Future.succeededFuture();
                    }
                    return conn.preparedQuery("insert into members (namespace_id, user_id, role) values ($1, $2, 'admin') "
                                    + "on conflict do nothing")
                            .execute(Tuple.of(created.get().getLong("id"), owner.id())).mapEmpty();
                })).mapEmpty();
    }

    public Future<Long> countUsers() {
        return pool.query("select count(*) from users").execute().map(rows -> rows.iterator().next().getLong(0));
    }

    /** Inserts a user; fails with a unique violation when the name is taken. */
    public Future<Void> createUser(String name, String passwordHash, boolean systemAdmin) {
        return pool.preparedQuery("insert into users (name, password_hash, system_admin) values ($1, $2, $3)")
                .execute(Tuple.of(name, passwordHash, systemAdmin)).mapEmpty();
    }

    static Optional<Row> first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
    }

    static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    /** The parts of a robot's full name. */
    public record RobotName(String namespace, String name) {
        public static final String PREFIX = "robot$";

        public static Optional<RobotName> parse(String fullName) {
            if (fullName == null || !fullName.startsWith(PREFIX)) {
                return Optional.empty();
            }
            String rest = fullName.substring(PREFIX.length());
            int plus = rest.indexOf('+');
            if (plus <= 0 || plus == rest.length() - 1) {
                return Optional.empty();
            }
            return Optional.of(new RobotName(rest.substring(0, plus), rest.substring(plus + 1)));
        }

        public String full() {
            return PREFIX + namespace + "+" + name;
        }
    }
}
