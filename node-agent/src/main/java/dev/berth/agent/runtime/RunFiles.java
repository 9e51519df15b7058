package dev.berth.agent.runtime;

import java.nio.file.Path;

/**
 * The files conmon and runc keep for one container, all inside the container's directory.
 *
 * @param bundle        the OCI bundle (config.json, rootfs); conmon also puts its {@code ctl} FIFO here
 * @param logFile       conmon's k8s-format log of stdout and stderr
 * @param persistDir    conmon's {@code --persist-dir}: {@code exit} (exit code) and {@code oom} (present after an OOM kill)
 * @param exitDir       conmon's {@code --exit-dir}: a file named after the container id, written at exit
 * @param conmonPidFile pid of the daemonized conmon
 * @param pidFile       pid of the container's init process (written by runc)
 * @param syncFile      what conmon reports through {@code _OCI_SYNCPIPE}: {@code {"data": pid}} or {@code {"data": -1, "message": ...}}
 * @param conmonOutput  conmon's own stdout and stderr
 */
public record RunFiles(Path bundle, Path logFile, Path persistDir, Path exitDir, Path conmonPidFile, Path pidFile,
                       Path syncFile, Path conmonOutput) {

    /** The standard layout inside {@code dir}. */
    public static RunFiles in(Path dir) {
        return new RunFiles(dir.resolve("bundle"), dir.resolve("container.log"), dir.resolve("exit"),
                dir.resolve("exit"), dir.resolve("conmon.pid"), dir.resolve("container.pid"),
                dir.resolve("conmon.sync"), dir.resolve("conmon.out"));
    }
}
