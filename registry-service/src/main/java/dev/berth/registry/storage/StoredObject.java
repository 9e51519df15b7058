package dev.berth.registry.storage;

/** One object as an S3 listing reports it. */
record StoredObject(String key, long size) {
}
