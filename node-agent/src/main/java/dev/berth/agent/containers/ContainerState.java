package dev.berth.agent.containers;

import java.util.Locale;

/** The OCI runtime states a container goes through, plus {@code creating} while its bundle is prepared. */
public enum ContainerState {
    CREATING, CREATED, RUNNING, STOPPED;

    /** The lowercase name used in JSON. */
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ContainerState fromJson(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }

    /** A runc container with a live process (or one waiting to start) exists. */
    public boolean active() {
        return this == CREATED || this == RUNNING;
    }
}
