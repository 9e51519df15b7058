package dev.berth.agent.api;

import dev.berth.agent.containers.ContainerManager;
import dev.berth.agent.containers.ContainerStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What {@code GET /v1/node} and the heartbeat report about this host. Blocks (reads /proc, runs runc). */
public final class NodeInfo {

    private final AgentConfig config;
    private final ContainerManager manager;
    private final String runcVersion;
    private final String conmonVersion;

    public NodeInfo(AgentConfig config, ContainerManager manager) {
        this.config = config;
        this.manager = manager;
        this.runcVersion = manager.runtime().runcVersion();
        this.conmonVersion = manager.runtime().conmonVersion();
    }

    public JsonObject describe() throws IOException {
        FileStore store = Files.getFileStore(config.manager().stateDir());
        Map<String, Object> counts = new TreeMap<>();
        for (String state : List.of("creating", "created", "running", "stopped")) {
            counts.put(state, 0);
        }
        List<ContainerStatus> all = manager.list(Map.of());
        for (ContainerStatus status : all) {
            counts.merge(status.state().json(), 1, (a, b) -> (Integer) a + (Integer) b);
        }
        counts.put("total", all.size());
        return new JsonObject()
                .put("name", config.nodeName())
                .put("hostname", AgentConfig.localHostName())
                .put("cpus", Runtime.getRuntime().availableProcessors())
                .put("memoryBytes", memTotal())
                .put("disk", new JsonObject()
                        .put("path", config.manager().stateDir().toString())
                        .put("totalBytes", store.getTotalSpace())
                        .put("freeBytes", store.getUsableSpace()))
                .put("kernel", read("/proc/sys/kernel/osrelease"))
                .put("runcVersion", runcVersion)
                .put("conmonVersion", conmonVersion)
                .put("labels", new JsonObject(new TreeMap<String, Object>(config.labels())))
                .put("containers", new JsonObject(counts));
    }

    /** The node plus every container's status, for the heartbeat. */
    public JsonObject heartbeat() throws IOException {
        JsonArray containers = new JsonArray();
        manager.list(Map.of()).forEach(status -> containers.add(status.toJson()));
        return new JsonObject().put("node", describe()).put("containerStates", containers);
    }

    private static long memTotal() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII)) {
            if (line.startsWith("MemTotal:")) {
                String kb = line.substring("MemTotal:".length()).trim().split("\\s+")[0];
                return Long.parseLong(kb) * 1024;
            }
        }
        return -1;
    }

    private static String read(String file) throws IOException {
        return Files.readString(Path.of(file), StandardCharsets.US_ASCII).strip();
    }
}
