package dev.berth.gateway.protect;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/**
 * Size limits on request bodies that are small by nature: manifest PUTs (the registry's own limit,
 * 4 MiB by default) and /api/v1 JSON bodies (1 MiB). Blob uploads stay unlimited. A declared
 * {@code Content-Length} over the limit gets its 413 before any upstream is contacted
 * ({@link #handler()}); a body without one is counted as it streams ({@link #stream}).
 *
 * <p>Codes: under /v2 {@code MANIFEST_INVALID} with status 413, what registry-service answers for
 * the same manifest (distribution-spec's {@code SIZE_INVALID} means "length does not match the
 * content", not "too big"); on /api/v1 {@code body_too_large}, like the registry's webhook API.
 */
public final class BodyLimits {

    private static final Pattern MANIFEST_PATH = Pattern.compile("^/v2/.+/manifests/[^/]+$");

    private final long manifestBytes;
    private final long apiBodyBytes;

    public BodyLimits(long manifestBytes, long apiBodyBytes) {
        this.manifestBytes = manifestBytes;
        this.apiBodyBytes = apiBodyBytes;
    }

    /** The limit for {@code req}'s body, or -1 for none. */
    public long limitFor(HttpServerRequest req) {
        String path = req.path();
        if (path.startsWith("/api/v1/")) {
            return apiBodyBytes;
        }
        if (req.method() == HttpMethod.PUT && MANIFEST_PATH.matcher(path).matches()) {
            return manifestBytes;
        }
        return -1;
    }

    /** Route handler: 413 at once for a declared length over the limit. */
    public Handler<RoutingContext> handler() {
        return ctx -> {
            HttpServerRequest req = ctx.request();
            long max = limitFor(req);
            long declared = declaredLength(req);
            if (max >= 0 && declared > max) {
                BodyTooLarge e = error(req, max);
                EarlyReply.send(ctx.vertx(), req, 413, e.registryCode(), e.apiCode(), e.getMessage());
                return;
            }
            ctx.next();
        };
    }

    /** {@code req} itself when unlimited, else a view of it that fails past the limit. */
    public ReadStream<Buffer> stream(Vertx vertx, HttpServerRequest req) {
        long max = limitFor(req);
        return max < 0 ? req : new LimitedBody(vertx, req, max, error(req, max));
    }

    private static BodyTooLarge error(HttpServerRequest req, long max) {
        return req.path().startsWith("/v2")
                ? new BodyTooLarge("manifest exceeds " + max + " bytes", "MANIFEST_INVALID", "body_too_large")
                : new BodyTooLarge("request body exceeds " + max + " bytes", "MANIFEST_INVALID", "body_too_large");
    }

    private static long declaredLength(HttpServerRequest req) {
        String value = req.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
