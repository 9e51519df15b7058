package dev.berth.agent.spec;

import java.util.List;

/**
 * One OCI runtime-spec hook ({@code config.json} "hooks" entry).
 *
 * @param path    absolute path of the executable on the host
 * @param args    argv including argv[0], or empty for just the path
 * @param env     {@code KEY=value} entries
 * @param timeout seconds, or null for none
 */
public record Hook(String path, List<String> args, List<String> env, Integer timeout) {
    public Hook {
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? List.of() : List.copyOf(env);
    }
}
