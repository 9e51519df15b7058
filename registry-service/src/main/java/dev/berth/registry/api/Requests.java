package dev.berth.registry.api;

import dev.berth.oci.Digest;
import dev.berth.oci.InvalidDigestException;
import dev.berth.kit.RequestLog;
import dev.berth.oci.Names;
import dev.berth.registry.meta.Origin;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.UUID;

/** Reads and validates the parts of a request every handler needs. */
final class Requests {

    private Requests() {
    }

    static String repository(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        if (!Names.isRepository(name)) {
            throw new RegistryException(ErrorCode.NAME_INVALID, "invalid repository name: " + name);
        }
        return name;
    }

    static Digest digest(String text) {
        try {
            return Digest.parse(text);
        } catch (InvalidDigestException e) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, e.getMessage(), text);
        }
    }

    static Digest pathDigest(RoutingContext ctx) {
        return digest(ctx.pathParam("digest"));
    }

    static UUID uploadId(RoutingContext ctx) {
        try {
            UUID id = UUID.fromString(ctx.pathParam("uuid"));
            if (id.toString().equalsIgnoreCase(ctx.pathParam("uuid"))) {
                return id;
            }
        } catch (IllegalArgumentException ignored) {
            // falls through to the spec's answer for a session that does not exist
        }
        throw new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload unknown: " + ctx.pathParam("uuid"));
    }

    static String query(RoutingContext ctx, String name) {
        List<String> values = ctx.queryParam(name);
        return values.isEmpty() ? null : values.get(0);
    }

    /** The page size a listing asked for; -1 when the client did not say. */
    static int pageSize(RoutingContext ctx) {
        String n = query(ctx, "n");
        if (n == null) {
            return -1;
        }
        try {
            int value = Integer.parseInt(n);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw new RegistryException(ErrorCode.PAGINATION_NUMBER_INVALID, "n must be a non-negative integer", n);
    }

    /** Who made the request (the verified token's subject; anonymous without one) and its request id. */
    static Origin origin(RoutingContext ctx) {
        String subject = ctx.get(dev.berth.registry.auth.TokenCheck.SUBJECT);
        return new Origin(subject == null || subject.isEmpty() ? Origin.ANONYMOUS : subject, RequestLog.requestId(ctx));
    }

    static long contentLength(RoutingContext ctx) {
        String value = ctx.request().getHeader("Content-Length");
        if (value == null) {
            return -1;
        }
        try {
            long length = Long.parseLong(value.trim());
            if (length >= 0) {
                return length;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw new RegistryException(ErrorCode.SIZE_INVALID, "invalid Content-Length", value);
    }

    /** True when the request carries a body: a positive Content-Length or a chunked one. */
    static boolean hasBody(RoutingContext ctx) {
        String te = ctx.request().getHeader("Transfer-Encoding");
        return contentLength(ctx) > 0 || (te != null && te.toLowerCase().contains("chunked"));
    }
}
