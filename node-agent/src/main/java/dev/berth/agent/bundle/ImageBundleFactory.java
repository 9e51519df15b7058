package dev.berth.agent.bundle;

import dev.berth.agent.bundle.RuntimeConfigWriter.BindMount;
import dev.berth.agent.bundle.UserResolver.ResolvedUser;
import dev.berth.agent.image.ImageStore;
import dev.berth.agent.image.ImageStoreException;
import dev.berth.agent.image.StoredImage;
import dev.berth.agent.rootfs.ContainerRootfs;
import dev.berth.agent.rootfs.FileTrees;
import dev.berth.agent.spec.ContainerSpec;
import dev.berth.agent.spec.Hook;
import dev.berth.agent.spec.Resources;
import dev.berth.agent.spec.VolumeMount;
import dev.berth.oci.client.ImageReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Makes OCI runtime bundles from images in the local {@link ImageStore} (pulling them when missing):
 * the image config converted per the image spec's conversion.md, the caller's overrides applied, secure
 * defaults added ({@link LinuxDefaults}), and a writable rootfs of the container's own.
 * <p>
 * Layout of a bundle: {@code config.json}, {@code rootfs/} (overlay mount point or copy),
 * {@code overlay/upper|work}, {@code volumes/N} (agent-managed volumes), {@code etc/hosts|hostname|resolv.conf}.
 */
public final class ImageBundleFactory implements BundleFactory {

    private static final Pattern CONTAINER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final String REF_NAME = "org.opencontainers.image.ref.name";

    private final ImageStore store;
    private final ContainerRootfs rootfs;

    public ImageBundleFactory(ImageStore store, ContainerRootfs rootfs) {
        this.store = store;
        this.rootfs = rootfs;
    }

    @Override
    public PreparedBundle create(String containerId, ContainerSpec spec, Path bundleDir)
            throws IOException, BundleException {
        if (containerId == null || !CONTAINER_ID.matcher(containerId).matches()) {
            throw new BundleException("INVALID_ID", "container id must be 1-128 letters, digits, '_', '.' or '-'");
        }
        if (Files.exists(bundleDir, LinkOption.NOFOLLOW_LINKS) && !isEmptyDir(bundleDir)) {
            throw new BundleException("BUNDLE_EXISTS", "bundle dir " + bundleDir + " already exists and is not empty");
        }
        checkResources(spec.resources());
        checkHooks(spec);
        StoredImage image = imageFor(spec.image());
        try (ImageStore.Lease lease = leaseOrPull(spec.image(), image)) {
            Path base = lease.rootfs();
            ImageRuntimeConfig config = ImageRuntimeConfig.parse(store.config(lease.image()));
            List<String> args = ProcessConversion.args(config, spec);
            List<String> env = ProcessConversion.env(config, spec);
            String cwd = ProcessConversion.workingDir(config, spec);
            String stopSignal = StopSignals.normalise(config.stopSignal());
            ResolvedUser user = new UserResolver(base).resolve(spec.user() != null ? spec.user() : config.user());
            List<PlannedVolume> volumes = planVolumes(config, spec);
            Map<String, String> annotations = annotations(config, spec);
            String hostname = containerId.length() > 12 ? containerId.substring(0, 12) : containerId;
            try {
                Files.createDirectories(bundleDir);
                rootfs.prepare(base, bundleDir);
                List<BindMount> binds = new ArrayList<>(hostFiles(bundleDir, hostname));
                binds.addAll(makeVolumes(bundleDir, base, volumes));
                var tree = RuntimeConfigWriter.write(new RuntimeConfigWriter.Input(hostname, args, env, cwd, user,
                        annotations, binds, spec.resources(), spec.hooks(),
                        !spec.seccomp().equals(ContainerSpec.SECCOMP_UNCONFINED)));
                Path temp = bundleDir.resolve(".config.json.tmp");
                Files.write(temp, RuntimeConfigWriter.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(tree));
                Files.move(temp, bundleDir.resolve("config.json"), StandardCopyOption.ATOMIC_MOVE);
                return new PreparedBundle(bundleDir, lease.image().manifestDigest(), stopSignal);
            } catch (IOException | BundleException | RuntimeException e) {
                try {
                    destroy(containerId, bundleDir);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        } catch (ImageStoreException e) {
            throw new BundleException(e.code(), e.getMessage(), e);
        }
    }

    @Override
    public void remountRootfs(Path bundleDir) throws IOException {
        rootfs.remount(bundleDir);
    }

    @Override
    public void destroy(String containerId, Path bundleDir) throws IOException {
        rootfs.release(bundleDir);
        FileTrees.delete(bundleDir);
    }

    private StoredImage imageFor(String reference) throws BundleException {
        if (reference == null || reference.isEmpty()) {
            throw new BundleException("INVALID_REFERENCE", "the container spec names no image");
        }
        try {
            Optional<StoredImage> known = store.get(reference);
            return known.isPresent() ? known.get() : store.pull(reference, null, event -> { });
        } catch (ImageStoreException e) {
            throw new BundleException(e.code(), e.getMessage(), e);
        }
    }

    /** Holds the image while the bundle is made; pulls once more if it was removed in between. */
    private ImageStore.Lease leaseOrPull(String reference, StoredImage image) throws ImageStoreException {
        try {
            return store.lease(image.digest());
        } catch (ImageStoreException gone) {
            return store.lease(store.pull(reference, null, event -> { }).digest());
        }
    }

    private static Map<String, String> annotations(ImageRuntimeConfig config, ContainerSpec spec) {
        Map<String, String> out = new LinkedHashMap<>(config.implicitAnnotations());
        try {
            ImageReference ref = ImageReference.parse(spec.image());
            if (ref.tag() != null) {
                out.put(REF_NAME, ref.tag());
            }
        } catch (IllegalArgumentException ignored) {
            // The store parsed it already; a reference it accepts always parses here too.
        }
        out.putAll(config.labels());
        out.putAll(spec.labels());
        return out;
    }

    /** A volume to mount: host source (null = agent-managed, seeded from the image), container target. */
    private record PlannedVolume(String source, String target, boolean readOnly) {
    }

    private static List<PlannedVolume> planVolumes(ImageRuntimeConfig config, ContainerSpec spec) throws BundleException {
        Map<String, PlannedVolume> byTarget = new LinkedHashMap<>();
        for (String path : config.volumes()) {
            if (!path.startsWith("/")) {
                throw new BundleException("INVALID_IMAGE_CONFIG", "image volume \"" + path + "\" is not an absolute path");
            }
            String target = ProcessConversion.cleanPath(path);
            byTarget.put(target, new PlannedVolume(null, target, false));
        }
        for (VolumeMount volume : spec.volumes()) {
            if (volume.target() == null || !volume.target().startsWith("/") || volume.target().indexOf('\0') >= 0) {
                throw new BundleException("INVALID_VOLUME", "volume target \"" + volume.target() + "\" must be an absolute path");
            }
            String target = ProcessConversion.cleanPath(volume.target());
            if (target.equals("/")) {
                throw new BundleException("INVALID_VOLUME", "a volume cannot replace the container's root");
            }
            if (volume.source() != null) {
                Path source = Path.of(volume.source());
                if (!source.isAbsolute() || !Files.exists(source)) {
                    throw new BundleException("INVALID_VOLUME",
                            "volume source \"" + volume.source() + "\" must be an existing absolute host path");
                }
            }
            byTarget.put(target, new PlannedVolume(volume.source(), target, volume.readOnly()));
        }
        return new ArrayList<>(byTarget.values());
    }

    private static List<BindMount> makeVolumes(Path bundleDir, Path base, List<PlannedVolume> volumes)
            throws IOException, BundleException {
        List<BindMount> binds = new ArrayList<>();
        int n = 0;
        for (PlannedVolume volume : volumes) {
            String source = volume.source();
            if (source == null) {
                Path dir = Files.createDirectories(bundleDir.resolve("volumes").resolve(String.valueOf(n++)));
                Optional<Path> seed;
                try {
                    seed = RootfsFiles.resolve(base, volume.target(), true);
                } catch (IOException e) {
                    throw new BundleException("INVALID_IMAGE", "cannot seed volume " + volume.target()
                            + " from the image: " + e.getMessage(), e);
                }
                if (seed.isPresent() && Files.isDirectory(seed.get(), LinkOption.NOFOLLOW_LINKS)) {
                    FileTrees.copyContents(seed.get(), dir);
                }
                source = dir.toString();
            }
            binds.add(new BindMount(volume.target(), source, volume.readOnly()));
        }
        return binds;
    }

    /** /etc/hosts, /etc/hostname and (copied from the host, since containers share its network) /etc/resolv.conf. */
    private static List<BindMount> hostFiles(Path bundleDir, String hostname) throws IOException {
        Path etc = Files.createDirectories(bundleDir.resolve("etc"));
        Files.writeString(etc.resolve("hostname"), hostname + "\n");
        Files.writeString(etc.resolve("hosts"), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                + "127.0.1.1\t" + hostname + "\n");
        List<BindMount> binds = new ArrayList<>(List.of(
                new BindMount("/etc/hostname", etc.resolve("hostname").toString(), false),
                new BindMount("/etc/hosts", etc.resolve("hosts").toString(), false)));
        Path resolv = Path.of("/etc/resolv.conf");
        if (Files.isReadable(resolv)) {
            Files.copy(resolv, etc.resolve("resolv.conf"));
            binds.add(new BindMount("/etc/resolv.conf", etc.resolve("resolv.conf").toString(), false));
        }
        return binds;
    }

    private static void checkResources(Resources resources) throws BundleException {
        if (resources.cpus() != null && !(resources.cpus() > 0 && resources.cpus() <= 1024)) {
            throw new BundleException("INVALID_RESOURCES", "cpus must be above 0 and at most 1024");
        }
        if (resources.memoryBytes() != null && resources.memoryBytes() <= 0) {
            throw new BundleException("INVALID_RESOURCES", "memory limit must be positive");
        }
        if (resources.pids() != null && resources.pids() <= 0) {
            throw new BundleException("INVALID_RESOURCES", "pids limit must be positive");
        }
    }

    private static void checkHooks(ContainerSpec spec) throws BundleException {
        List<Hook> all = new ArrayList<>();
        Stream.of(spec.hooks().createRuntime(), spec.hooks().createContainer(), spec.hooks().startContainer(),
                spec.hooks().poststart(), spec.hooks().poststop()).forEach(all::addAll);
        for (Hook hook : all) {
            if (hook.path() == null || !hook.path().startsWith("/")) {
                throw new BundleException("INVALID_HOOK", "hook path \"" + hook.path() + "\" must be absolute");
            }
            if (hook.timeout() != null && hook.timeout() < 1) {
                throw new BundleException("INVALID_HOOK", "hook timeout must be at least 1 second");
            }
        }
    }

    private static boolean isEmptyDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }
}
