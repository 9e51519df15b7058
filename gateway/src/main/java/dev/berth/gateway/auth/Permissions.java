package dev.berth.gateway.auth;

import dev.berth.kit.auth.Access;
import dev.berth.kit.auth.RequiredAccess;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a principal may do to a repository, decided by the repository's namespace (its first path
 * component; a one-component name is its own namespace):
 * system admins everything (a missing namespace is created on push); members their role's
 * actions; everyone pull on a public namespace; a user everything in a namespace named after them
 * (created, private, on the first push); a robot its actions in its own namespace until it expires.
 */
public final class Permissions {

    private static final Set<String> ALL = Set.of(Access.PULL, Access.PUSH, Access.DELETE);

    private final IdentityStore store;
    private final Clock clock;

    public Permissions(IdentityStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public static String namespaceOf(String repository) {
        int slash = repository.indexOf('/');
        return slash < 0 ? repository : repository.substring(0, slash);
    }

    /** The repository actions {@code principal} has on {@code repository}. */
    public Future<Set<String>> allowed(Principal principal, String repository) {
        String namespace = namespaceOf(repository);
        if (principal instanceof Principal.Robot robot && robot.expired(clock.instant())) {
            return Future.succeededFuture(Set.of());
        }
        return store.namespace(namespace, principal).map(found -> actions(principal, namespace, found));
    }

    private static Set<String> actions(Principal principal, String namespace, Optional<IdentityStore.NamespaceAccess> found) {
        if (principal.systemAdmin()) {
            return ALL;
        }
        if (found.isEmpty()) {
            return principal instanceof Principal.User u && u.name().equals(namespace) ? ALL : Set.of();
        }
        IdentityStore.NamespaceAccess ns = found.get();
        Set<String> out = new HashSet<>();
        if (ns.isPublic()) {
            out.add(Access.PULL);
        }
        ns.role().ifPresent(role -> out.addAll(role.actions()));
        if (principal instanceof Principal.Robot robot && robot.namespace().equals(namespace)) {
            out.addAll(robot.actions());
        }
        return out;
    }

    /**
     * What of {@code requested} to grant: the intersection with what is allowed, never an error.
     * Creates the namespace when push is granted on one that does not exist yet.
     */
    public Future<List<Access>> grant(Principal principal, List<Access> requested) {
        Future<List<Access>> out = Future.succeededFuture(new java.util.ArrayList<>());
        for (Access asked : requested) {
            out = out.compose(granted -> grantOne(principal, asked).map(entry -> {
                entry.ifPresent(granted::add);
                return granted;
            }));
        }
        return out;
    }

    private Future<Optional<Access>> grantOne(Principal principal, Access asked) {
        if (asked.type().equals(Access.REGISTRY) && asked.name().equals("catalog")) {
            // Everyone may list; the gateway filters the catalog to what the caller may pull.
            return Future.succeededFuture(Optional.of(Access.CATALOG));
        }
        if (!asked.type().equals(Access.REPOSITORY) || !RequiredAccess.validName(asked.name())) {
            return Future.succeededFuture(Optional.empty());
        }
        return allowed(principal, asked.name()).compose(allowed -> {
            Set<String> actions = new HashSet<>();
            for (String action : asked.actions()) {
                if (action.equals(Access.ANY)) {
                    actions.addAll(allowed);
                } else if (allowed.contains(action)) {
                    actions.add(action);
                }
            }
            if (actions.isEmpty()) {
                return Future.succeededFuture(Optional.<Access>empty());
            }
            Access entry = new Access(Access.REPOSITORY, asked.name(), actions);
            if (!actions.contains(Access.PUSH) || !(principal instanceof Principal.User user)) {
                return Future.succeededFuture(Optional.of(entry));
            }
            return store.ensureNamespace(namespaceOf(asked.name()), user.systemAdmin() ? null : user)
                    .map(v -> Optional.of(entry));
        });
    }
}
