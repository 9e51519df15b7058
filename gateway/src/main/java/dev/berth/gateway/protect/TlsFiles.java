package dev.berth.gateway.protect;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The gateway's TLS identity: a PEM certificate chain (server certificate first) and its PEM key
 * (PKCS#8 {@code BEGIN PRIVATE KEY}, or the traditional {@code BEGIN RSA PRIVATE KEY} /
 * {@code BEGIN EC PRIVATE KEY}, as {@code openssl} writes them).
 */
public record TlsFiles(Path certFile, Path keyFile) {

    public TlsFiles {
        for (Path file : List.of(certFile, keyFile)) {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("TLS file " + file + " does not exist or is not readable");
            }
        }
    }

    /**
     * TLS with ALPN offering HTTP/1.1 only. h2 would multiplex blob streams over one connection
     * and carry bodies without Content-Length or Transfer-Encoding, which the proxy's body
     * detection and per-connection backpressure are built around; registry clients (docker,
     * containerd, skopeo) all speak HTTP/1.1, so nothing is lost.
     */
    public void applyTo(HttpServerOptions options) {
        options.setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(certFile.toString())
                        .setKeyPath(keyFile.toString()))
                .setUseAlpn(true)
                .setAlpnVersions(List.of(HttpVersion.HTTP_1_1));
    }
}
