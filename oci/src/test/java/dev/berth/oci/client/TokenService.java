package dev.berth.oci.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token realm for distribution's token auth: issues RS256 JWTs carrying the {@code access} claim the
 * registry checks, signed by a key whose certificate the registry trusts ({@code rootcertbundle}).
 * Policy: user {@code alice} gets every action she asks for; anonymous callers may only pull
 * repositories under {@code public/}.
 */
final class TokenService implements AutoCloseable {

    static final String ISSUER = "berth-test-issuer";
    static final String SERVICE = "berth-test-registry";
    static final String USER = "alice";
    static final String PASSWORD = "s3cret";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private final HttpServer server;
    private final PrivateKey key;
    private final X509Certificate certificate;
    private final AtomicInteger issued = new AtomicInteger();

    private TokenService(HttpServer server, PrivateKey key, X509Certificate certificate) {
        this.server = server;
        this.key = key;
        this.certificate = certificate;
    }

    /** Generates a key pair and self-signed certificate with the JDK's keytool, then listens. */
    static TokenService start(Path dir) throws Exception {
        Path keystore = dir.resolve("token.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "token", "-keyalg", "RSA",
                "-keysize", "2048", "-sigalg", "SHA256withRSA", "-dname", "CN=berth-test-token", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        PrivateKey key = (PrivateKey) store.getKey("token", "changeit".toCharArray());
        X509Certificate cert = (X509Certificate) store.getCertificate("token");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        TokenService service = new TokenService(server, key, cert);
        server.createContext("/token", service::issue);
        server.start();
        return service;
    }

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** How many tokens were handed out: the client should reuse one rather than ask per request. */
    int issued() {
        return issued.get();
    }

    /** The registry's {@code auth:} section. */
    String registryAuthYaml(Path certBundle) throws Exception {
        Files.writeString(certBundle, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        return """
                  token:
                    realm: %s
                    service: %s
                    issuer: %s
                    rootcertbundle: %s
                """.formatted(realm(), SERVICE, ISSUER, certBundle);
    }

    private void issue(HttpExchange exchange) throws IOException {
        try (exchange) {
            String user = authenticatedUser(exchange.getRequestHeaders().getFirst("Authorization"));
            if ("".equals(user)) {
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            ArrayNode access = JSON.createArrayNode();
            for (String scope : queryValues(exchange.getRequestURI().getRawQuery(), "scope")) {
                String[] parts = scope.split(":");
                if (parts.length != 3 || !parts[0].equals("repository")) {
                    continue;
                }
                ArrayNode actions = JSON.createArrayNode();
                for (String action : parts[2].split(",")) {
                    if (user != null || (action.equals("pull") && parts[1].startsWith("public/"))) {
                        actions.add(action);
                    }
                }
                access.addObject().put("type", "repository").put("name", parts[1]).set("actions", actions);
            }
            byte[] body = JSON.writeValueAsBytes(JSON.createObjectNode()
                    .put("token", jwt(user == null ? "" : user, access))
                    .put("expires_in", 300));
            issued.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /** null for anonymous, "" for wrong credentials, else the user. */
    private static String authenticatedUser(String authorization) {
        if (authorization == null) {
            return null;
        }
        String expected = "Basic " + Base64.getEncoder().encodeToString(
                (USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        return authorization.equals(expected) ? USER : "";
    }

    private String jwt(String subject, ArrayNode access) throws Exception {
        ObjectNode header = JSON.createObjectNode().put("typ", "JWT").put("alg", "RS256");
        header.putArray("x5c").add(Base64.getEncoder().encodeToString(certificate.getEncoded()));
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = JSON.createObjectNode()
                .put("iss", ISSUER).put("sub", subject).put("aud", SERVICE)
                .put("iat", now).put("nbf", now - 10).put("exp", now + 300)
                .put("jti", UUID.randomUUID().toString());
        claims.set("access", access);
        String signingInput = B64URL.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + B64URL.encodeToString(JSON.writeValueAsBytes(claims));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + B64URL.encodeToString(rsa.sign());
    }

    private static List<String> queryValues(String rawQuery, String name) {
        List<String> out = new ArrayList<>();
        if (rawQuery == null) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                out.add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
