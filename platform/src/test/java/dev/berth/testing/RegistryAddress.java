package dev.berth.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where the registry under test listens, as {@code host:port} — the form docker and skopeo take
 * in image references (docker treats 127.0.0.0/8 as insecure, so it is plain HTTP).
 */
public record RegistryAddress(String hostPort, String username, String password) {

    public RegistryAddress {
        if (hostPort == null || !hostPort.matches("[^/:\\s]+:\\d+")) {
            throw new IllegalArgumentException("expected host:port, got '" + hostPort + "'");
        }
    }

    /** A registry that needs no credentials. */
    public RegistryAddress(String hostPort) {
        this(hostPort, null, null);
    }

    public boolean authenticated() {
        return username != null;
    }

    /** The Basic {@code Authorization} header value (Berth's /api/v1 takes it), or null without credentials. */
    public String basicAuthorization() {
        return username == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code Bearer <token>} for {@code scope} from the gateway's token service, or null without credentials. */
    public String bearer(String scope) throws IOException, InterruptedException {
        if (username == null) {
            return null;
        }
        HttpResponse<String> token = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        uri("/token?service=berth&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8)))
                .header("Authorization", basicAuthorization()).build(), HttpResponse.BodyHandlers.ofString());
        if (token.statusCode() != 200) {
            throw new IOException("token for " + scope + ": " + token.statusCode() + " " + token.body());
        }
        return "Bearer " + new JsonObject(token.body()).getString("token");
    }

    /** A URI on the registry, e.g. {@code uri("/v2/")}. */
    public URI uri(String path) {
        return URI.create("http://" + hostPort + path);
    }

    /** An image reference on this registry, e.g. {@code 127.0.0.1:5000/repo:tag}. */
    public String reference(String repositoryAndTag) {
        return hostPort + "/" + repositoryAndTag;
    }

    @Override
    public String toString() {
        return hostPort;
    }
}
