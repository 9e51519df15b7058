package dev.berth.agent.host;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a program with glibc's {@code posix_spawn}, its descriptors and working directory set up by spawn file
 * actions: stdin from {@code /dev/null}, stdout and stderr appended to a file, optionally fd 3 opened on a path,
 * every other descriptor closed. The JDK's {@link ProcessBuilder} cannot hand a child a fourth descriptor, and it
 * execs a helper ({@code jspawnhelper}) before the program; for conmon that meant a helper and a shell wrapper,
 * two extra execs on every container's create path. Empty from {@link #get()} where glibc lacks
 * {@code posix_spawn_file_actions_addclosefrom_np} (2.34) or {@code addchdir_np} (2.29): callers keep their
 * {@link ProcessBuilder} path then.
 */
public final class DirectSpawn {

    private static final Logger LOG = LoggerFactory.getLogger(DirectSpawn.class);

    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0100;
    private static final int O_APPEND = 02000;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    /** Larger than glibc's posix_spawn_file_actions_t (80 bytes), posix_spawnattr_t (336) and sigset_t (128). */
    private static final int STRUCT_BYTES = 1024;

    /** The glibc functions, bound by jnr-ffi. */
    public interface SpawnLibc {
        int posix_spawn(int[] pid, String path, Pointer fileActions, Pointer attr, String[] argv, String[] envp);

        int posix_spawn_file_actions_init(Pointer fileActions);

        int posix_spawn_file_actions_destroy(Pointer fileActions);

        int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, String path, int flags, int mode);

        int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

        int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

        int posix_spawn_file_actions_addchdir_np(Pointer fileActions, String path);

        int posix_spawnattr_init(Pointer attr);

        int posix_spawnattr_destroy(Pointer attr);

        int posix_spawnattr_setflags(Pointer attr, short flags);

        int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

        int sigemptyset(Pointer sigset);

        int waitpid(int pid, int[] status, int options);
    }

    private static final Optional<DirectSpawn> INSTANCE = load();

    private final SpawnLibc libc;
    private final Runtime runtime;

    private DirectSpawn(SpawnLibc libc) {
        this.libc = libc;
        this.runtime = Runtime.getRuntime(libc);
    }

    private static Optional<DirectSpawn> load() {
        if (LinuxCalls.get().isEmpty()) {
            return Optional.empty();
        }
        try {
            DirectSpawn spawn = new DirectSpawn(LibraryLoader.create(SpawnLibc.class).load("c"));
            spawn.probe();
            return Optional.of(spawn);
        } catch (LinkageError | RuntimeException | IOException e) {
            LOG.info("no posix_spawn with closefrom and chdir actions ({}): programs start through the JDK",
                    e.toString());
            return Optional.empty();
        }
    }

    /** Binds every function once (jnr-ffi binds lazily, so a missing symbol shows here and not mid-create). */
    private void probe() throws IOException {
        Pointer actions = Memory.allocateDirect(runtime, STRUCT_BYTES);
        check("posix_spawn_file_actions_init", libc.posix_spawn_file_actions_init(actions));
        try {
            check("addclosefrom_np", libc.posix_spawn_file_actions_addclosefrom_np(actions, 3));
            check("addchdir_np", libc.posix_spawn_file_actions_addchdir_np(actions, "/"));
            check("adddup2", libc.posix_spawn_file_actions_adddup2(actions, 1, 2));
            check("addopen", libc.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0));
        } finally {
            libc.posix_spawn_file_actions_destroy(actions);
        }
        Pointer attr = Memory.allocateDirect(runtime, STRUCT_BYTES);
        check("posix_spawnattr_init", libc.posix_spawnattr_init(attr));
        libc.posix_spawnattr_destroy(attr);
    }

    /** The spawner, or empty where glibc lacks what it needs. */
    public static Optional<DirectSpawn> get() {
        return INSTANCE;
    }

    /**
     * Starts {@code argv[0]} (an absolute path) with the given environment in {@code workDir}: stdin
     * {@code /dev/null}, stdout and stderr appended to {@code output}, fd 3 opened write-only on {@code fd3}
     * when not null (a FIFO must have a reader already, or the child blocks), no other descriptor.
     *
     * @return the child's pid; reap it with {@link #awaitExit}
     */
    public int spawn(List<String> argv, Map<String, String> env, Path workDir, Path output, Path fd3)
            throws IOException {
        Pointer actions = Memory.allocateDirect(runtime, STRUCT_BYTES);
        Pointer attr = Memory.allocateDirect(runtime, STRUCT_BYTES);
        Pointer sigset = Memory.allocateDirect(runtime, STRUCT_BYTES);
        check("posix_spawn_file_actions_init", libc.posix_spawn_file_actions_init(actions));
        try {
            check("posix_spawnattr_init", libc.posix_spawnattr_init(attr));
            try {
                // the child starts with no signal blocked, whatever this JVM thread blocks
                libc.sigemptyset(sigset);
                check("setsigmask", libc.posix_spawnattr_setsigmask(attr, sigset));
                check("setflags", libc.posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK));
                check("addclosefrom_np", libc.posix_spawn_file_actions_addclosefrom_np(actions, 3));
                check("addopen stdin", libc.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0));
                check("addopen stdout", libc.posix_spawn_file_actions_addopen(actions, 1, output.toString(),
                        O_WRONLY | O_CREAT | O_APPEND, 0644));
                check("adddup2 stderr", libc.posix_spawn_file_actions_adddup2(actions, 1, 2));
                if (fd3 != null) {
                    check("addopen fd 3", libc.posix_spawn_file_actions_addopen(actions, 3, fd3.toString(), O_WRONLY, 0));
                }
                check("addchdir_np", libc.posix_spawn_file_actions_addchdir_np(actions, workDir.toString()));
                int[] pid = new int[1];
                int error = libc.posix_spawn(pid, argv.get(0), actions, attr, nullTerminated(argv), environment(env));
                if (error != 0) {
                    throw new IOException("cannot start " + argv.get(0) + ": " + LinuxCalls.describe(error));
                }
                return pid[0];
            } finally {
                libc.posix_spawnattr_destroy(attr);
            }
        } finally {
            libc.posix_spawn_file_actions_destroy(actions);
        }
    }

    /**
     * Waits for a child started by {@link #spawn} to end, and reaps it.
     *
     * @return its exit code, or 128 + the signal that ended it
     */
    public int awaitExit(int pid) throws IOException {
        int[] status = new int[1];
        while (true) {
            int result = libc.waitpid(pid, status, 0);
            if (result == pid) {
                int signal = status[0] & 0x7f;
                return signal == 0 ? (status[0] >> 8) & 0xff : 128 + signal;
            }
            int errno = jnr.ffi.LastError.getLastError(runtime);
            if (result < 0 && errno != LinuxCalls.EINTR) {
                throw new IOException("waitpid " + pid + ": " + LinuxCalls.describe(errno));
            }
        }
    }

    private static String[] nullTerminated(List<String> values) {
        return values.toArray(new String[values.size() + 1]);
    }

    private static String[] environment(Map<String, String> env) {
        List<String> entries = new ArrayList<>(env.size());
        env.forEach((key, value) -> entries.add(key + "=" + value));
        return nullTerminated(entries);
    }

    private static void check(String what, int result) throws IOException {
        if (result != 0) {
            throw new IOException(what + ": " + LinuxCalls.describe(result));
        }
    }
}
