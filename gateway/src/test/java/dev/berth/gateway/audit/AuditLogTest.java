package dev.berth.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.gateway.Caller;
import dev.berth.infra.PostgresDatabase;
import dev.berth.infra.PostgresExtension;
import dev.berth.kit.Database;
import dev.berth.kit.DatabaseConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The writer on real PostgreSQL: a full queue drops and counts, stop() writes what is queued. */
@ExtendWith(PostgresExtension.class)
class AuditLogTest {

    private Vertx vertx;
    private Pool pool;

    @BeforeEach
    void start(PostgresDatabase db) throws Exception {
        vertx = Vertx.vertx();
        DatabaseConfig config = new DatabaseConfig(db.host(), db.port(), db.database(), db.user(), db.password(), 2);
        await(Database.migrate(vertx, config, "classpath:db/gateway"));
        pool = Database.pool(vertx, config);
        await(pool.query("delete from gateway_audit").execute());
    }

    @AfterEach
    void stop() throws Exception {
        await(vertx.close());
    }

    @Test
    void aFullQueueDropsAndCountsAndStopWritesTheRest() throws Exception {
        // An hour between ticks and batches bigger than the queue: nothing is written before stop().
        AuditLog log = AuditLog.start(vertx, pool, new AuditConfig(true, 3, 100, 3_600_000));
        int accepted = 0;
        for (int i = 0; i < 5; i++) {
            if (log.record(AuditEntry.login(new Caller("u" + i, "user"), "192.0.2.1", true, 200, null))) {
                accepted++;
            }
        }
        assertThat(accepted).isEqualTo(3);
        assertThat(log.dropped()).isEqualTo(2);
        assertThat(rows()).isZero();

        await(log.stop());
        assertThat(rows()).isEqualTo(3);
        assertThat(log.record(AuditEntry.login(Caller.ANONYMOUS, "192.0.2.1", false, 401, null)))
                .as("stopped").isFalse();
    }

    @Test
    void writesInBatchesOnceABatchIsFull() throws Exception {
        AuditLog log = AuditLog.start(vertx, pool, new AuditConfig(true, 10_000, 10, 3_600_000));
        for (int i = 0; i < 25; i++) {
            log.record(AuditEntry.login(new Caller("u" + i, "user"), "192.0.2.1", true, 200, null));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (rows() < 20 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(rows()).as("two full batches written without waiting for the tick").isEqualTo(20);
        await(log.stop());
        assertThat(rows()).isEqualTo(25);
        assertThat(log.written()).isEqualTo(25);
    }

    private long rows() throws Exception {
        return await(pool.query("select count(*) from gateway_audit").execute()).iterator().next().getLong(0);
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
