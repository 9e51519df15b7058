package dev.berth.oci;

import java.util.Map;

/** A content descriptor (image spec descriptor.md): what a manifest says about a blob it points to. */
public record Descriptor(String mediaType, Digest digest, long size, String artifactType,
                         Map<String, String> annotations, Platform platform, boolean hasUrls) {

    public record Platform(String os, String architecture, String variant) {
    }
}
