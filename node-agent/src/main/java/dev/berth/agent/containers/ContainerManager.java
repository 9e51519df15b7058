package dev.berth.agent.containers;

import dev.berth.agent.bundle.BundleException;
import dev.berth.agent.bundle.BundleFactory;
import dev.berth.agent.bundle.PreparedBundle;
import dev.berth.agent.runtime.ConmonRuntime;
import dev.berth.agent.runtime.PoststartHooks;
import dev.berth.agent.runtime.RuncException;
import dev.berth.agent.runtime.RuncState;
import dev.berth.agent.runtime.Signals;
import dev.berth.agent.spec.ContainerSpec;
import dev.berth.agent.spec.ContainerSpecJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The containers of this node: create, start, kill, stop, delete, supervise exits, apply restart policies.
 *
 * <p>The operation methods block (runc, conmon, disk): call them off the event loop. Each container has a lock;
 * operations on one container run one at a time, different containers in parallel. Every state change is
 * written to {@code status.json} before it is announced, so a restarted agent picks up where this one stopped.
 */
public final class ContainerManager {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerManager.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Vertx vertx;
    private final ConmonRuntime runtime;
    private final Ending ending;
    private final BundleFactory bundles;
    private final ManagerSettings settings;
    private final ContainerEvents events;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, String> names = new ConcurrentHashMap<>();
    private final Supervisor supervisor;
    private final ExecutorService background = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "berth-agent-background");
        thread.setDaemon(true);
        return thread;
    });

    public ContainerManager(Vertx vertx, ConmonRuntime runtime, BundleFactory bundles, ManagerSettings settings) {
        this.vertx = vertx;
        this.runtime = runtime;
        this.ending = new Ending(runtime);
        this.bundles = bundles;
        this.settings = settings;
        this.events = new ContainerEvents(vertx);
        this.supervisor = new Supervisor(vertx, this, events);
    }

    public ConmonRuntime runtime() {
        return runtime;
    }

    public ManagerSettings settings() {
        return settings;
    }

    /** Re-adopts what is on disk (see {@link Recovery}), then starts supervising. */
    public Future<Void> open() {
        return vertx.<Void>executeBlocking(() -> {
            supervisor.watchExits();
            new Recovery(this, supervisor, runtime, bundles).run();
            return null;
        }, false).onSuccess(v -> supervisor.start());
    }

    /** Stops supervising; containers keep running and the next agent adopts them. */
    public void close() {
        supervisor.close();
        background.shutdown();
    }

    public ContainerStatus create(ContainerSpec spec) {
        String id = HexFormat.of().formatHex(randomBytes());
        String name = spec.name() != null ? spec.name() : id;
        if (names.putIfAbsent(name, id) != null) {
            throw new ContainerException(409, "NAME_IN_USE", "a container named " + name + " exists");
        }
        ContainerDir dir = new ContainerDir(settings.containersDir().resolve(id));
        ContainerStatus status = ContainerStatus.creating(id, name, spec.labels(), Instant.now());
        Entry entry = new Entry(dir, spec, status);
        entry.lock.lock();
        entries.put(id, entry);
        CompletableFuture<Void> specWritten = CompletableFuture.completedFuture(null);
        try {
            Files.createDirectories(dir.path());
            // No status file until the container exists: a directory without one is a half-made container, which
            // the next agent removes. The spec is made durable meanwhile, while bundle and runc run.
            specWritten = CompletableFuture.runAsync(() -> writeSpec(dir, spec), background);
            PreparedBundle bundle = bundles.create(id, spec, dir.bundle());
            PoststartHooks.takeOver(dir.bundle(), dir.poststartHooks());
            int pid = runtime.create(id, dir.files());
            supervisor.watch(entry);
            // the image's StopSignal may be a number or lack "SIG"; an unknown one falls back to SIGTERM
            String stopSignal = Signals.canonical(bundle.stopSignal()).orElse("SIGTERM");
            awaitWritten(specWritten);
            entry.writeStatus(status.created(bundle.imageDigest(), stopSignal, pid));
            events.publish("created", entry.status);
            return entry.status;
        } catch (BundleException e) {
            removeFailed(entry, specWritten);
            int code = e.code().equals("IMAGE_NOT_FOUND") ? 404 : 400;
            throw new ContainerException(code, e.code(), e.getMessage(), e);
        } catch (RuncException e) {
            removeFailed(entry, specWritten);
            throw new ContainerException(400, "CREATE_FAILED", e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            removeFailed(entry, specWritten);
            throw new ContainerException(500, "INTERNAL", "creating the container failed: " + e.getMessage(), e);
        } finally {
            entry.lock.unlock();
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static void writeSpec(ContainerDir dir, ContainerSpec spec) {
        try {
            dir.writeSpec(ContainerSpecJson.toJson(spec));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitWritten(CompletableFuture<Void> write) throws IOException {
        try {
            write.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing the spec", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause);
        }
    }

    private void removeFailed(Entry entry, CompletableFuture<Void> specWritten) {
        try {
            specWritten.exceptionally(e -> null).get(); // it must not write into the directory deleted below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException ignored) {
            // cannot happen: failures are mapped to null above
        }
        String id = entry.dir.id();
        runtime.deleteQuietly(id);
        try {
            bundles.destroy(id, entry.dir.bundle());
            entry.dir.delete();
        } catch (IOException | RuntimeException e) {
            LOG.warn("cleaning up failed container {}: {}", id, e.getMessage());
        }
        entries.remove(id);
        names.remove(entry.status.name(), id);
    }

    public ContainerStatus start(String idOrName) {
        return withLock(idOrName, entry -> {
            ContainerStatus status = entry.status;
            if (status.state() == ContainerState.STOPPED) {
                supervisor.cancelRestart(entry);
                recreate(entry, false, 0);
            } else if (status.state() != ContainerState.CREATED) {
                throw ContainerException.wrongState(status, "start");
            }
            runtime.start(entry.dir.id(), entry.status.pid());
            runPoststart(entry);
            // Written after the answer, not fsynced to the directory: see "Durability" in the README (runc's
            // state says running too). The next status write waits for this one, so the file never goes back.
            entry.writeStatusInBackground(entry.status.running(Instant.now()), background);
            events.publish("started", entry.status);
            return entry.status;
        });
    }

    /** Sends {@code signal} (a canonical name); the restart policy no longer applies to this run. */
    public ContainerStatus kill(String idOrName, String signal) {
        return withLock(idOrName, entry -> {
            if (!entry.status.state().active()) {
                throw ContainerException.wrongState(entry.status, "kill");
            }
            entry.writeStatus(entry.status.withStopRequested());
            runtime.kill(entry.dir.id(), signal);
            return entry.status;
        });
    }

    /**
     * The bundle's stop signal, then SIGKILL after {@code timeoutSeconds}; returns once the exit is recorded.
     * A container waiting for a policy restart is stopped by cancelling that restart.
     */
    public ContainerStatus stop(String idOrName, long timeoutSeconds) {
        return withLock(idOrName, entry -> {
            if (entry.restartPending && entry.status.state() == ContainerState.STOPPED) {
                supervisor.cancelRestart(entry);
                entry.writeStatus(entry.status.withStopRequested());
                return entry.status;
            }
            if (!entry.status.state().active()) {
                throw ContainerException.wrongState(entry.status, "stop");
            }
            entry.writeStatus(entry.status.withStopRequested());
            String id = entry.dir.id();
            ending.signalQuietly(id, entry.status.stopSignal());
            if (!ending.awaitExit(id, entry.dir.files(), timeoutSeconds * 1000)) {
                ending.signalQuietly(id, "SIGKILL");
                ending.awaitExit(id, entry.dir.files(), Ending.KILL_WAIT_MILLIS);
            }
            supervisor.checkExit(entry);
            return entry.status;
        });
    }

    /**
     * Removes the container; a running one only with {@code force} (killed first), a created one (never started)
     * always. Runs poststop hooks.
     */
    public void delete(String idOrName, boolean force) {
        withLock(idOrName, entry -> {
            ContainerStatus status = entry.status;
            if (status.state() == ContainerState.RUNNING && !force) {
                throw ContainerException.wrongState(status, "delete");
            }
            supervisor.cancelRestart(entry);
            entry.awaitStatusWrite(); // it must not write into the directory deleted below
            String id = entry.dir.id();
            if (status.state().active()) {
                ending.killAndDelete(id, entry.dir.files());
            } else if (entry.release == null || (entry.release.isDone() && !entry.release.join())) {
                runtime.deleteIfPresent(id, false); // runs the poststop hooks
            } // else runc's record is being deleted; should that fail, the next agent removes the record
            ending.awaitConmonGone(entry.dir.files());
            bundles.destroy(id, entry.dir.bundle());
            entry.dir.delete();
            entries.remove(id);
            names.remove(status.name(), id);
            events.publish("deleted", status);
            return null;
        });
    }

    public ContainerStatus get(String idOrName) {
        return find(idOrName).status;
    }

    /** Containers whose labels include every entry of {@code labels}, oldest first. */
    public List<ContainerStatus> list(Map<String, String> labels) {
        List<ContainerStatus> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.status.labels().entrySet().containsAll(labels.entrySet())) {
                out.add(e.status);
            }
        }
        out.sort(Comparator.comparing(ContainerStatus::createdAt).thenComparing(ContainerStatus::id));
        return out;
    }

    /**
     * Whether the container's current run is over: its exit is recorded (conmon wrote the exit file, after draining
     * the container's output into the log), or the container is gone.
     */
    public boolean exited(String idOrName) {
        try {
            return !find(idOrName).status.state().active();
        } catch (ContainerException gone) {
            return true;
        }
    }

    /** The container's directory (for its logs). */
    public ContainerDir dir(String idOrName) {
        return find(idOrName).dir;
    }

    private Entry find(String idOrName) {
        Entry entry = entries.get(idOrName);
        if (entry == null) {
            String id = names.get(idOrName);
            entry = id == null ? null : entries.get(id);
        }
        if (entry == null) {
            throw ContainerException.notFound(idOrName);
        }
        return entry;
    }

    private Entry lock(String idOrName) {
        Entry entry = find(idOrName);
        entry.lock.lock();
        if (entries.get(entry.dir.id()) != entry) {
            entry.lock.unlock(); // deleted, or its creation failed, while we waited
            throw ContainerException.notFound(idOrName);
        }
        return entry;
    }

    private interface LockedAction<T> {
        T apply(Entry entry) throws IOException, RuncException;
    }

    /** Runs {@code action} holding the container's lock; a file or runtime failure answers 500. */
    private <T> T withLock(String idOrName, LockedAction<T> action) {
        Entry entry = lock(idOrName);
        try {
            return action.apply(entry);
        } catch (IOException e) {
            throw new ContainerException(500, "INTERNAL", e.getMessage(), e);
        } catch (RuncException e) {
            throw new ContainerException(500, "RUNTIME_ERROR", e.getMessage(), e);
        } finally {
            entry.lock.unlock();
        }
    }

    /** Threads for work that must not wait for the worker pool: spec writes, runc record deletions. */
    ExecutorService background() {
        return background;
    }

    void adopt(Entry entry) {
        entries.put(entry.dir.id(), entry);
        names.put(entry.status.name(), entry.dir.id());
    }

    boolean known(String id) {
        return entries.containsKey(id);
    }

    Collection<Entry> entries() {
        return entries.values();
    }

    /** The entry of an id, or null. */
    Entry entry(String id) {
        return entries.get(id);
    }

    /** Still the registered entry of its id (not deleted, creation not failed). */
    boolean current(Entry entry) {
        return entries.get(entry.dir.id()) == entry;
    }

    /**
     * Deletes the old runc container (poststop hooks run) and creates it again from the same bundle, its root
     * filesystem mounted again first if a host reboot took the mount away.
     */
    void recreate(Entry entry, boolean byPolicy, int nextStep) throws RuncException {
        String id = entry.dir.id();
        try {
            bundles.remountRootfs(entry.dir.bundle()); // first: when it fails, nothing has changed
        } catch (IOException e) {
            throw new RuncException("root filesystem: " + e.getMessage(), e);
        }
        CompletableFuture<Boolean> release = entry.release;
        entry.release = null;
        boolean released = release != null && release.join(); // never fails: false when the deletion did
        Optional<RuncState> state = released ? Optional.empty() : runtime.state(id);
        if (state.isPresent()) {
            runtime.delete(id, !state.get().status().equals("stopped"));
        }
        int pid = runtime.create(id, entry.dir.files());
        supervisor.watch(entry);
        try {
            entry.writeStatus(entry.status.recreated(pid, byPolicy, nextStep));
        } catch (IOException e) {
            runtime.deleteQuietly(id);
            throw new RuncException("writing status: " + e.getMessage(), e);
        }
    }
    void runPoststart(Entry entry) {
        PoststartHooks.run(entry.dir.id(), entry.status.pid(), entry.dir.bundle(), entry.dir.poststartHooks(),
                entry.dir.path().resolve("hooks.out"));
    }

}
