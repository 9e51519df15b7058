package dev.berth.agent.rootfs;

import dev.berth.agent.host.LinuxCalls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jnr.posix.FileStat;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A container's own writable root at {@code <bundle>/rootfs} over an image's read-only base rootfs:
 * an overlayfs mount (lower = base, upper and work under {@code <bundle>/overlay}) when asked for and
 * the kernel allows it, else a full copy. Blocking; run it off the event loop.
 */
public final class ContainerRootfs {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerRootfs.class);
    /** In {@code bundleDir/overlay}: the image tree the overlay is mounted over. */
    private static final String LOWER_FILE = "lowerdir";

    private final RootfsMode preferred;
    private final POSIX posix = POSIXFactory.getNativePOSIX();
    private final Optional<LinuxCalls> calls;

    public ContainerRootfs(RootfsMode preferred) {
        this(preferred, LinuxCalls.get());
    }

    /** @param calls empty: mount and unmount with the {@code mount} and {@code umount} programs */
    ContainerRootfs(RootfsMode preferred, Optional<LinuxCalls> calls) {
        this.preferred = preferred;
        this.calls = calls;
    }

    /**
     * Creates {@code bundleDir/rootfs}. On failure nothing is mounted and what this call created is removed.
     *
     * @return the mode actually used ({@link RootfsMode#COPY} when the overlay mount failed)
     */
    public RootfsMode prepare(Path base, Path bundleDir) throws IOException {
        Path rootfs = bundleDir.resolve("rootfs");
        if (preferred == RootfsMode.OVERLAY) {
            String failure = mountOverlay(base, bundleDir, rootfs);
            if (failure == null) {
                return RootfsMode.OVERLAY;
            }
            LOG.warn("overlay mount for {} failed, copying the image instead: {}", bundleDir, failure);
        }
        try {
            Files.createDirectories(rootfs);
            FileTrees.copyContents(base, rootfs);
            return RootfsMode.COPY;
        } catch (IOException e) {
            FileTrees.delete(rootfs);
            throw e;
        }
    }

    /** Unmounts {@code bundleDir/rootfs} if it is mounted. A missing dir is not an error. */
    public void release(Path bundleDir) throws IOException {
        Path rootfs = bundleDir.resolve("rootfs");
        if (calls.isPresent()) {
            unmount(calls.get(), rootfs);
            return;
        }
        if (!Files.exists(rootfs, LinkOption.NOFOLLOW_LINKS) || !isMountPoint(rootfs)) {
            return;
        }
        HostCommands.Result result = HostCommands.run(List.of("umount", rootfs.toString()));
        if (result.exitCode() != 0) {
            // Still busy (a process holds it): detach it now, the kernel frees it when the last user goes.
            HostCommands.runOk(List.of("umount", "-l", rootfs.toString()));
        }
        if (isMountPoint(rootfs)) {
            throw new IOException("cannot unmount " + rootfs + ": " + result.output());
        }
    }

    /** umount2; EINVAL (not a mount point) and ENOENT are "nothing to do", EBUSY detaches it lazily. */
    private static void unmount(LinuxCalls calls, Path rootfs) throws IOException {
        if (calls.libc().umount2(rootfs.toString(), 0) == 0) {
            return;
        }
        int errno = calls.errno();
        if (errno == LinuxCalls.EINVAL || errno == LinuxCalls.ENOENT) {
            return;
        }
        if (errno == LinuxCalls.EBUSY && calls.libc().umount2(rootfs.toString(), LinuxCalls.MNT_DETACH) == 0) {
            return; // still busy (a process holds it): detached now, the kernel frees it when the last user goes
        }
        throw new IOException("cannot unmount " + rootfs + ": " + LinuxCalls.describe(errno));
    }

    /** Whether {@code path} is a mount point in this process's mount namespace. */
    public static boolean isMountPoint(Path path) throws IOException {
        String target = path.toRealPath().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && unescape(fields[4]).equals(target)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Mounts {@code bundleDir/rootfs} again over the image and the container's own upper dir when it is an
     * overlay that is not mounted: after a host reboot, mounts are gone but the bundle and its writes are
     * still on disk. Nothing to do for a mounted or copied rootfs.
     *
     * @return whether it mounted
     */
    public boolean remount(Path bundleDir) throws IOException {
        Path overlay = bundleDir.resolve("overlay");
        Path rootfs = bundleDir.resolve("rootfs");
        if (!Files.isDirectory(overlay, LinkOption.NOFOLLOW_LINKS) || isMountPoint(rootfs)) {
            return false;
        }
        Path lowerFile = overlay.resolve(LOWER_FILE);
        if (!Files.isRegularFile(lowerFile)) {
            throw new IOException("the overlay of " + bundleDir + " is not mounted and does not record its image "
                    + "(created by an older agent): delete the container and create it again");
        }
        Path base = Path.of(Files.readString(lowerFile, StandardCharsets.UTF_8));
        if (!Files.isDirectory(base)) {
            throw new IOException("the image tree " + base + " under the overlay of " + bundleDir + " is gone");
        }
        HostCommands.Result result = mount(options(base, overlay), rootfs);
        if (result.exitCode() != 0) {
            throw new IOException("remounting the overlay of " + bundleDir + ": " + result.output());
        }
        return true;
    }

    /** @return null when mounted, else why not (everything made for the attempt is removed) */
    private String mountOverlay(Path base, Path bundleDir, Path rootfs) throws IOException {
        Path overlay = bundleDir.resolve("overlay");
        Path upper = overlay.resolve("upper");
        Path work = overlay.resolve("work");
        Files.createDirectories(upper);
        Files.createDirectories(work);
        Files.createDirectories(rootfs);
        copyRootAttributes(base, upper);
        // What remount needs after a host reboot.
        Files.writeString(overlay.resolve(LOWER_FILE), base.toString(), StandardCharsets.UTF_8);
        HostCommands.Result result = mount(options(base, overlay), rootfs);
        if (result.exitCode() == 0) {
            return null;
        }
        FileTrees.delete(overlay);
        FileTrees.delete(rootfs);
        return result.output().isEmpty() ? "mount exited with " + result.exitCode() : result.output();
    }

    /** Not escaped: a path with ',' or ':' makes the mount fail (and a first mount falls back to the copy). */
    private static String options(Path base, Path overlay) {
        return "lowerdir=" + base + ",upperdir=" + overlay.resolve("upper") + ",workdir=" + overlay.resolve("work");
    }

    private HostCommands.Result mount(String options, Path rootfs) {
        HostCommands.Result result;
        if (calls.isPresent()) {
            int status = calls.get().libc().mount("overlay", rootfs.toString(), "overlay", 0, options);
            result = new HostCommands.Result(status == 0 ? 0 : -1,
                    status == 0 ? "" : "mount: " + LinuxCalls.describe(calls.get().errno()));
        } else {
            try {
                result = HostCommands.run(List.of("mount", "-t", "overlay", "overlay", "-o", options, rootfs.toString()));
            } catch (IOException e) {
                result = new HostCommands.Result(-1, e.getMessage());
            }
        }
        return result;
    }

    /** The merged root takes the upper dir's mode and owner: make them the image's. */
    private void copyRootAttributes(Path base, Path upper) throws IOException {
        FileStat stat = posix.stat(base.toString());
        if (posix.chown(upper.toString(), stat.uid(), stat.gid()) != 0
                || posix.chmod(upper.toString(), stat.mode() & 07777) != 0) {
            throw new IOException("cannot set owner and mode of " + upper + ": errno " + posix.errno());
        }
    }

    private static final Map<String, String> ESCAPES = Map.of("\\040", " ", "\\011", "\t", "\\012", "\n", "\\134", "\\");

    private static String unescape(String field) {
        String out = field;
        for (Map.Entry<String, String> e : ESCAPES.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }
}
