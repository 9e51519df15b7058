package dev.berth.gateway.auth;

import dev.berth.gateway.Caller;
import java.time.Instant;
import java.util.Set;

/** Who a request acts as, once credentials or a token have been checked against the database. */
public sealed interface Principal {

    /** User or robot name; empty when anonymous. */
    String name();

    Caller caller();

    record User(long id, String name, boolean systemAdmin) implements Principal {
        @Override
        public Caller caller() {
            return new Caller(name, "user");
        }
    }

    /** A robot account, confined to {@code namespace} and to {@code actions} there. */
    record Robot(long id, String name, String namespace, Set<String> actions, Instant expiresAt) implements Principal {
        public Robot {
            actions = Set.copyOf(actions);
        }

        public boolean expired(Instant now) {
            return expiresAt != null && !expiresAt.isAfter(now);
        }

        @Override
        public Caller caller() {
            return new Caller(name, "robot");
        }
    }

    record Anonymous() implements Principal {
        @Override
        public String name() {
            return "";
        }

        @Override
        public Caller caller() {
            return Caller.ANONYMOUS;
        }
    }

    Principal ANONYMOUS = new Anonymous();

    default boolean systemAdmin() {
        return this instanceof User u && u.systemAdmin();
    }
}
