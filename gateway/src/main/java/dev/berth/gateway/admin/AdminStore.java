package dev.berth.gateway.admin;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** The admin API's reads and writes of users, namespaces, members and robots, as JSON. */
final class AdminStore {

    private static final String UNIQUE_VIOLATION = "23505";

    private final Pool pool;

    AdminStore(Pool pool) {
        this.pool = pool;
    }

    // --- users

    Future<List<JsonObject>> users() {
        return pool.query("select name, system_admin, created_at from users order by name").execute().map(AdminStore::users);
    }

    Future<JsonObject> user(String name) {
        return pool.preparedQuery("select name, system_admin, created_at from users where name = $1")
                .execute(Tuple.of(name)).map(rows -> one(users(rows), "user", name));
    }

    Future<JsonObject> createUser(String name, String hash, boolean systemAdmin) {
        return pool.preparedQuery("insert into users (name, password_hash, system_admin) values ($1, $2, $3) "
                        + "returning name, system_admin, created_at")
                .execute(Tuple.of(name, hash, systemAdmin))
                .map(rows -> users(rows).get(0))
                .recover(e -> Future.failedFuture(unique(e, "user_exists", "user '" + name + "' already exists")));
    }

    Future<Void> setPassword(String name, String hash) {
        return pool.preparedQuery("update users set password_hash = $2 where name = $1").execute(Tuple.of(name, hash))
                .compose(rows -> rows.rowCount() == 0 ? Future.failedFuture(AdminException.notFound("user", name))
                        : Future.succeededFuture());
    }

    /** Deletes a user with their memberships; the last system admin cannot go. */
    Future<Void> deleteUser(String name) {
        return pool.withTransaction(conn -> conn
                // Serializes concurrent deletions of admins: each sees the other's outcome.
                .query("lock table users in share row exclusive mode").execute()
                .compose(v -> conn.preparedQuery("select system_admin from users where name = $1").execute(Tuple.of(name)))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.failedFuture(AdminException.notFound("user", name));
                    }
                    if (!rows.iterator().next().getBoolean("system_admin")) {
                        return Future.succeededFuture();
                    }
                    return conn.query("select count(*) from users where system_admin").execute().compose(count ->
                            count.iterator().next().getLong(0) <= 1
                                    ? Future.failedFuture(AdminException.conflict("last_admin",
                                    "user '" + name + "' is the last system admin"))
                                    : Future.succeededFuture());
                })
                .compose(v -> conn.preparedQuery("delete from users where name = $1").execute(Tuple.of(name)))
                .mapEmpty());
    }

    private static List<JsonObject> users(RowSet<Row> rows) {
        List<JsonObject> out = new ArrayList<>();
        rows.forEach(r -> out.add(new JsonObject().put("name", r.getString("name"))
                .put("systemAdmin", r.getBoolean("system_admin"))
                .put("createdAt", time(r.getOffsetDateTime("created_at")))));
        return out;
    }

    // --- namespaces

    /** All namespaces, or (for {@code userId} ≥ 0 not an admin) the public ones and the user's. */
    Future<List<JsonObject>> namespaces(long visibleToUser) {
        String sql = "select n.name, n.public, n.created_at from namespaces n"
                + (visibleToUser < 0 ? "" : " where n.public or exists (select 1 from members m "
                + "where m.namespace_id = n.id and m.user_id = $1)")
                + " order by n.name";
        Future<RowSet<Row>> rows = visibleToUser < 0 ? pool.query(sql).execute()
                : pool.preparedQuery(sql).execute(Tuple.of(visibleToUser));
        return rows.map(AdminStore::namespaces);
    }

    Future<JsonObject> namespace(String name) {
        return pool.preparedQuery("select name, public, created_at from namespaces where name = $1")
                .execute(Tuple.of(name)).map(rows -> one(namespaces(rows), "namespace", name));
    }

    Future<JsonObject> createNamespace(String name, boolean isPublic) {
        return pool.preparedQuery("insert into namespaces (name, public) values ($1, $2) returning name, public, created_at")
                .execute(Tuple.of(name, isPublic))
                .map(rows -> namespaces(rows).get(0))
                .recover(e -> Future.failedFuture(unique(e, "namespace_exists", "namespace '" + name + "' already exists")));
    }

    Future<JsonObject> setPublic(String name, boolean isPublic) {
        return pool.preparedQuery("update namespaces set public = $2 where name = $1 returning name, public, created_at")
                .execute(Tuple.of(name, isPublic)).map(rows -> one(namespaces(rows), "namespace", name));
    }

    Future<Void> deleteNamespace(String name) {
        return pool.preparedQuery("delete from namespaces where name = $1").execute(Tuple.of(name))
                .compose(rows -> rows.rowCount() == 0 ? Future.failedFuture(AdminException.notFound("namespace", name))
                        : Future.succeededFuture());
    }

    private static List<JsonObject> namespaces(RowSet<Row> rows) {
        List<JsonObject> out = new ArrayList<>();
        rows.forEach(r -> out.add(new JsonObject().put("name", r.getString("name"))
                .put("public", r.getBoolean("public"))
                .put("createdAt", time(r.getOffsetDateTime("created_at")))));
        return out;
    }

    // --- members

    Future<List<JsonObject>> members(String namespace) {
        return namespaceId(pool, namespace).compose(id -> pool.preparedQuery("select u.name, m.role from members m "
                        + "join users u on u.id = m.user_id where m.namespace_id = $1 order by u.name")
                .execute(Tuple.of(id)).map(rows -> {
                    List<JsonObject> out = new ArrayList<>();
                    rows.forEach(r -> out.add(member(r.getString("name"), r.getString("role"))));
                    return out;
                }));
    }

    /** Adds the member or changes their role; true when the membership is new. */
    Future<Boolean> putMember(String namespace, String user, String role) {
        return pool.withTransaction(conn -> namespaceId(conn, namespace).compose(ns -> userId(conn, user).compose(uid ->
                conn.preparedQuery("insert into members (namespace_id, user_id, role) values ($1, $2, $3) "
                                + "on conflict (namespace_id, user_id) do update set role = excluded.role "
                                + "returning (xmax = 0) as inserted")
                        .execute(Tuple.of(ns, uid, role))
                        .map(rows -> rows.iterator().next().getBoolean("inserted")))));
    }

    Future<Void> deleteMember(String namespace, String user) {
        return pool.withTransaction(conn -> namespaceId(conn, namespace).compose(ns -> userId(conn, user).compose(uid ->
                conn.preparedQuery("delete from members where namespace_id = $1 and user_id = $2").execute(Tuple.of(ns, uid))
                        .compose(rows -> rows.rowCount() == 0
                                ? Future.failedFuture(new AdminException(404, "member_not_found",
                                "'" + user + "' is not a member of '" + namespace + "'"))
                                : Future.succeededFuture()))));
    }

    static JsonObject member(String user, String role) {
        return new JsonObject().put("user", user).put("role", role);
    }

    // --- robots

    Future<List<JsonObject>> robots(String namespace) {
        return namespaceId(pool, namespace).compose(id -> pool.preparedQuery(
                        "select name, actions, expires_at, created_at from robots where namespace_id = $1 order by name")
                .execute(Tuple.of(id)).map(rows -> {
                    List<JsonObject> out = new ArrayList<>();
                    rows.forEach(r -> out.add(robot(namespace, r)));
                    return out;
                }));
    }

    Future<JsonObject> createRobot(String namespace, String name, String secretHash, List<String> actions,
                                   OffsetDateTime expiresAt) {
        return namespaceId(pool, namespace).compose(id -> pool.preparedQuery(
                        "insert into robots (namespace_id, name, secret_hash, actions, expires_at) values ($1, $2, $3, $4, $5) "
                                + "returning name, actions, expires_at, created_at")
                .execute(Tuple.of(id, name, secretHash, actions.toArray(new String[0]), expiresAt))
                .map(rows -> robot(namespace, rows.iterator().next()))
                .recover(e -> Future.failedFuture(unique(e, "robot_exists",
                        "robot '" + name + "' already exists in '" + namespace + "'"))));
    }

    Future<Void> deleteRobot(String namespace, String name) {
        return namespaceId(pool, namespace).compose(id -> pool.preparedQuery(
                        "delete from robots where namespace_id = $1 and name = $2").execute(Tuple.of(id, name)))
                .compose(rows -> rows.rowCount() == 0
                        ? Future.failedFuture(AdminException.notFound("robot", name))
                        : Future.succeededFuture());
    }

    private static JsonObject robot(String namespace, Row r) {
        return new JsonObject().put("name", "robot$" + namespace + "+" + r.getString("name"))
                .put("namespace", namespace)
                .put("actions", new JsonArray(List.of(r.getArrayOfStrings("actions"))))
                .put("expiresAt", time(r.getOffsetDateTime("expires_at")))
                .put("createdAt", time(r.getOffsetDateTime("created_at")));
    }

    // --- helpers

    private static Future<Long> namespaceId(io.vertx.sqlclient.SqlClient client, String namespace) {
        return client.preparedQuery("select id from namespaces where name = $1").execute(Tuple.of(namespace))
                .compose(rows -> rows.size() == 0 ? Future.failedFuture(AdminException.notFound("namespace", namespace))
                        : Future.succeededFuture(rows.iterator().next().getLong("id")));
    }

    private static Future<Long> userId(SqlConnection conn, String user) {
        return conn.preparedQuery("select id from users where name = $1").execute(Tuple.of(user))
                .compose(rows -> rows.size() == 0 ? Future.failedFuture(AdminException.notFound("user", user))
                        : Future.succeededFuture(rows.iterator().next().getLong("id")));
    }

    private static JsonObject one(List<JsonObject> found, String what, String name) {
        if (found.isEmpty()) {
            throw AdminException.notFound(what, name);
        }
        return found.get(0);
    }

    private static Throwable unique(Throwable e, String code, String message) {
        return e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
                ? AdminException.conflict(code, message) : e;
    }

    static String time(OffsetDateTime time) {
        return time == null ? null : time.withOffsetSameInstant(ZoneOffset.UTC).toInstant().toString();
    }
}
