package dev.berth.registry.meta;

import io.vertx.core.buffer.Buffer;

/** A manifest as it was pushed: its bytes, digest and Content-Type. */
public record StoredManifest(String digest, String contentType, Buffer content) {
}
