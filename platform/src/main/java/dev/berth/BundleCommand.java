package dev.berth;

import dev.berth.agent.bundle.BundleException;
import dev.berth.agent.bundle.BundleExport;
import dev.berth.agent.bundle.PreparedBundle;
import dev.berth.agent.image.PullEvent;
import dev.berth.agent.rootfs.RootfsMode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth bundle}: an OCI runtime bundle for an image, written and not run (try {@code runc run --bundle DIR id}). */
@Command(name = "bundle", mixinStandardHelpOptions = true, description = "Write an OCI runtime bundle for an image without running it.")
final class BundleCommand implements Callable<Integer> {

    @Option(names = "--image", required = true, description = "Image reference, host[:port]/repo[:tag][@digest].")
    String image;
    @Option(names = "--out", required = true, description = "Bundle directory to create (must not exist or be empty).")
    Path out;
    @Option(names = "--state", description = "Agent state dir holding the image store (default: ./data/agent).")
    Path state = Path.of("data", "agent");
    @Option(names = "--user", description = "user, uid, user:group, uid:gid ... resolved in the image.")
    String user;
    @Option(names = "--env", description = "K=V, merged over the image's Env (repeatable).")
    Map<String, String> env = new LinkedHashMap<>();
    @Option(names = "--insecure-registry", description = "host:port pulled over plain HTTP (repeatable; loopback always is).")
    Set<String> insecureRegistries = new LinkedHashSet<>();
    @Option(names = "--rootfs", description = "copy (default: a plain directory) or overlay (umount OUT/rootfs afterwards).")
    String rootfs = "copy";
    @Parameters(description = "Replaces the image's Cmd (put them after --).")
    List<String> args;

    @Override
    public Integer call() throws Exception {
        RootfsMode mode;
        try {
            mode = RootfsMode.parse(rootfs);
        } catch (IllegalArgumentException e) {
            System.err.println("berth bundle: " + e.getMessage());
            return 2;
        }
        try {
            PreparedBundle bundle = BundleExport.write(new BundleExport.Request(state, image, out.toAbsolutePath(), user,
                    env, args, insecureRegistries, mode), BundleCommand::progress);
            System.out.println("bundle written to " + bundle.dir() + " (image " + bundle.imageDigest()
                    + ", stop signal " + bundle.stopSignal() + ")");
            return 0;
        } catch (BundleException e) {
            System.err.println("berth bundle: " + e.code() + ": " + e.getMessage());
            return 1;
        }
    }

    private static void progress(PullEvent event) {
        if (event.kind() != PullEvent.Kind.DOWNLOADING) {
            System.err.println(event.kind().name().toLowerCase() + " " + event.layer() + " (" + event.bytesTotal() + " bytes)");
        }
    }
}
