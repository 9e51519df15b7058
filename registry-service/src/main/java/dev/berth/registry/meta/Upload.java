package dev.berth.registry.meta;

import java.util.UUID;

/** An upload session: which repository it is for and how many bytes it has received. */
public record Upload(UUID id, String repository, long size) {
}
