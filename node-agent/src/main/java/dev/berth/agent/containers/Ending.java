package dev.berth.agent.containers;

import dev.berth.agent.runtime.ConmonRuntime;
import dev.berth.agent.runtime.RuncException;
import dev.berth.agent.runtime.RunFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Ending a container's run: signals, and waits for conmon's exit file and for conmon itself. Blocking. */
final class Ending {

    private static final Logger LOG = LoggerFactory.getLogger(Ending.class);
    static final long KILL_WAIT_MILLIS = 30_000;

    private final ConmonRuntime runtime;

    Ending(ConmonRuntime runtime) {
        this.runtime = runtime;
    }

    /** {@code runc kill}; a container that is gone already is no error. */
    void signalQuietly(String id, String signal) {
        try {
            runtime.kill(id, signal);
        } catch (RuncException e) {
            LOG.debug("kill {} {}: {}", id, signal, e.getMessage()); // already gone
        }
    }

    /** Waits for conmon's exit file, checking after 1, 2, 4 ... ms and then every 50 ms. */
    boolean awaitExit(String id, RunFiles files, long millis) {
        long deadline = System.currentTimeMillis() + millis;
        long pause = 1;
        while (runtime.exit(id, files).isEmpty()) {
            if (System.currentTimeMillis() > deadline || !runtime.conmonAlive(files)) {
                return runtime.exit(id, files).isPresent();
            }
            if (!sleep(pause)) {
                return false;
            }
            pause = Math.min(pause * 2, 50);
        }
        return true;
    }

    /**
     * A forced delete of a running (or created) container: SIGKILL, then its exit, then {@code runc delete}. The
     * same as {@code runc delete --force}, which polls for the death every 100 ms; here conmon's exit file is
     * watched closely instead. Falls back to {@code --force} when no exit comes.
     */
    void killAndDelete(String id, RunFiles files) throws RuncException {
        signalQuietly(id, "SIGKILL");
        runtime.deleteIfPresent(id, !awaitExit(id, files, KILL_WAIT_MILLIS));
    }

    /** conmon writes the exit file just before it exits: waits for that exit (up to {@link #KILL_WAIT_MILLIS}). */
    void awaitConmonGone(RunFiles files) {
        long deadline = System.currentTimeMillis() + KILL_WAIT_MILLIS;
        while (runtime.conmonAlive(files) && System.currentTimeMillis() < deadline) {
            if (!sleep(5)) {
                return;
            }
        }
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
