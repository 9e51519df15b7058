package dev.berth.oci.client;

import dev.berth.oci.Digest;

/**
 * An image reference resolved to one runnable image.
 *
 * @param reference the reference asked for
 * @param digest    what the reference pointed at: an index's digest for a multi-platform image,
 *                  else the image manifest's own; this is what to pin a deployment to
 * @param manifest  the image manifest for the chosen platform
 */
public record ResolvedImage(ImageReference reference, Digest digest, FetchedManifest manifest) {
}
