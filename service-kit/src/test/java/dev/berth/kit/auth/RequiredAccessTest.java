package dev.berth.kit.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequiredAccessTest {

    private static final String DIGEST = "sha256:" + "a".repeat(64);

    @Test
    void readsTheScopeFromMethodAndPath() {
        assertThat(RequiredAccess.of("GET", "/v2/", null, null)).isEmpty();
        assertThat(RequiredAccess.of("GET", "/v2/team/app/manifests/latest", null, null))
                .containsExactly(Access.repository("team/app", "pull"));
        assertThat(RequiredAccess.of("HEAD", "/v2/a/b/c/blobs/" + DIGEST, null, null))
                .containsExactly(Access.repository("a/b/c", "pull"));
        assertThat(RequiredAccess.of("PUT", "/v2/team/app/manifests/1.0", null, null))
                .containsExactly(Access.repository("team/app", "push"));
        assertThat(RequiredAccess.of("DELETE", "/v2/team/app/manifests/" + DIGEST, null, null))
                .containsExactly(Access.repository("team/app", "delete"));
        assertThat(RequiredAccess.of("PATCH", "/v2/team/app/blobs/uploads/u-1", null, null))
                .containsExactly(Access.repository("team/app", "push"));
        assertThat(RequiredAccess.of("DELETE", "/v2/team/app/blobs/uploads/u-1", null, null))
                .containsExactly(Access.repository("team/app", "push"));
        assertThat(RequiredAccess.of("GET", "/v2/team/app/tags/list", null, null))
                .containsExactly(Access.repository("team/app", "pull"));
        assertThat(RequiredAccess.of("GET", "/v2/team/app/referrers/" + DIGEST, null, null))
                .containsExactly(Access.repository("team/app", "pull"));
        assertThat(RequiredAccess.of("GET", "/v2/_catalog", null, null)).containsExactly(Access.CATALOG);
        assertThat(RequiredAccess.of("GET", "/api/v1/webhooks", null, null)).containsExactly(Access.ADMIN_API);
    }

    @Test
    void aMountNeedsPullOnTheSource() {
        assertThat(RequiredAccess.of("POST", "/v2/to/app/blobs/uploads/", DIGEST, "from/base"))
                .containsExactly(Access.repository("to/app", "push"), Access.repository("from/base", "pull"));
        assertThat(RequiredAccess.of("POST", "/v2/to/app/blobs/uploads/", null, null))
                .containsExactly(Access.repository("to/app", "push"));
    }

    @Test
    void aRepositoryNamedLikeARouteKeepsItsShortestReading() {
        assertThat(RequiredAccess.repository("/v2/a/blobs/b/manifests/latest")).contains("a/blobs/b");
        assertThat(RequiredAccess.repository("/v2/_catalog")).isEmpty();
    }

    @Test
    void readsNamesAsTheRegistryRoutesDo() {
        // As the registry's manifest route reads it: repository a/blobs/uploads, reference y.
        assertThat(RequiredAccess.repository("/v2/a/blobs/uploads/manifests/y")).contains("a/blobs/uploads");
        assertThat(RequiredAccess.repository("/v2/a/blobs/uploads/")).contains("a");
        assertThat(RequiredAccess.repository("/v2/a/blobs/not-a-digest")).isEmpty();
        assertThat(RequiredAccess.validName("team/app")).isTrue();
        assertThat(RequiredAccess.validName("team/../app")).isFalse();
        assertThat(RequiredAccess.validName("Team/app")).isFalse();
    }

    @Test
    void theRegistryDemandsAnAdminTokenForItsUnfilteredCatalog() {
        assertThat(RequiredAccess.atRegistry("GET", "/v2/_catalog", null, null))
                .containsExactly(Access.CATALOG, Access.ADMIN_API);
    }

    @Test
    void coverageNeedsEveryActionAndTheExactName() {
        List<Access> granted = List.of(Access.repository("team/app", "pull", "push"));
        assertThat(Access.covers(granted, Access.repository("team/app", "pull", "push"))).isTrue();
        assertThat(Access.covers(granted, Access.repository("team/app", "delete"))).isFalse();
        assertThat(Access.covers(granted, Access.repository("team/app2", "pull"))).isFalse();
        assertThat(Access.covers(List.of(new Access("repository", "team/app", Set.of("*"))),
                Access.repository("team/app", "delete"))).isTrue();
        assertThat(Access.covers(List.of(Access.ADMIN_API), Access.CATALOG)).isFalse();
        assertThat(Access.covers(List.of(Access.ADMIN_API), Access.ADMIN_API)).isTrue();
    }

    @Test
    void parsesScopes() {
        assertThat(Access.parseScope("repository:127.0.0.1:5000/team/app:pull,push"))
                .isEqualTo(Access.repository("127.0.0.1:5000/team/app", "pull", "push"));
        assertThat(Access.parseScope("registry:catalog:*")).isEqualTo(Access.CATALOG);
        assertThat(Access.parseScope("nonsense")).isNull();
        assertThat(Access.parseScope("repository::pull")).isNull();
        assertThat(Access.repository("x", "push", "pull").scope()).isEqualTo("repository:x:pull,push");
    }
}
