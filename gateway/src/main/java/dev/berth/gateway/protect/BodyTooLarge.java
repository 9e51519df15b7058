package dev.berth.gateway.protect;

import io.vertx.core.VertxException;

/** A request body passed its limit while streaming; the exchange answers 413 with these codes. */
public final class BodyTooLarge extends VertxException {

    private final String registryCode;
    private final String apiCode;

    BodyTooLarge(String message, String registryCode, String apiCode) {
        super(message, true);
        this.registryCode = registryCode;
        this.apiCode = apiCode;
    }

    public String registryCode() {
        return registryCode;
    }

    public String apiCode() {
        return apiCode;
    }
}
