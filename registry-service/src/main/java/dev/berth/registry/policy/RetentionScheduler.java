package dev.berth.registry.policy;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every namespace's retention rules each {@code registry.retention.interval}. Replicas may all run
 * one: a namespace is worked on by whoever holds its advisory lock, and the others skip it.
 */
public final class RetentionScheduler extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionScheduler.class);

    private final Retention retention;
    private final PolicyStore store;
    private final Duration interval;
    private long timer = -1;
    private boolean running;

    public RetentionScheduler(Retention retention, PolicyStore store, Duration interval) {
        this.retention = retention;
        this.store = store;
        this.interval = interval;
    }

    @Override
    public Future<?> start() {
        timer = vertx.setPeriodic(interval.toMillis(), id -> tick());
        return Future.succeededFuture();
    }

    private void tick() {
        if (running) {
            return;
        }
        running = true;
        store.namespacesWithRetention().compose(namespaces -> {
            Future<Void> chain = Future.succeededFuture();
            for (String ns : namespaces) {
                chain = chain.compose(v -> retention.run(ns, false)
                        .onSuccess(report -> {
                            int tags = report.getJsonArray("deletedTags").size();
                            int manifests = report.getJsonArray("deletedManifests").size();
                            if (tags + manifests > 0) {
                                LOG.info("retention of namespace {} deleted {} tags and {} manifests", ns, tags, manifests);
                            }
                        })
                        .<Void>mapEmpty()
                        .recover(e -> {
                            if (!(e instanceof Retention.Busy)) {
                                LOG.warn("retention of namespace {} failed", ns, e);
                            }
                            return Future.succeededFuture();
                        }));
            }
            return chain;
        }).onComplete(ar -> {
            running = false;
            if (ar.failed()) {
                LOG.warn("retention run failed", ar.cause());
            }
        });
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(timer);
        return Future.succeededFuture();
    }
}
