package dev.berth.agent.bundle;

import dev.berth.agent.spec.ContainerSpec;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns a container spec into an OCI runtime bundle on disk: {@code bundleDir/config.json} and a writable
 * {@code bundleDir/rootfs} of its own (overlayfs over the unpacked image where the kernel allows, a copy
 * otherwise). The image is pulled first if the local store does not have it.
 *
 * <p>Both methods block (network, disk, mount); callers run them off the event loop.
 */
public interface BundleFactory {

    /**
     * Creates the bundle. On failure nothing is left in {@code bundleDir} (it is removed) and nothing is mounted.
     *
     * @throws BundleException for input that cannot be turned into a bundle (unknown user, bad working dir,
     *                         image not found, hostile layer ...), with a message fit for the API client
     */
    PreparedBundle create(String containerId, ContainerSpec spec, Path bundleDir) throws IOException, BundleException;

    /** Unmounts the rootfs if mounted and deletes {@code bundleDir}; a missing dir is not an error. */
    void destroy(String containerId, Path bundleDir) throws IOException;

    /** Mounts the bundle's root filesystem again if it is a mount that is gone (after a host reboot). */
    default void remountRootfs(Path bundleDir) throws IOException {
    }
}
