package dev.berth.agent.spec;

import java.util.List;

/** The runtime spec's hook points, each run in list order. */
public record Hooks(List<Hook> createRuntime, List<Hook> createContainer, List<Hook> startContainer,
                    List<Hook> poststart, List<Hook> poststop) {
    public static final Hooks NONE = new Hooks(null, null, null, null, null);

    public Hooks {
        createRuntime = createRuntime == null ? List.of() : List.copyOf(createRuntime);
        createContainer = createContainer == null ? List.of() : List.copyOf(createContainer);
        startContainer = startContainer == null ? List.of() : List.copyOf(startContainer);
        poststart = poststart == null ? List.of() : List.copyOf(poststart);
        poststop = poststop == null ? List.of() : List.copyOf(poststop);
    }
}
