package dev.berth.agent.host;

import java.io.IOException;
import java.util.Optional;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few Linux system calls the agent makes itself instead of forking a program for them: {@code mount} and
 * {@code umount2} for a container's overlay rootfs, and {@code open}/{@code poll}/{@code read} on the FIFOs
 * conmon and runc talk through. Each fork+exec of a tool costs milliseconds on a container's start path;
 * a call costs microseconds. Empty from {@link #get()} where the native library cannot be loaded: callers
 * keep their fork-a-tool path for that case.
 */
public final class LinuxCalls {

    private static final Logger LOG = LoggerFactory.getLogger(LinuxCalls.class);

    // Linux values, the same on x86_64 and aarch64.
    public static final int O_RDONLY = 0;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;
    public static final int MNT_DETACH = 2;
    public static final short POLLIN = 0x1;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;
    public static final int ENOENT = 2;

    /** The libc functions, bound by jnr-ffi. */
    public interface Libc {
        int mount(String source, String target, String type, long flags, String data);

        int umount2(String target, int flags);

        int open(String path, int flags, int mode);

        int close(int fd);

        long read(int fd, byte[] buffer, long count);

        int mkfifo(String path, int mode);

        /** {@code fds}: {@code struct pollfd} entries (int fd, short events, short revents), native byte order. */
        int poll(byte[] fds, long count, int timeoutMillis);
    }

    private static final Optional<LinuxCalls> INSTANCE = load();

    private final Libc libc;
    private final Runtime runtime;

    private LinuxCalls(Libc libc) {
        this.libc = libc;
        this.runtime = Runtime.getRuntime(libc);
    }

    private static Optional<LinuxCalls> load() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new LinuxCalls(LibraryLoader.create(Libc.class).load("c")));
        } catch (LinkageError | RuntimeException e) {
            LOG.warn("no native libc ({}): mounts and runtime FIFOs fall back to host programs", e.toString());
            return Optional.empty();
        }
    }

    /** The calls, or empty when libc could not be bound. */
    public static Optional<LinuxCalls> get() {
        return INSTANCE;
    }

    public Libc libc() {
        return libc;
    }

    /** errno of this thread's last call. */
    public int errno() {
        return LastError.getLastError(runtime);
    }

    /** {@code strerror}-like text for an errno, for messages. */
    public static String describe(int errno) {
        return switch (errno) {
            case 1 -> "EPERM (operation not permitted)";
            case ENOENT -> "ENOENT (no such file or directory)";
            case EINTR -> "EINTR";
            case EAGAIN -> "EAGAIN";
            case 13 -> "EACCES (permission denied)";
            case EBUSY -> "EBUSY (busy)";
            case 19 -> "ENODEV (no such filesystem type)";
            case EINVAL -> "EINVAL (invalid argument)";
            default -> "errno " + errno;
        };
    }

    /**
     * Opens {@code path} for reading without blocking (a FIFO without a writer yet opens at once), close-on-exec.
     *
     * @return the fd
     */
    public int openReadNonBlocking(String path) throws IOException {
        int fd = libc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("open " + path + ": " + describe(errno()));
        }
        return fd;
    }

    /**
     * Waits up to {@code timeoutMillis} for {@code fd} to be readable or hung up.
     *
     * @return the {@code revents} bits, 0 on timeout (or an interrupted wait)
     */
    public short pollIn(int fd, int timeoutMillis) throws IOException {
        byte[] pollfd = new byte[8];
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(pollfd).order(java.nio.ByteOrder.nativeOrder());
        buffer.putInt(0, fd).putShort(4, POLLIN);
        int n = libc.poll(pollfd, 1, timeoutMillis);
        if (n < 0) {
            int errno = errno();
            if (errno == EINTR) {
                return 0;
            }
            throw new IOException("poll: " + describe(errno));
        }
        return n == 0 ? 0 : buffer.getShort(6);
    }

    /**
     * One non-blocking read.
     *
     * @return bytes read, 0 at end of file (no writer left), -1 when nothing is there yet
     */
    public int readSome(int fd, byte[] into) throws IOException {
        long n = libc.read(fd, into, into.length);
        if (n >= 0) {
            return (int) n;
        }
        int errno = errno();
        if (errno == EAGAIN || errno == EINTR) {
            return -1;
        }
        throw new IOException("read: " + describe(errno));
    }

    public void closeQuietly(int fd) {
        if (fd >= 0) {
            libc.close(fd);
        }
    }
}
