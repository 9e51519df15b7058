package dev.berth.agent.api;

import dev.berth.agent.containers.ManagerSettings;
import dev.berth.agent.runtime.RuntimeSettings;
import dev.berth.kit.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's settings; every key is documented in node-agent/README.md and overridable by env
 * ({@code agent.state-dir} ← {@code BERTH_AGENT_STATE_DIR}).
 */
public record AgentConfig(String host, int port, String token, boolean insecureNoAuth, String nodeName,
                          Map<String, String> labels, RuntimeSettings runtime, ManagerSettings manager,
                          String controlPlaneUrl, long heartbeatIntervalMillis) {

    public static AgentConfig from(Config config) {
        Path state = Path.of(config.string("agent.state-dir", "data/agent")).toAbsolutePath();
        Map<String, String> labels = new LinkedHashMap<>();
        for (String entry : config.list("agent.labels", List.of())) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("config key 'agent.labels' (env " + Config.envName("agent.labels")
                        + ") must hold key=value entries, got '" + entry + "'");
            }
            labels.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        long rotate = config.longValue("agent.logs.max-bytes", 10L * 1024 * 1024);
        int keep = config.integer("agent.logs.keep", 3);
        if (rotate <= 0 || keep < 1) {
            throw new IllegalArgumentException("agent.logs.max-bytes must be positive and agent.logs.keep at least 1");
        }
        RuntimeSettings runtime = new RuntimeSettings(
                Path.of(config.string("agent.runc", "/usr/sbin/runc")),
                Path.of(config.string("agent.conmon", "/usr/bin/conmon")),
                Path.of(config.string("agent.runc-root", state.resolve("runc").toString())).toAbsolutePath(),
                state.resolve("sockets"),
                config.longValue("agent.logs.conmon-size-max", 0));
        ManagerSettings manager = new ManagerSettings(state,
                config.longValue("agent.supervise-interval-ms", 250),
                config.longValue("agent.restart.initial-backoff-ms", 100),
                config.longValue("agent.restart.max-backoff-ms", 60_000),
                config.longValue("agent.restart.reset-after-ms", 10_000),
                rotate, keep);
        String token = config.string("agent.token", "");
        return new AgentConfig(config.string("agent.host", "127.0.0.1"), config.integer("agent.port", 7070),
                token, config.bool("agent.insecure-no-auth", false),
                config.string("agent.node-name", localHostName()), Map.copyOf(labels), runtime, manager,
                config.string("agent.control-plane-url", ""),
                config.longValue("agent.heartbeat-interval-ms", 10_000));
    }

    static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    @Override
    public String toString() {
        return "AgentConfig[host=" + host + ", port=" + port + ", node=" + nodeName + ", token=" + (token.isEmpty() ? "unset" : "set")
                + "]";
    }
}
