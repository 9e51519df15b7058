package dev.berth;

import dev.berth.agent.bundle.BundleException;
import dev.berth.agent.bundle.BundleFactory;
import dev.berth.agent.bundle.PreparedBundle;
import dev.berth.agent.spec.ContainerSpec;
import java.nio.file.Path;

/**
 * Stands in for the image side until it is merged: refuses every create with a clear error. The agent still
 * starts, adopts and supervises existing containers, and serves its API.
 * TODO(lead): replace with the image side's ImageBundleFactory in {@link Main#main}.
 */
final class UnwiredBundleFactory implements BundleFactory {

    @Override
    public PreparedBundle create(String containerId, ContainerSpec spec, Path bundleDir) throws BundleException {
        throw new BundleException("IMAGES_UNAVAILABLE", "this build of the agent cannot pull or unpack images yet");
    }

    @Override
    public void destroy(String containerId, Path bundleDir) {
        // it never creates anything
    }
}
