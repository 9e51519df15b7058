package dev.berth;

import java.nio.file.Path;

/** What `berth up` needs to know: where data lives and where the gateway listens. */
public record PlatformOptions(Path dataDir, String host, int gatewayPort, int registryInstances) {

    public PlatformOptions {
        if (registryInstances < 1) {
            throw new IllegalArgumentException("registryInstances must be at least 1");
        }
        if (gatewayPort < 0 || gatewayPort > 65535) {
            throw new IllegalArgumentException("gateway port out of range: " + gatewayPort);
        }
    }

    /** Loopback, a random gateway port, one registry instance. */
    public static PlatformOptions forTests(Path dataDir) {
        return new PlatformOptions(dataDir, "127.0.0.1", 0, 1);
    }
}
