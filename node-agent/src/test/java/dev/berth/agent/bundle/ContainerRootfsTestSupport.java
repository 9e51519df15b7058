package dev.berth.agent.bundle;

import dev.berth.infra.HostTools;
import jnr.posix.POSIXFactory;

/** Tests that run containers need root. */
final class ContainerRootfsTestSupport {

    private ContainerRootfsTestSupport() {
    }

    static void requireRoot() {
        if (POSIXFactory.getNativePOSIX().geteuid() != 0) {
            HostTools.unavailable("running containers needs root");
        }
    }
}
