package dev.berth.agent.spec;

import java.util.List;
import java.util.Map;

/**
 * What a client asks the agent to run: the body of {@code POST /v1/containers}, after validation.
 * A null override means "take the image's value" (Entrypoint, Cmd, WorkingDir, User).
 *
 * @param name          unique name on this node, or null to use the generated id
 * @param image         image reference, e.g. {@code 127.0.0.1:5000/team/app:1.0} or {@code ...@sha256:...}
 * @param entrypoint    replaces the image's Entrypoint (and drops its Cmd unless {@code args} is given)
 * @param args          replaces the image's Cmd
 * @param env           merged over the image's Env, by variable name
 * @param workingDir    absolute path inside the container
 * @param user          {@code user}, {@code uid}, {@code user:group}, {@code uid:gid}, ... resolved against the image
 * @param volumes       bind mounts from the host, or agent-managed volumes when {@code source} is null
 * @param resources     cgroup limits; fields null when unlimited
 * @param restartPolicy what to do when the process exits
 * @param hooks         OCI hooks written into the bundle's config.json
 * @param labels        free-form labels, kept with the container and written as annotations
 * @param seccomp       {@link #SECCOMP_DEFAULT} (the agent's profile) or {@link #SECCOMP_UNCONFINED} (no filter)
 */
public record ContainerSpec(
        String name,
        String image,
        List<String> entrypoint,
        List<String> args,
        Map<String, String> env,
        String workingDir,
        String user,
        List<VolumeMount> volumes,
        Resources resources,
        RestartPolicy restartPolicy,
        Hooks hooks,
        Map<String, String> labels,
        String seccomp) {

    public static final String SECCOMP_DEFAULT = "default";
    public static final String SECCOMP_UNCONFINED = "unconfined";

    /** A spec under the default seccomp profile. */
    public ContainerSpec(String name, String image, List<String> entrypoint, List<String> args,
            Map<String, String> env, String workingDir, String user, List<VolumeMount> volumes, Resources resources,
            RestartPolicy restartPolicy, Hooks hooks, Map<String, String> labels) {
        this(name, image, entrypoint, args, env, workingDir, user, volumes, resources, restartPolicy, hooks, labels,
                SECCOMP_DEFAULT);
    }

    public ContainerSpec {
        seccomp = seccomp == null ? SECCOMP_DEFAULT : seccomp;
        env = env == null ? Map.of() : Map.copyOf(env);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        resources = resources == null ? Resources.UNLIMITED : resources;
        restartPolicy = restartPolicy == null ? RestartPolicy.NO : restartPolicy;
        hooks = hooks == null ? Hooks.NONE : hooks;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
        args = args == null ? null : List.copyOf(args);
    }
}
