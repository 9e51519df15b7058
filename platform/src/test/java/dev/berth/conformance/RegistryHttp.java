package dev.berth.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.kit.auth.Access;
import dev.berth.kit.auth.RequiredAccess;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import dev.berth.testing.RegistryAddress;

/**
 * Plain HTTP/1.1 against the distribution API, plus the few push steps most tests start from.
 * Redirects are not followed: a test must see exactly what the registry answered.
 */
final class RegistryHttp {

    /** What pulling clients such as docker send, so no registry falls back to a legacy format. */
    static final String ACCEPT_ALL_MANIFESTS = String.join(", ",
            TestContent.OCI_MANIFEST, TestContent.OCI_INDEX,
            TestContent.DOCKER_MANIFEST, TestContent.DOCKER_MANIFEST_LIST);

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    private final URI base;
    private final RegistryAddress address;
    /** Bearer tokens by the scopes they were asked for, with the time they were fetched. */
    private final Map<String, Map.Entry<Instant, String>> tokens = new ConcurrentHashMap<>();

    RegistryHttp(RegistryAddress address) {
        this.base = address.uri("/");
        this.address = address;
    }

    /** A path (with query) on the registry, or a Location header value, absolute or relative. */
    URI uri(String pathOrLocation) {
        return base.resolve(pathOrLocation);
    }

    HttpResponse<byte[]> get(String path, String... headers) {
        return send("GET", uri(path), BodyPublishers.noBody(), headers);
    }

    HttpResponse<byte[]> head(String path, String... headers) {
        return send("HEAD", uri(path), BodyPublishers.noBody(), headers);
    }

    HttpResponse<byte[]> delete(String path) {
        return send("DELETE", uri(path), BodyPublishers.noBody());
    }

    HttpResponse<byte[]> post(String path, byte[] body, String... headers) {
        return send("POST", uri(path), BodyPublishers.ofByteArray(body), headers);
    }

    HttpResponse<byte[]> put(String path, byte[] body, String... headers) {
        return send("PUT", uri(path), BodyPublishers.ofByteArray(body), headers);
    }

    HttpResponse<byte[]> patch(String path, BodyPublisher body, String... headers) {
        return send("PATCH", uri(path), body, headers);
    }

    /** Headers come as name, value pairs; Content-Length is set by the client from the body publisher. */
    HttpResponse<byte[]> send(String method, URI uri, BodyPublisher body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .method(method, body);
        boolean authorization = false;
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
            authorization |= headers[i].equalsIgnoreCase("Authorization");
        }
        if (address.authenticated() && !authorization) {
            request.header("Authorization", "Bearer " + token(method, uri));
        }
        try {
            return CLIENT.send(request.build(), BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + uri + " interrupted", e);
        }
    }

    /**
     * A token covering the request, as a registry client gets one: the scope the route needs
     * (the gateway's own table), asked of /token with the suite's credentials, reused for four
     * minutes (tokens live five).
     */
    private String token(String method, URI uri) {
        String mount = null;
        String from = null;
        for (String pair : uri.getRawQuery() == null ? new String[0] : uri.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            String value = kv.length < 2 ? "" : URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
            if (kv[0].equals("mount")) {
                mount = value;
            } else if (kv[0].equals("from")) {
                from = value;
            }
        }
        List<Access> required = RequiredAccess.of(method, uri.getPath(), mount, from);
        String scopes = required.stream().map(a -> "&scope=" + URLEncoder.encode(a.scope(), StandardCharsets.UTF_8))
                .collect(Collectors.joining());
        Map.Entry<Instant, String> cached = tokens.get(scopes);
        if (cached != null && cached.getKey().isAfter(Instant.now().minusSeconds(240))) {
            return cached.getValue();
        }
        String basic = Base64.getEncoder().encodeToString(
                (address.username() + ":" + address.password()).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri("/token?service=berth" + scopes))
                .header("Authorization", "Basic " + basic).timeout(Duration.ofSeconds(30)).build();
        try {
            HttpResponse<String> resp = CLIENT.send(request, BodyHandlers.ofString());
            assertThat(resp.statusCode()).as("token for %s: %s", scopes, resp.body()).isEqualTo(200);
            String token = new JsonObject(resp.body()).getString("token");
            tokens.put(scopes, Map.entry(Instant.now(), token));
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("token request failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("token request interrupted", e);
        }
    }

    /** Starts an upload session and returns its Location. */
    String startUpload(String repository) {
        HttpResponse<byte[]> started = post("/v2/" + repository + "/blobs/uploads/", new byte[0]);
        assertThat(started.statusCode()).as("POST upload session").isEqualTo(202);
        return header(started, "Location");
    }

    /** Pushes a blob the way most clients do: POST for a session, then one PUT with the whole body. */
    void pushBlob(String repository, TestContent.Blob blob) {
        String location = startUpload(repository);
        HttpResponse<byte[]> put = put(withQuery(location, "digest=" + blob.digest()), blob.bytes(),
                "Content-Type", "application/octet-stream");
        assertThat(put.statusCode()).as("PUT blob %s", blob.digest()).isEqualTo(201);
    }

    /** Pushes a manifest under a tag or digest reference and checks it was created. */
    HttpResponse<byte[]> pushManifest(String repository, String reference, TestContent.Manifest manifest) {
        HttpResponse<byte[]> put = put("/v2/" + repository + "/manifests/" + reference, manifest.bytes(),
                "Content-Type", manifest.mediaType());
        assertThat(put.statusCode()).as("PUT manifest %s:%s -> %s", repository, reference, bodyText(put))
                .isEqualTo(201);
        return put;
    }

    /** Pushes an image's blobs and then its manifest under the given reference. */
    void pushImage(String repository, String reference, TestContent.Image image) {
        for (TestContent.Blob blob : image.blobs()) {
            pushBlob(repository, blob);
        }
        pushManifest(repository, reference, image.manifest());
    }

    HttpResponse<byte[]> getManifest(String repository, String reference) {
        return get("/v2/" + repository + "/manifests/" + reference, "Accept", ACCEPT_ALL_MANIFESTS);
    }

    HttpResponse<byte[]> headManifest(String repository, String reference) {
        return head("/v2/" + repository + "/manifests/" + reference, "Accept", ACCEPT_ALL_MANIFESTS);
    }

    /** Appends query parameters to a Location that may already carry its own. */
    static String withQuery(String location, String query) {
        return location + (location.contains("?") ? "&" : "?") + query;
    }

    /** A single-valued header that must be present. */
    static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name)
                .orElseThrow(() -> new AssertionError("response has no " + name + " header; headers: "
                        + response.headers().map()));
    }

    /** Every value of a header, whether sent as repeated fields or as one comma-separated field. */
    static List<String> headerValues(HttpResponse<?> response, String name) {
        List<String> values = new ArrayList<>();
        for (String field : response.headers().allValues(name)) {
            for (String value : field.split(",")) {
                if (!value.isBlank()) {
                    values.add(value.trim());
                }
            }
        }
        return values;
    }

    static String bodyText(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
