package dev.berth.gateway;

import static org.junit.jupiter.api.Assertions.fail;

import dev.berth.gateway.protect.TlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made by the {@code openssl} CLI in the
 * key format asked for. Without openssl the test is skipped, or fails when {@code CI=true}.
 */
record TestCertificate(Path cert, Path key) {

    enum KeyFormat { PKCS8_RSA, TRADITIONAL_RSA, TRADITIONAL_EC }

    static TestCertificate create(Path dir, KeyFormat format) throws Exception {
        Path openssl = Path.of("/usr/bin/openssl");
        if (!Files.isExecutable(openssl)) {
            String reason = "openssl not found at " + openssl + " (Debian package openssl)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(reason + " (CI=true, so this is a failure, not a skip)");
            }
            Assumptions.abort(reason);
        }
        Files.createDirectories(dir);
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        Path raw = dir.resolve("raw.key");
        switch (format) {
            case PKCS8_RSA -> run(dir, "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                    "-out", key.toString());
            case TRADITIONAL_RSA -> {
                run(dir, "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                        "-out", raw.toString());
                run(dir, "openssl", "rsa", "-in", raw.toString(), "-traditional", "-out", key.toString());
            }
            case TRADITIONAL_EC -> run(dir, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout",
                    "-out", key.toString());
        }
        run(dir, "openssl", "req", "-x509", "-new", "-key", key.toString(), "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-out", cert.toString());
        String pem = Files.readString(key);
        String expected = switch (format) {
            case PKCS8_RSA -> "BEGIN PRIVATE KEY";
            case TRADITIONAL_RSA -> "BEGIN RSA PRIVATE KEY";
            case TRADITIONAL_EC -> "BEGIN EC PRIVATE KEY";
        };
        if (!pem.contains(expected)) {
            throw new IllegalStateException("openssl wrote no " + expected + " key: " + pem.lines().findFirst());
        }
        return new TestCertificate(cert, key);
    }

    TlsFiles files() {
        return new TlsFiles(cert, key);
    }

    /** A client context that trusts exactly this certificate. */
    SSLContext trustingContext() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            Certificate certificate = CertificateFactory.getInstance("X.509").generateCertificate(in);
            trust.setCertificateEntry("gateway", certificate);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", new ArrayList<>(List.of(command))) + " failed: "
                    + new String(output, StandardCharsets.UTF_8));
        }
    }
}
