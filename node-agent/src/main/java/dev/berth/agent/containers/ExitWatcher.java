package dev.berth.agent.containers;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the supervisor at once when conmon writes a container's exit file (inotify, through the JDK's
 * {@link WatchService} on Linux), so an exit is recorded within milliseconds instead of at the next
 * supervise tick. The tick stays the fallback: an exit this watcher misses is found there.
 */
final class ExitWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ExitWatcher.class);

    private final WatchService service;
    private final Map<WatchKey, String> ids = new ConcurrentHashMap<>();
    private final Consumer<String> onChange;

    private ExitWatcher(WatchService service, Consumer<String> onChange) {
        this.service = service;
        this.onChange = onChange;
    }

    /** A watcher with its own daemon thread; {@code onChange} gets a container id, on that thread. */
    static ExitWatcher start(Consumer<String> onChange) throws IOException {
        ExitWatcher watcher = new ExitWatcher(FileSystems.getDefault().newWatchService(), onChange);
        Thread thread = new Thread(watcher::run, "berth-agent-exit-watcher");
        thread.setDaemon(true);
        thread.start();
        return watcher;
    }

    /** Watches a container's exit dir (created before conmon starts); watching it again is harmless. */
    void watch(String id, Path exitDir) {
        try {
            ids.put(exitDir.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY), id);
        } catch (IOException | ClosedWatchServiceException e) {
            LOG.debug("not watching {} ({}); the supervise tick will see its exit", exitDir, e.toString());
        }
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = service.take();
                key.pollEvents();
                String id = ids.get(key);
                if (!key.reset()) {
                    ids.remove(key); // the directory is gone with its container
                }
                if (id != null) {
                    try {
                        onChange.accept(id);
                    } catch (RuntimeException e) {
                        LOG.warn("handling the exit of {}: {}", id, e.toString());
                    }
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        service.close();
    }
}
