package dev.berth.testing;

import java.net.URI;

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
