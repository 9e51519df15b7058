package dev.berth.agent.containers;

import dev.berth.agent.logs.LogRotation;
import dev.berth.agent.runtime.ConmonRuntime;
import dev.berth.agent.runtime.ExitRecord;
import dev.berth.agent.runtime.RuncException;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the containers of a {@link ContainerManager}: every interval it records exits conmon has written
 * (or conmon vanishing), rotates logs, and applies restart policies with their backoff. An {@link ExitWatcher}
 * records an exit as soon as conmon writes it; the interval is the fallback.
 */
final class Supervisor {

    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

    private final Vertx vertx;
    private final ContainerManager manager;
    private final ConmonRuntime runtime;
    private final ManagerSettings settings;
    private final ContainerEvents events;
    private final AtomicBoolean supervising = new AtomicBoolean();
    private volatile boolean closed;
    private long timer = -1;
    private ExitWatcher exits;

    Supervisor(Vertx vertx, ContainerManager manager, ContainerEvents events) {
        this.vertx = vertx;
        this.manager = manager;
        this.runtime = manager.runtime();
        this.settings = manager.settings();
        this.events = events;
    }

    void start() {
        timer = vertx.setPeriodic(settings.superviseMillis(), t -> superviseTick());
    }

    /** Starts the exit watcher; before recovery, so that adopted containers are watched too. */
    void watchExits() {
        try {
            exits = ExitWatcher.start(this::exitFileChanged);
        } catch (IOException e) {
            LOG.warn("no exit watcher ({}): exits are found every {} ms", e.toString(), settings.superviseMillis());
        }
    }

    /** Watches the container's exit dir from now on; call once conmon runs for it. */
    void watch(Entry entry) {
        if (exits != null) {
            exits.watch(entry.dir.id(), entry.dir.files().exitDir());
        }
    }

    private void exitFileChanged(String id) {
        Entry entry = manager.entry(id);
        if (closed || entry == null) {
            return;
        }
        vertx.executeBlocking(() -> {
            // waits for an operation in progress (e.g. the start that just ran a short-lived process)
            entry.lock.lock();
            try {
                if (!closed && manager.current(entry) && entry.status.state().active()) {
                    checkExit(entry);
                }
            } finally {
                entry.lock.unlock();
            }
            return null;
        }, false).onFailure(e -> LOG.warn("checking the exit of {}: {}", id, e.toString()));
    }

    /** Stops watching and cancels pending restarts (the next agent schedules them again). */
    void close() {
        closed = true;
        vertx.cancelTimer(timer);
        if (exits != null) {
            try {
                exits.close();
            } catch (IOException e) {
                LOG.debug("closing the exit watcher: {}", e.toString());
            }
        }
        manager.entries().forEach(e -> vertx.cancelTimer(e.restartTimer));
    }

    private void superviseTick() {
        if (closed || !supervising.compareAndSet(false, true)) {
            return;
        }
        vertx.executeBlocking(() -> {
            for (Entry entry : manager.entries()) {
                if (entry.lock.tryLock()) {
                    try {
                        superviseOne(entry);
                    } finally {
                        entry.lock.unlock();
                    }
                }
            }
            return null;
        }, false).onComplete(done -> {
            supervising.set(false);
            if (done.failed()) {
                LOG.warn("supervising containers: {}", done.cause().toString());
            }
        });
    }

    private void superviseOne(Entry entry) {
        if (!manager.current(entry) || !entry.status.state().active()) {
            return;
        }
        try {
            LogRotation.rotateIfLarger(entry.dir.files(), settings.logRotateBytes(), settings.logKeep(), runtime);
            checkExit(entry);
        } catch (IOException | RuntimeException e) {
            LOG.warn("supervising container {}: {}", entry.dir.id(), e.toString());
        }
    }

    /** Records the exit if conmon wrote one (or conmon vanished), then applies the restart policy. Lock held. */
    void checkExit(Entry entry) throws IOException {
        if (!entry.status.state().active()) {
            return;
        }
        String id = entry.dir.id();
        Optional<ExitRecord> exit = runtime.exit(id, entry.dir.files());
        if (exit.isEmpty() && !runtime.conmonAlive(entry.dir.files())) {
            exit = runtime.exit(id, entry.dir.files()); // conmon writes the file just before it exits
            if (exit.isEmpty()) {
                entry.writeStatus(entry.status.exited(null, false, Instant.now(),
                        "conmon exited without recording an exit status"));
                events.publish("exited", entry.status);
                scheduleRestart(entry);
                return;
            }
        }
        if (exit.isPresent()) {
            entry.writeStatus(entry.status.exited(exit.get().code(), exit.get().oomKilled(), exit.get().at(), null));
            events.publish("exited", entry.status);
            scheduleRestart(entry);
            releaseRuncContainer(entry);
        }
    }

    /**
     * Deletes runc's record of a run that exited, soon after the exit instead of at DELETE or restart, unless the
     * container has poststop hooks (runc runs them on delete, which stays their documented moment) or is about
     * to be restarted. Lock held. The deletion itself runs without the lock, so a DELETE or GET that follows the
     * exit closely does not wait for the runc process; a start again waits for it ({@link Entry#release}).
     */
    private void releaseRuncContainer(Entry entry) {
        if (closed || !entry.spec.hooks().poststop().isEmpty() || entry.restartPending || entry.release != null) {
            return;
        }
        CompletableFuture<Boolean> release = new CompletableFuture<>();
        entry.release = release;
        String id = entry.dir.id();
        try {
            manager.background().execute(() -> {
                try {
                    runtime.deleteIfPresent(id, false); // false: already gone, which is as good
                    release.complete(true);
                } catch (RuncException | RuntimeException e) {
                    LOG.debug("deleting runc's record of {}: {}", id, e.toString());
                    release.complete(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            release.complete(false); // closing: the next agent deletes it
        }
    }

    void scheduleRestart(Entry entry) {
        if (closed || !RestartRules.shouldRestart(entry.spec.restartPolicy(), entry.status)) {
            return;
        }
        int step = RestartRules.step(entry.status, settings);
        long delay = RestartRules.delayMillis(step, settings);
        entry.restartPending = true;
        entry.restartTimer = vertx.setTimer(delay, t -> vertx.executeBlocking(() -> {
            restartByPolicy(entry, step + 1);
            return null;
        }, false));
    }

    void cancelRestart(Entry entry) {
        vertx.cancelTimer(entry.restartTimer);
        entry.restartPending = false;
    }

    private void restartByPolicy(Entry entry, int nextStep) throws IOException {
        entry.lock.lock();
        try {
            if (!entry.restartPending) {
                return; // cancelled while the timer fired
            }
            entry.restartPending = false;
            ContainerStatus status = entry.status;
            if (closed || !manager.current(entry) || status.state() != ContainerState.STOPPED
                    || status.stopRequested()) {
                return;
            }
            try {
                manager.recreate(entry, true, nextStep);
                runtime.start(entry.dir.id(), entry.status.pid());
                manager.runPoststart(entry);
                entry.writeStatus(entry.status.running(Instant.now()));
                events.publish("restarted", entry.status);
            } catch (RuncException e) {
                LOG.warn("restarting container {} failed: {}", entry.dir.id(), e.getMessage());
                entry.writeStatus(entry.status.exited(entry.status.exitCode(), entry.status.oomKilled(), Instant.now(),
                        "restart failed: " + e.getMessage()));
                events.publish("exited", entry.status);
            }
        } finally {
            entry.lock.unlock();
        }
    }
}
