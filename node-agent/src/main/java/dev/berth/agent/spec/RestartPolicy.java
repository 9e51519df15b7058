package dev.berth.agent.spec;

/**
 * Docker's restart policies: {@code no}, {@code on-failure[:max]}, {@code always}.
 *
 * @param kind       when to restart
 * @param maxRetries for {@code on-failure}: restarts allowed, 0 = unlimited
 */
public record RestartPolicy(Kind kind, int maxRetries) {
    public enum Kind { NO, ON_FAILURE, ALWAYS }

    public static final RestartPolicy NO = new RestartPolicy(Kind.NO, 0);
}
