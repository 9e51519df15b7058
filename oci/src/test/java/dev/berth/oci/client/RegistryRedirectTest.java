package dev.berth.oci.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registries hand blobs off to object storage with a redirect (S3 presigned URLs, CDNs). Two small
 * peers play that: a registry front that wants Basic auth and redirects, and a storage host.
 * The password must reach the registry and never the storage host.
 */
class RegistryRedirectTest {

    private static final byte[] BLOB = "layer bytes served from storage".getBytes(StandardCharsets.UTF_8);
    private static final Digest DIGEST = Digest.sha256(BLOB);
    private static final String AUTHORIZATION = "Basic " + Base64.getEncoder()
            .encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path tmp;

    private final List<HttpServer> servers = new ArrayList<>();
    private final List<String> storageSawAuthorization = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    private HttpServer server() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        servers.add(server);
        server.start();
        return server;
    }

    @Test
    void credentialsDoNotFollowARedirectToAnotherHost() throws Exception {
        HttpServer storage = server();
        storage.createContext("/bucket/", exchange -> {
            try (exchange) {
                storageSawAuthorization.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
                exchange.sendResponseHeaders(200, BLOB.length);
                exchange.getResponseBody().write(BLOB);
            }
        });
        HttpServer front = server();
        front.createContext("/v2/", exchange -> {
            try (exchange) {
                if (!AUTHORIZATION.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"front\"");
                    exchange.sendResponseHeaders(401, -1);
                    return;
                }
                exchange.getResponseHeaders().add("Location",
                        "http://127.0.0.1:" + storage.getAddress().getPort() + "/bucket/" + DIGEST.hex() + "?sig=abc");
                exchange.sendResponseHeaders(307, -1);
            }
        });
        String registry = "127.0.0.1:" + front.getAddress().getPort();
        RegistryClient client = RegistryClient.builder()
                .credentials(registry, new Credentials("alice", "s3cret")).build();
        Descriptor blob = new Descriptor("application/octet-stream", DIGEST, BLOB.length, null, Map.of(), null, false);

        client.fetchBlob(ImageReference.parse(registry + "/team/app:1"), blob, tmp.resolve("blob"));

        assertThat(Files.readAllBytes(tmp.resolve("blob"))).isEqualTo(BLOB);
        assertThat(storageSawAuthorization).containsExactly("null");
    }
}
