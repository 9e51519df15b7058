package dev.berth.agent.containers;

import dev.berth.agent.bundle.BundleFactory;
import dev.berth.agent.runtime.ConmonRuntime;
import dev.berth.agent.runtime.RuncException;
import dev.berth.agent.runtime.RuncState;
import dev.berth.agent.spec.ContainerSpec;
import dev.berth.agent.spec.ContainerSpecJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a starting agent does with the state a previous agent left: containers still running are adopted
 * (supervised again, nothing is signalled), exits that happened meanwhile are recorded (and the restart policy
 * applied), half-made containers are removed. Blocks.
 */
final class Recovery {

    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    private final ContainerManager manager;
    private final Supervisor supervisor;
    private final ConmonRuntime runtime;
    private final BundleFactory bundles;

    Recovery(ContainerManager manager, Supervisor supervisor, ConmonRuntime runtime, BundleFactory bundles) {
        this.manager = manager;
        this.supervisor = supervisor;
        this.runtime = runtime;
        this.bundles = bundles;
    }

    void run() throws IOException, RuncException {
        Path root = manager.settings().containersDir();
        Files.createDirectories(root);
        List<Path> dirs;
        try (Stream<Path> listing = Files.list(root)) {
            dirs = listing.filter(Files::isDirectory).sorted().toList();
        }
        for (Path path : dirs) {
            ContainerDir dir = new ContainerDir(path);
            try {
                recover(dir);
            } catch (IOException | RuncException | RuntimeException e) {
                LOG.warn("cannot recover container {}: {}", dir.id(), e.toString());
            }
        }
        for (String id : runtime.list()) {
            // a directory we could not read is left alone, with its container: better a stray than a kill
            if (!manager.known(id) && !Files.isDirectory(root.resolve(id))) {
                LOG.info("removing runc container {}: no status on disk", id);
                runtime.deleteQuietly(id);
            }
        }
    }

    private void recover(ContainerDir dir) throws IOException, RuncException {
        Optional<ContainerStatus> stored = dir.readStatus();
        if (stored.isEmpty() || stored.get().state() == ContainerState.CREATING) {
            LOG.info("removing half-created container {}", dir.id());
            runtime.deleteQuietly(dir.id());
            bundles.destroy(dir.id(), dir.bundle());
            dir.delete();
            return;
        }
        ContainerSpec spec = ContainerSpecJson.parse(dir.readSpec());
        Entry entry = new Entry(dir, spec, stored.get());
        manager.adopt(entry);
        entry.lock.lock();
        try {
            ContainerStatus status = entry.status;
            if (status.state().active()) {
                Optional<RuncState> state = runtime.state(dir.id());
                if (status.state() == ContainerState.CREATED && state.isPresent()
                        && state.get().status().equals("running")) {
                    // started just before the previous agent died, status write lost
                    entry.writeStatus(status.running(Instant.now()));
                }
                supervisor.watch(entry);
                supervisor.checkExit(entry);
                if (entry.status.state().active()) {
                    LOG.info("adopted running container {}", dir.id());
                }
            } else {
                supervisor.scheduleRestart(entry);
            }
        } finally {
            entry.lock.unlock();
        }
    }
}
