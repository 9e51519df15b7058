package dev.berth.gateway.auth;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/** A small GET the gateway itself makes to a healthy registry upstream (the catalog's pages). */
@FunctionalInterface
public interface UpstreamReader {

    record Reply(int status, String link, Buffer body) {
    }

    /** GETs {@code uri} (path and query) with {@code authorization}; bodies are small and read whole. */
    Future<Reply> get(String uri, String authorization);
}
