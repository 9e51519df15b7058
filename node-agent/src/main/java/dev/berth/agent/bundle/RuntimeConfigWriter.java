package dev.berth.agent.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.agent.bundle.UserResolver.ResolvedUser;
import dev.berth.agent.spec.Hook;
import dev.berth.agent.spec.Hooks;
import dev.berth.agent.spec.Resources;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Writes the runtime spec's {@code config.json} tree from converted fields plus {@link LinuxDefaults}. */
public final class RuntimeConfigWriter {

    static final ObjectMapper JSON = new ObjectMapper();
    static final long CPU_PERIOD_MICROS = 100_000;

    /** A bind mount into the container. */
    public record BindMount(String destination, String source, boolean readOnly) {
    }

    /** Everything the config is made of; {@code seccomp}: the default filter ({@link SeccompProfile}), or none. */
    public record Input(String hostname, List<String> args, List<String> env, String cwd, ResolvedUser user,
                        Map<String, String> annotations, List<BindMount> binds, Resources resources, Hooks hooks,
                        boolean seccomp) {
    }

    private RuntimeConfigWriter() {
    }

    public static ObjectNode write(Input in) {
        ObjectNode root = JSON.createObjectNode();
        root.put("ociVersion", LinuxDefaults.OCI_VERSION);
        root.set("process", process(in));
        root.putObject("root").put("path", "rootfs").put("readonly", false);
        root.put("hostname", in.hostname());
        root.set("mounts", mounts(in.binds()));
        ObjectNode hooks = hooks(in.hooks());
        if (!hooks.isEmpty()) {
            root.set("hooks", hooks);
        }
        if (!in.annotations().isEmpty()) {
            ObjectNode annotations = root.putObject("annotations");
            new TreeMap<>(in.annotations()).forEach(annotations::put);
        }
        ObjectNode linux = linux(in.resources());
        if (in.seccomp()) {
            linux.set("seccomp", SeccompProfile.json(JSON.getNodeFactory(), System.getProperty("os.arch", "")));
        }
        root.set("linux", linux);
        return root;
    }

    private static ObjectNode process(Input in) {
        ObjectNode process = JSON.createObjectNode();
        process.put("terminal", false);
        ObjectNode user = process.putObject("user").put("uid", in.user().uid()).put("gid", in.user().gid());
        if (!in.user().additionalGids().isEmpty()) {
            ArrayNode gids = user.putArray("additionalGids");
            in.user().additionalGids().forEach(gids::add);
        }
        strings(process.putArray("args"), in.args());
        strings(process.putArray("env"), in.env());
        process.put("cwd", in.cwd());
        ObjectNode caps = process.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            strings(caps.putArray(set), LinuxDefaults.CAPABILITIES);
        }
        process.putArray("rlimits").addObject().put("type", "RLIMIT_NOFILE")
                .put("hard", LinuxDefaults.NOFILE_LIMIT).put("soft", LinuxDefaults.NOFILE_LIMIT);
        process.put("noNewPrivileges", true);
        return process;
    }

    private static ArrayNode mounts(List<BindMount> binds) {
        ArrayNode mounts = JSON.createArrayNode();
        for (LinuxDefaults.SystemMount m : LinuxDefaults.SYSTEM_MOUNTS) {
            ObjectNode node = mounts.addObject().put("destination", m.destination()).put("type", m.type())
                    .put("source", m.source());
            strings(node.putArray("options"), m.options());
        }
        for (BindMount b : binds) {
            ObjectNode node = mounts.addObject().put("destination", b.destination()).put("type", "bind")
                    .put("source", b.source());
            strings(node.putArray("options"), b.readOnly() ? List.of("rbind", "rprivate", "ro") : List.of("rbind", "rprivate"));
        }
        return mounts;
    }

    private static ObjectNode hooks(Hooks hooks) {
        ObjectNode node = JSON.createObjectNode();
        hookList(node, "createRuntime", hooks.createRuntime());
        hookList(node, "createContainer", hooks.createContainer());
        hookList(node, "startContainer", hooks.startContainer());
        hookList(node, "poststart", hooks.poststart());
        hookList(node, "poststop", hooks.poststop());
        return node;
    }

    private static void hookList(ObjectNode hooks, String point, List<Hook> list) {
        if (list.isEmpty()) {
            return;
        }
        ArrayNode array = hooks.putArray(point);
        for (Hook hook : list) {
            ObjectNode node = array.addObject().put("path", hook.path());
            if (!hook.args().isEmpty()) {
                strings(node.putArray("args"), hook.args());
            }
            if (!hook.env().isEmpty()) {
                strings(node.putArray("env"), hook.env());
            }
            if (hook.timeout() != null) {
                node.put("timeout", hook.timeout());
            }
        }
    }

    private static ObjectNode linux(Resources resources) {
        ObjectNode linux = JSON.createObjectNode();
        ObjectNode res = linux.putObject("resources");
        // Deny every device, then runc adds its default allow list (null, zero, full, random, urandom, tty, ptmx).
        res.putArray("devices").addObject().put("allow", false).put("access", "rwm");
        if (resources.memoryBytes() != null) {
            // The runtime spec's swap is memory + swap: equal to the limit means no swap.
            res.putObject("memory").put("limit", resources.memoryBytes()).put("swap", resources.memoryBytes());
        }
        if (resources.cpus() != null) {
            res.putObject("cpu").put("quota", Math.round(resources.cpus() * CPU_PERIOD_MICROS))
                    .put("period", CPU_PERIOD_MICROS);
        }
        if (resources.pids() != null) {
            res.putObject("pids").put("limit", resources.pids());
        }
        ArrayNode namespaces = linux.putArray("namespaces");
        LinuxDefaults.NAMESPACES.forEach(ns -> namespaces.addObject().put("type", ns));
        strings(linux.putArray("maskedPaths"), LinuxDefaults.MASKED_PATHS);
        strings(linux.putArray("readonlyPaths"), LinuxDefaults.READONLY_PATHS);
        return linux;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
