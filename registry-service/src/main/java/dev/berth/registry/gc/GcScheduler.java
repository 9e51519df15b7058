package dev.berth.registry.gc;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a collection every {@code registry.gc.interval}. Every replica runs one; the run lock lets
 * only one collect at a time, and the others skip their turn.
 */
public final class GcScheduler extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(GcScheduler.class);

    private final GcRunner runner;
    private final Duration interval;
    private long timer = -1;

    public GcScheduler(GcRunner runner, Duration interval) {
        this.runner = runner;
        this.interval = interval;
    }

    @Override
    public Future<?> start() {
        timer = vertx.setPeriodic(interval.toMillis(), id -> runner.start(false, "schedule").onFailure(e -> {
            if (!(e instanceof GcRunner.Busy)) {
                LOG.warn("scheduled garbage collection could not start: {}", e.toString());
            }
        }));
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        return Future.succeededFuture();
    }
}
