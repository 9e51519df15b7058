package dev.berth.oci.layer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import jnr.ffi.LibraryLoader;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * The file operations Java's NIO cannot do: full mode bits (setuid, setgid, sticky), ownership of
 * symlinks, device nodes, FIFOs and arbitrary xattrs. Uses jnr-posix and, for what it lacks (mknod,
 * lsetxattr), a direct libc binding. When neither native path works, it degrades to NIO and reports
 * what it cannot do.
 */
final class NativeFilesystem {

    /** The libc calls jnr-posix does not expose. */
    public interface LibC {
        int mknod(String path, int mode, long dev);

        int lsetxattr(String path, String name, byte[] value, long size, int flags);
    }

    static final int S_IFCHR = 0020000;
    static final int S_IFBLK = 0060000;
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;

    private static final PosixFilePermission[] PERMISSION_BITS = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

    private final POSIX posix;
    private final LibC libc;
    private final boolean root;

    private NativeFilesystem(POSIX posix, LibC libc, boolean root) {
        this.posix = posix;
        this.libc = libc;
        this.root = root;
    }

    static NativeFilesystem load() {
        POSIX posix = POSIXFactory.getNativePOSIX();
        if (!posix.isNative()) {
            return new NativeFilesystem(null, null, false);
        }
        LibC libc;
        try {
            libc = LibraryLoader.create(LibC.class).load("c");
        } catch (RuntimeException | LinkageError e) {
            libc = null;
        }
        return new NativeFilesystem(posix, libc, posix.geteuid() == 0);
    }

    /** The same calls, acting as an unprivileged user would: what a rootless node agent gets. */
    NativeFilesystem withoutRoot() {
        return new NativeFilesystem(posix, libc, false);
    }

    /** Running as root: ownership is applied and device nodes may be created. */
    boolean isRoot() {
        return root;
    }

    void lchown(Path path, long uid, long gid) throws IOException {
        if (posix.lchown(path.toString(), (int) uid, (int) gid) != 0) {
            throw failure("lchown", path);
        }
    }

    /** Sets all twelve mode bits; NIO alone can only set the nine permission bits. */
    void chmod(Path path, int mode) throws IOException {
        if (posix != null) {
            if (posix.chmod(path.toString(), mode & 07777) != 0) {
                throw failure("chmod", path);
            }
            return;
        }
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < PERMISSION_BITS.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                perms.add(PERMISSION_BITS[bit]);
            }
        }
        Files.setPosixFilePermissions(path, perms);
    }

    boolean canMakeNodes() {
        return root && libc != null;
    }

    void mknod(Path path, int type, int mode, int major, int minor) throws IOException {
        if (libc.mknod(path.toString(), type | (mode & 07777), makedev(major, minor)) != 0) {
            int errno = jnr.ffi.Runtime.getRuntime(libc).getLastError();
            throw new IOException("mknod " + path + " failed: errno " + errno);
        }
    }

    boolean canMakeFifos() {
        return posix != null;
    }

    void mkfifo(Path path, int mode) throws IOException {
        if (posix.mkfifo(path.toString(), mode & 07777) != 0) {
            throw failure("mkfifo", path);
        }
    }

    /**
     * Sets times on the path itself without opening it (opening a FIFO blocks); false when there is
     * no native support and the caller must fall back.
     */
    boolean setTimes(Path path, FileTime atime, FileTime mtime) throws IOException {
        if (posix == null) {
            return false;
        }
        long[] a = {atime.to(TimeUnit.SECONDS), atime.toInstant().getNano()};
        long[] m = {mtime.to(TimeUnit.SECONDS), mtime.toInstant().getNano()};
        if (posix.utimensat(AT_FDCWD, path.toString(), a, m, AT_SYMLINK_NOFOLLOW) != 0) {
            throw failure("utimensat", path);
        }
        return true;
    }

    /** Sets an xattr on the path itself (never through a symlink); false when it cannot be set here. */
    boolean setXattr(Path path, String name, byte[] value) {
        if (libc != null) {
            return libc.lsetxattr(path.toString(), name, value, value.length, 0) == 0;
        }
        if (!name.startsWith("user.")) {
            return false;
        }
        try {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(
                    path, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            if (view == null) {
                return false;
            }
            view.write(name.substring("user.".length()), ByteBuffer.wrap(value));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** glibc's makedev: 12+20 bit major, 20+12 bit minor. */
    static long makedev(long major, long minor) {
        return ((major & 0xfffL) << 8) | ((major & 0xfffff000L) << 32)
                | (minor & 0xffL) | ((minor & 0xffffff00L) << 12);
    }

    private IOException failure(String call, Path path) {
        int errno = posix.errno();
        return new IOException(call + " " + path + " failed: errno " + errno);
    }
}
