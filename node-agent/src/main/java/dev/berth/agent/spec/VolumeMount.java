package dev.berth.agent.spec;

/**
 * A mount into the container.
 *
 * @param source   absolute host path to bind, or null for an agent-managed volume (a directory the agent
 *                 creates under its state dir, seeded from the image's content at {@code target}, removed
 *                 with the container)
 * @param target   absolute path inside the container
 * @param readOnly mount read-only
 */
public record VolumeMount(String source, String target, boolean readOnly) {
}
