package dev.berth.agent.rootfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Optional;
import jnr.posix.FileStat;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both rootfs paths on this machine: overlayfs (we run as root) and the copy. */
class ContainerRootfsTest {

    private static final POSIX POSIX_CALLS = POSIXFactory.getNativePOSIX();

    @TempDir
    Path tmp;
    Path base;

    @BeforeEach
    void baseRootfs() throws Exception {
        assumeRoot();
        base = Files.createDirectories(tmp.resolve("base"));
        Files.createDirectories(base.resolve("etc"));
        Files.writeString(base.resolve("etc/hostname"), "image\n");
        Files.writeString(base.resolve("bin-tool"), "#!/bin/sh\n");
        POSIX_CALLS.chmod(base.resolve("bin-tool").toString(), 04755);
        Files.writeString(base.resolve("owned"), "owned\n");
        POSIX_CALLS.chown(base.resolve("owned").toString(), 1234, 5678);
        Files.createSymbolicLink(base.resolve("link"), Path.of("/etc/hostname"));
        Files.createLink(base.resolve("etc/hardlink"), base.resolve("etc/hostname"));
        POSIX_CALLS.chmod(base.toString(), 0711);
    }

    @ParameterizedTest
    @EnumSource(RootfsMode.class)
    void writesStayInTheirOwnContainer(RootfsMode mode) throws Exception {
        ContainerRootfs rootfs = new ContainerRootfs(mode);
        Path one = Files.createDirectories(tmp.resolve("bundles/one"));
        Path two = Files.createDirectories(tmp.resolve("bundles/two"));
        assertThat(rootfs.prepare(base, one)).isEqualTo(mode);
        assertThat(rootfs.prepare(base, two)).isEqualTo(mode);
        try {
            assertThat(ContainerRootfs.isMountPoint(one.resolve("rootfs"))).isEqualTo(mode == RootfsMode.OVERLAY);
            Files.writeString(one.resolve("rootfs/new-file"), "mine");
            Files.writeString(one.resolve("rootfs/etc/hostname"), "changed\n");
            Files.delete(one.resolve("rootfs/owned"));

            assertThat(base.resolve("new-file")).doesNotExist();
            assertThat(two.resolve("rootfs/new-file")).doesNotExist();
            assertThat(base.resolve("etc/hostname")).hasContent("image");
            assertThat(two.resolve("rootfs/etc/hostname")).hasContent("image");
            assertThat(base.resolve("owned")).exists();
            assertThat(two.resolve("rootfs/owned")).exists();
            assertSameTree(two.resolve("rootfs"));
        } finally {
            rootfs.release(one);
            rootfs.release(two);
        }
        assertThat(ContainerRootfs.isMountPoint(one.resolve("rootfs"))).isFalse();
        FileTrees.delete(one);
        assertThat(base.resolve("etc/hostname")).hasContent("image");
    }

    @Test
    void withoutNativeCallsTheMountProgramsAreUsed() throws Exception {
        ContainerRootfs rootfs = new ContainerRootfs(RootfsMode.OVERLAY, Optional.empty());
        Path bundle = Files.createDirectories(tmp.resolve("bundle"));

        assertThat(rootfs.prepare(base, bundle)).isEqualTo(RootfsMode.OVERLAY);
        assertThat(ContainerRootfs.isMountPoint(bundle.resolve("rootfs"))).isTrue();
        assertSameTree(bundle.resolve("rootfs"));
        rootfs.release(bundle);
        assertThat(ContainerRootfs.isMountPoint(bundle.resolve("rootfs"))).isFalse();
    }

    @Test
    void releasingWhatIsNotMountedOrNotThereIsANoOp() throws Exception {
        ContainerRootfs rootfs = new ContainerRootfs(RootfsMode.OVERLAY);
        Path bundle = Files.createDirectories(tmp.resolve("bundle"));
        rootfs.release(bundle); // no rootfs dir
        Files.createDirectories(bundle.resolve("rootfs"));
        rootfs.release(bundle); // a plain dir
        assertThat(rootfs.prepare(base, bundle)).isEqualTo(RootfsMode.OVERLAY);
        rootfs.release(bundle);
        rootfs.release(bundle); // twice
        assertThat(ContainerRootfs.isMountPoint(bundle.resolve("rootfs"))).isFalse();
    }

    @Test
    void anOverlayWhoseMountIsGoneIsMountedAgainWithTheContainersWrites() throws Exception {
        ContainerRootfs rootfs = new ContainerRootfs(RootfsMode.OVERLAY);
        Path bundle = Files.createDirectories(tmp.resolve("bundle"));
        assertThat(rootfs.prepare(base, bundle)).isEqualTo(RootfsMode.OVERLAY);
        Files.writeString(bundle.resolve("rootfs/written-by-the-container"), "kept");
        Files.delete(bundle.resolve("rootfs/owned"));
        assertThat(rootfs.remount(bundle)).as("still mounted: nothing to do").isFalse();

        rootfs.release(bundle); // what a host reboot does to the mount
        assertThat(bundle.resolve("rootfs/etc/hostname")).doesNotExist();

        try {
            assertThat(rootfs.remount(bundle)).isTrue();
            assertThat(ContainerRootfs.isMountPoint(bundle.resolve("rootfs"))).isTrue();
            assertThat(bundle.resolve("rootfs/written-by-the-container")).hasContent("kept");
            assertThat(bundle.resolve("rootfs/owned")).doesNotExist();
            assertThat(bundle.resolve("rootfs/etc/hostname")).hasContent("image");
        } finally {
            rootfs.release(bundle);
        }
        Path copied = Files.createDirectories(tmp.resolve("copied"));
        new ContainerRootfs(RootfsMode.COPY).prepare(base, copied);
        assertThat(rootfs.remount(copied)).as("a copied rootfs is never mounted").isFalse();
    }

    @Test
    void theCopyKeepsXattrsWhereTheFilesystemHasThem() throws Exception {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(base.resolve("owned"),
                UserDefinedFileAttributeView.class);
        try {
            view.write("berth.test", ByteBuffer.wrap("yes".getBytes(StandardCharsets.UTF_8)));
        } catch (Exception unsupported) {
            assumeTrue(false, "user xattrs are not supported on " + tmp + ": " + unsupported);
        }
        Path bundle = Files.createDirectories(tmp.resolve("bundle"));
        new ContainerRootfs(RootfsMode.COPY).prepare(base, bundle);
        UserDefinedFileAttributeView copied = Files.getFileAttributeView(bundle.resolve("rootfs/owned"),
                UserDefinedFileAttributeView.class);
        ByteBuffer value = ByteBuffer.allocate(16);
        copied.read("berth.test", value);
        assertThat(new String(value.array(), 0, value.position(), StandardCharsets.UTF_8)).isEqualTo("yes");
    }

    @Test
    void whenTheOverlayMountFailsTheImageIsCopied() throws Exception {
        // overlayfs options are comma-separated: a comma in the bundle path makes the mount fail.
        Path bundle = Files.createDirectories(tmp.resolve("bad,path"));
        RootfsMode used = new ContainerRootfs(RootfsMode.OVERLAY).prepare(base, bundle);

        assertThat(used).isEqualTo(RootfsMode.COPY);
        assertThat(ContainerRootfs.isMountPoint(bundle.resolve("rootfs"))).isFalse();
        assertThat(bundle.resolve("overlay")).doesNotExist();
        assertSameTree(bundle.resolve("rootfs"));
    }

    /** Content, modes (setuid too), ownership, symlinks and hardlinks as in the base. */
    private void assertSameTree(Path copy) throws Exception {
        assertThat(copy.resolve("etc/hostname")).hasContent("image");
        assertThat(POSIX_CALLS.stat(copy.resolve("bin-tool").toString()).mode() & 07777).isEqualTo(04755);
        FileStat owned = POSIX_CALLS.stat(copy.resolve("owned").toString());
        assertThat(owned.uid()).isEqualTo(1234);
        assertThat(owned.gid()).isEqualTo(5678);
        assertThat(Files.readSymbolicLink(copy.resolve("link"))).isEqualTo(Path.of("/etc/hostname"));
        assertThat(Files.isSameFile(copy.resolve("etc/hardlink"), copy.resolve("etc/hostname"))).isTrue();
        assertThat(POSIX_CALLS.stat(copy.toString()).mode() & 07777).isEqualTo(0711);
        assertThat(Files.isSymbolicLink(copy)).isFalse();
        assertThat(Files.exists(copy.resolve("link"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }

    static void assumeRoot() {
        if (POSIX_CALLS.geteuid() != 0) {
            dev.berth.infra.HostTools.unavailable("rootfs tests need root (ownership, mount)");
        }
    }
}
