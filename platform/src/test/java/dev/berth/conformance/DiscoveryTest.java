package dev.berth.conformance;

import static dev.berth.conformance.RegistryErrors.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.berth.conformance.TestContent.Image;
import dev.berth.testing.RegistryAddress;
import dev.berth.testing.RegistryUnderTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Content discovery: the tag list (end-8a, end-8b) and the repository catalog, with their pagination. */
@ExtendWith(RegistryUnderTest.class)
class DiscoveryTest {

    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

    /**
     * Pushed in this scrambled order. Lower-case letters, digits, '.' and '-' only, so the spec's
     * "lexical (case-insensitive)" order and plain byte order agree.
     */
    private static final List<String> TAGS = List.of("latest", "1.0", "v2", "0.9", "beta", "1.0-rc1", "alpha", "v10");
    private static final List<String> SORTED_TAGS = TAGS.stream().sorted().toList();

    private final RegistryHttp http;

    DiscoveryTest(RegistryAddress registry) {
        this.http = new RegistryHttp(registry);
    }

    private String repositoryWithTags() {
        String repository = TestContent.uniqueRepository("tags");
        Image image = TestContent.ociImage();
        http.pushImage(repository, TAGS.get(0), image);
        TAGS.subList(1, TAGS.size()).forEach(tag -> http.pushManifest(repository, tag, image.manifest()));
        return repository;
    }

    private static JsonObject json(HttpResponse<byte[]> response) {
        assertThat(response.statusCode()).as("status of %s (body: %s)", response.uri(), RegistryHttp.bodyText(response))
                .isEqualTo(200);
        return new JsonObject(RegistryHttp.bodyText(response));
    }

    /** A missing or null list reads as empty: registries differ in how they write "no tags". */
    private static List<String> strings(JsonObject body, String field) {
        JsonArray array = body.getJsonArray(field);
        return array == null ? List.of() : array.stream().map(String.class::cast).toList();
    }

    private static Optional<String> nextLink(HttpResponse<byte[]> response) {
        return response.headers().firstValue("Link").map(link -> {
            Matcher matcher = NEXT_LINK.matcher(link);
            assertThat(matcher.find()).as("Link header %s has a rel=\"next\" target", link).isTrue();
            return matcher.group(1);
        });
    }

    @Test
    void tagListHoldsEveryTagInLexicalOrder() {
        String repository = repositoryWithTags();

        JsonObject body = json(http.get("/v2/" + repository + "/tags/list"));

        assertThat(body.getString("name")).isEqualTo(repository);
        assertThat(strings(body, "tags")).containsExactlyElementsOf(SORTED_TAGS);
    }

    @Test
    void followingLinkHeadersVisitsEveryTagOnceInOrder() {
        String repository = repositoryWithTags();
        List<String> visited = new ArrayList<>();
        String next = "/v2/" + repository + "/tags/list?n=3";
        int pages = 0;

        while (next != null) {
            assertThat(++pages).as("pages walked").isLessThanOrEqualTo(TAGS.size() + 1);
            HttpResponse<byte[]> page = http.get(next);
            List<String> tags = strings(json(page), "tags");
            assertThat(tags.size()).as("tags on page %s", next).isLessThanOrEqualTo(3);
            Optional<String> link = nextLink(page);
            if (link.isPresent()) {
                assertThat(link.get()).startsWith("/v2/" + repository + "/tags/list?");
            } else if (visited.size() + tags.size() < TAGS.size()) {
                // Without a Link, a short page claims to be the last one.
                assertThat(tags).as("a page without Link holds n tags unless it is the last").hasSize(3);
            }
            visited.addAll(tags);
            next = link.orElse(null);
        }

        assertThat(visited).containsExactlyElementsOf(SORTED_TAGS);
    }

    @Test
    void lastReturnsTheTagsAfterIt() {
        String repository = repositoryWithTags();
        String last = SORTED_TAGS.get(2);

        JsonObject limited = json(http.get("/v2/" + repository + "/tags/list?n=2&last=" + last));
        JsonObject unlimited = json(http.get("/v2/" + repository + "/tags/list?last=" + last));

        assertThat(strings(limited, "tags")).containsExactlyElementsOf(SORTED_TAGS.subList(3, 5));
        assertThat(strings(unlimited, "tags")).containsExactlyElementsOf(SORTED_TAGS.subList(3, SORTED_TAGS.size()));
    }

    @Test
    void nEqualToZeroReturnsAnEmptyListWithoutLink() {
        String repository = repositoryWithTags();

        HttpResponse<byte[]> response = http.get("/v2/" + repository + "/tags/list?n=0");

        assertThat(strings(json(response), "tags")).isEmpty();
        assertThat(response.headers().firstValue("Link")).isEmpty();
    }

    @Test
    void nLargerThanTheListReturnsEverythingWithoutLink() {
        String repository = repositoryWithTags();

        HttpResponse<byte[]> response = http.get("/v2/" + repository + "/tags/list?n=100");

        assertThat(strings(json(response), "tags")).containsExactlyElementsOf(SORTED_TAGS);
        assertThat(response.headers().firstValue("Link")).isEmpty();
    }

    @Test
    void tagListOfAnUnknownRepositoryIs404NameUnknown() {
        String repository = TestContent.uniqueRepository("tags");

        assertError(http.get("/v2/" + repository + "/tags/list"), 404, "NAME_UNKNOWN");
    }

    @Test
    void catalogPagesListEveryRepositoryOnceInOrder() {
        // Other tests add repositories concurrently, so the walk starts right before this test's own ones.
        String prefix = TestContent.uniqueRepository("catalog");
        List<String> mine = List.of(prefix + "/a", prefix + "/b", prefix + "/c", prefix + "/d", prefix + "/e");
        Image image = TestContent.ociImage();
        mine.forEach(repository -> http.pushImage(repository, "v1", image));
        List<String> visited = new ArrayList<>();
        String next = "/v2/_catalog?n=2&last=" + prefix;

        while (next != null) {
            assertThat(visited.size()).as("repositories walked").isLessThan(1000);
            HttpResponse<byte[]> page = http.get(next);
            List<String> repositories = strings(json(page), "repositories");
            assertThat(repositories.size()).as("repositories on page %s", next).isLessThanOrEqualTo(2);
            visited.addAll(repositories);
            boolean pastMine = repositories.stream().anyMatch(name -> name.compareTo(prefix + "/e") > 0);
            next = pastMine ? null : nextLink(page).orElse(null);
        }

        assertThat(visited).isSorted().doesNotHaveDuplicates();
        assertThat(visited.stream().filter(name -> name.startsWith(prefix + "/")).toList())
                .containsExactlyElementsOf(mine);
    }

    @Test
    void catalogWithNEqualToZeroIsEmptyWithoutLink() {
        String repository = TestContent.uniqueRepository("catalog");
        http.pushImage(repository, "v1", TestContent.ociImage());

        HttpResponse<byte[]> response = http.get("/v2/_catalog?n=0");

        assertThat(strings(json(response), "repositories")).isEmpty();
        assertThat(response.headers().firstValue("Link")).isEmpty();
    }
}
