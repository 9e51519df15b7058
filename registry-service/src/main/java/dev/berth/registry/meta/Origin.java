package dev.berth.registry.meta;

/** Who caused a change and in which request: carried into the events the change emits. */
public record Origin(String actor, String requestId) {

    public static final String ANONYMOUS = "anonymous";
}
