package dev.berth.gateway.auth;

import dev.berth.kit.auth.Access;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** A member's role in a namespace and the repository actions it allows there. */
public enum Role {
    ADMIN(Set.of(Access.PULL, Access.PUSH, Access.DELETE)),
    MAINTAINER(Set.of(Access.PULL, Access.PUSH, Access.DELETE)),
    DEVELOPER(Set.of(Access.PULL, Access.PUSH)),
    GUEST(Set.of(Access.PULL));

    private final Set<String> actions;

    Role(Set<String> actions) {
        this.actions = actions;
    }

    public Set<String> actions() {
        return actions;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> parse(String label) {
        for (Role role : values()) {
            if (role.label().equals(label)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
