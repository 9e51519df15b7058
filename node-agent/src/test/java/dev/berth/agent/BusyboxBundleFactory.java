package dev.berth.agent;

import dev.berth.agent.bundle.BundleException;
import dev.berth.agent.bundle.BundleFactory;
import dev.berth.agent.bundle.PreparedBundle;
import dev.berth.agent.spec.ContainerSpec;
import dev.berth.agent.spec.Hook;
import dev.berth.agent.spec.VolumeMount;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Test-only: a real bundle whose rootfs is a static busybox with applet links, and whose config.json is what
 * {@code runc spec} produces, edited from the spec (args, env, cwd, limits, bind mounts, hooks, labels).
 * Image {@code missing} fails like an unknown image; image {@code slow-fail} fails after writing half a bundle.
 */
public final class BusyboxBundleFactory implements BundleFactory {

    public static final String DIGEST = "sha256:" + "b".repeat(64);
    private static final List<String> APPLETS = List.of("sh", "echo", "sleep", "cat", "dd", "head", "sed", "true",
            "false", "ls", "kill", "seq", "wc");

    @Override
    public PreparedBundle create(String containerId, ContainerSpec spec, Path bundleDir)
            throws IOException, BundleException {
        if (spec.image().equals("missing")) {
            throw new BundleException("IMAGE_NOT_FOUND", "image missing is not in the store");
        }
        try {
            Path bin = Files.createDirectories(bundleDir.resolve("rootfs/bin"));
            for (String dir : List.of("proc", "dev", "sys", "tmp", "etc")) {
                Files.createDirectories(bundleDir.resolve("rootfs").resolve(dir));
            }
            Files.copy(HostTools.BUSYBOX, bin.resolve("busybox"));
            for (String applet : APPLETS) {
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
            if (spec.image().equals("slow-fail")) {
                throw new BundleException("INVALID_LAYER", "layer 2 is broken");
            }
            Process spec0 = new ProcessBuilder(HostTools.RUNC.toString(), "spec", "--bundle", bundleDir.toString())
                    .redirectErrorStream(true).start();
            if (spec0.waitFor() != 0) {
                throw new IOException("runc spec failed: " + new String(spec0.getInputStream().readAllBytes()));
            }
            Path configFile = bundleDir.resolve("config.json");
            JsonObject config = new JsonObject(Files.readString(configFile));
            edit(config, spec);
            Files.writeString(configFile, config.encodePrettily());
            return new PreparedBundle(bundleDir, DIGEST, "SIGTERM");
        } catch (IOException | BundleException | RuntimeException e) {
            destroy(containerId, bundleDir);
            throw e;
        } catch (InterruptedException e) {
            destroy(containerId, bundleDir);
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static void edit(JsonObject config, ContainerSpec spec) {
        JsonObject process = config.getJsonObject("process");
        process.put("terminal", false);
        List<String> argv = new ArrayList<>();
        if (spec.entrypoint() != null) {
            argv.addAll(spec.entrypoint());
        }
        if (spec.args() != null) {
            argv.addAll(spec.args());
        }
        process.put("args", new JsonArray(argv.isEmpty() ? List.of("sh") : argv));
        JsonArray env = new JsonArray().add("PATH=/bin");
        spec.env().forEach((k, v) -> env.add(k + "=" + v));
        process.put("env", env);
        process.put("cwd", spec.workingDir() == null ? "/" : spec.workingDir());
        config.getJsonObject("root").put("readonly", false);
        JsonObject resources = config.getJsonObject("linux").getJsonObject("resources", new JsonObject());
        if (spec.resources().memoryBytes() != null) {
            resources.put("memory", new JsonObject().put("limit", spec.resources().memoryBytes())
                    .put("swap", spec.resources().memoryBytes()));
        }
        if (spec.resources().pids() != null) {
            resources.put("pids", new JsonObject().put("limit", spec.resources().pids()));
        }
        if (spec.resources().cpus() != null) {
            resources.put("cpu", new JsonObject().put("period", 100_000)
                    .put("quota", Math.round(spec.resources().cpus() * 100_000)));
        }
        config.getJsonObject("linux").put("resources", resources);
        JsonArray mounts = config.getJsonArray("mounts");
        for (VolumeMount v : spec.volumes()) {
            mounts.add(new JsonObject().put("destination", v.target()).put("type", "bind").put("source", v.source())
                    .put("options", new JsonArray().add("rbind").add(v.readOnly() ? "ro" : "rw")));
        }
        JsonObject hooks = new JsonObject();
        putHooks(hooks, "createRuntime", spec.hooks().createRuntime());
        putHooks(hooks, "createContainer", spec.hooks().createContainer());
        putHooks(hooks, "startContainer", spec.hooks().startContainer());
        putHooks(hooks, "poststart", spec.hooks().poststart());
        putHooks(hooks, "poststop", spec.hooks().poststop());
        config.put("hooks", hooks);
        JsonObject annotations = new JsonObject();
        spec.labels().forEach(annotations::put);
        config.put("annotations", annotations);
    }

    private static void putHooks(JsonObject hooks, String point, List<Hook> list) {
        if (list.isEmpty()) {
            return;
        }
        JsonArray array = new JsonArray();
        for (Hook hook : list) {
            JsonObject h = new JsonObject().put("path", hook.path());
            if (!hook.args().isEmpty()) {
                h.put("args", new JsonArray(hook.args()));
            }
            if (!hook.env().isEmpty()) {
                h.put("env", new JsonArray(hook.env()));
            }
            if (hook.timeout() != null) {
                h.put("timeout", hook.timeout());
            }
            array.add(h);
        }
        hooks.put(point, array);
    }

    @Override
    public void destroy(String containerId, Path bundleDir) throws IOException {
        if (!Files.exists(bundleDir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(bundleDir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
