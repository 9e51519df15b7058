package dev.berth.gateway;

import static dev.berth.gateway.GatewayProxyTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.gateway.protect.ProtectionConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import dev.berth.kit.Config;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** TLS on the gateway from PEM files, and plain HTTP refused on an address other machines reach. */
class GatewayTlsTest {

    @TempDir
    Path dir;
    private Vertx vertx;
    private FakeRegistry upstream;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new FakeRegistry(vertx, "a").start();
    }

    @AfterEach
    void stop() throws Exception {
        await(vertx.close());
    }

    @ParameterizedTest
    @EnumSource(TestCertificate.KeyFormat.class)
    void servesHttpsWithEveryKeyFormatOpensslWrites(TestCertificate.KeyFormat format) throws Exception {
        TestCertificate certificate = TestCertificate.create(dir.resolve(format.name()), format);
        int port = deploy("127.0.0.1", ProtectionConfig.DEFAULTS.withTls(certificate.files()));
        // The client offers h2; the gateway's ALPN only offers HTTP/1.1, so that is what is spoken.
        HttpClient https = HttpClient.newBuilder().sslContext(certificate.trustingContext())
                .version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> resp = https.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/v2/")).build(), BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(resp.headers().firstValue("Docker-Distribution-API-Version")).contains("registry/2.0");
        assertThat(upstream.last().headers().get("X-Forwarded-Proto")).isEqualTo("https");
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefused() throws Exception {
        TestCertificate certificate = TestCertificate.create(dir, TestCertificate.KeyFormat.PKCS8_RSA);
        int port = deploy("127.0.0.1", ProtectionConfig.DEFAULTS.withTls(certificate.files()));
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/v2/")).build(), BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void plainHttpOnTheTlsPortGetsNoAnswer() throws Exception {
        TestCertificate certificate = TestCertificate.create(dir, TestCertificate.KeyFormat.TRADITIONAL_EC);
        int port = deploy("127.0.0.1", ProtectionConfig.DEFAULTS.withTls(certificate.files()));
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer;
            try (InputStream in = socket.getInputStream()) {
                answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (IOException reset) {
                answer = "";
            }
            assertThat(answer).doesNotStartWith("HTTP/");
        }
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void refusesPlainHttpOnANonLoopbackAddress() {
        assertThatThrownBy(() -> deploy("0.0.0.0", ProtectionConfig.DEFAULTS))
                .hasMessageContaining("refusing plain HTTP on 0.0.0.0")
                .hasMessageContaining("gateway.allow-plain-http");
    }

    @Test
    void plainHttpOnAnyAddressWhenExplicitlyAllowed() throws Exception {
        int port = deploy("0.0.0.0", ProtectionConfig.DEFAULTS.withAllowPlainHttp(true));
        HttpResponse<String> resp = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/")).build(), BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(200);
    }

    @Test
    void readsTlsAndPlainHttpSettingsFromConfig() throws Exception {
        TestCertificate certificate = TestCertificate.create(dir, TestCertificate.KeyFormat.PKCS8_RSA);
        GatewayConfig config = GatewayConfig.from(Config.of(Map.of(), Map.of(
                "BERTH_GATEWAY_TLS_CERT_FILE", certificate.cert().toString(),
                "BERTH_GATEWAY_TLS_KEY_FILE", certificate.key().toString(),
                "BERTH_GATEWAY_ALLOW_PLAIN_HTTP", "true")));
        assertThat(config.protection().tls()).isEqualTo(certificate.files());
        assertThat(config.protection().allowPlainHttp()).isTrue();
        assertThatThrownBy(() -> GatewayConfig.from(Config.of(Map.of(), Map.of(
                "BERTH_GATEWAY_TLS_CERT_FILE", certificate.cert().toString()))))
                .hasMessageContaining("gateway.tls.key-file");
        assertThatThrownBy(() -> GatewayConfig.from(Config.of(Map.of(), Map.of(
                "BERTH_GATEWAY_TLS_CERT_FILE", dir.resolve("missing.crt").toString(),
                "BERTH_GATEWAY_TLS_KEY_FILE", certificate.key().toString()))))
                .hasMessageContaining("missing.crt");
    }

    private int deploy(String host, ProtectionConfig protection) throws Exception {
        GatewayVerticle gateway = new GatewayVerticle(
                new GatewayConfig(host, 0, List.of(upstream.url()), null, 100, 2).withProtection(protection));
        await(vertx.deployVerticle(gateway));
        return gateway.actualPort();
    }
}
