package dev.berth.agent.containers;

import dev.berth.agent.spec.ContainerSpec;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One container as the manager holds it: its directory, spec, lock and current status, and the writes of that
 * status to {@code status.json}, which it keeps in order (a write never overtakes the background one before it).
 */
final class Entry {

    private static final Logger LOG = LoggerFactory.getLogger(Entry.class);

    final ReentrantLock lock = new ReentrantLock();
    final ContainerDir dir;
    final ContainerSpec spec;
    volatile ContainerStatus status;
    long restartTimer = -1;
    boolean restartPending;
    /**
     * The deletion of runc's record of the last run, started after its exit (see
     * {@code Supervisor#releaseRuncContainer}); it runs without the lock and yields false when it failed.
     * Null when there is none: then runc still knows the container (or never did).
     */
    volatile CompletableFuture<Boolean> release;
    /** The {@code running} status being written after the start answered; never fails. */
    private CompletableFuture<Void> statusWrite = CompletableFuture.completedFuture(null);

    Entry(ContainerDir dir, ContainerSpec spec, ContainerStatus status) {
        this.dir = dir;
        this.spec = spec;
        this.status = status;
    }

    /** Makes {@code next} the status, written durably first. Lock held. */
    void writeStatus(ContainerStatus next) throws IOException {
        awaitStatusWrite();
        dir.writeStatus(next);
        status = next;
    }

    /**
     * Makes {@code next} the status now and writes it on {@code background}, without the directory fsync (see
     * "Durability" in the README); on the caller's thread when {@code background} no longer takes work (the agent
     * is closing). A failed write is logged: a restarted agent reads runc's state. Lock held.
     */
    void writeStatusInBackground(ContainerStatus next, ExecutorService background) {
        awaitStatusWrite();
        status = next;
        Runnable write = () -> {
            try {
                dir.writeStatusUnsynced(next);
            } catch (IOException | RuntimeException e) {
                LOG.warn("writing the {} status of {}: {} (a restarted agent reads runc's state)",
                        next.state().json(), dir.id(), e.toString());
            }
        };
        try {
            statusWrite = CompletableFuture.runAsync(write, background);
        } catch (RejectedExecutionException closing) {
            write.run();
        }
    }

    /** Waits for the background status write, if one is running (before the directory goes, for one). */
    void awaitStatusWrite() {
        statusWrite.join(); // never fails: see writeStatusInBackground
    }
}
