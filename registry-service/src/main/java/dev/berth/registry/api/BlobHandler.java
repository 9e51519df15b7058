package dev.berth.registry.api;

import dev.berth.oci.Digest;
import dev.berth.registry.meta.MetadataStore;
import dev.berth.registry.storage.BlobStore;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** GET, HEAD and DELETE of {@code /v2/<name>/blobs/<digest>} (end-2, end-10). */
final class BlobHandler {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final boolean sendfile;

    BlobHandler(MetadataStore metadata, BlobStore blobs, boolean sendfile) {
        this.metadata = metadata;
        this.blobs = blobs;
        this.sendfile = sendfile;
    }

    Future<?> get(RoutingContext ctx) {
        String repository = Requests.repository(ctx);
        Digest digest = Requests.pathDigest(ctx);
        return metadata.linkedBlobSize(repository, digest.toString()).compose(size -> {
            if (size == null) {
                throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob unknown to registry", digest.toString());
            }
            if (ctx.request().method() == HttpMethod.HEAD) {
                return send(ctx, digest, size);
            }
            return blobs.pullRedirect(digest).compose(url -> url == null ? send(ctx, digest, size)
                    : ctx.response().setStatusCode(307).putHeader("Location", url)
                            .putHeader("Docker-Content-Digest", digest.toString())
                            .putHeader("Content-Length", "0").end());
        });
    }

    private Future<Void> send(RoutingContext ctx, Digest digest, long size) {
        HttpServerResponse response = ctx.response()
                .putHeader("Docker-Content-Digest", digest.toString())
                .putHeader("Content-Type", "application/octet-stream")
                .putHeader("Accept-Ranges", "bytes")
                .putHeader("ETag", "\"" + digest + "\"")
                .putHeader("Cache-Control", "max-age=31536000");
        long offset = 0;
        long length = size;
        String range = ctx.request().getHeader("Range");
        if (range != null) {
            long[] span = parseRange(range, size);
            if (span == null) {
                response.setStatusCode(416).putHeader("Content-Range", "bytes */" + size);
                return response.end();
            }
            if (span.length == 2) {
                offset = span[0];
                length = span[1] - span[0] + 1;
                response.setStatusCode(206)
                        .putHeader("Content-Range", "bytes " + span[0] + "-" + span[1] + "/" + size);
            }
        }
        response.putHeader("Content-Length", Long.toString(length));
        if (ctx.request().method() == HttpMethod.HEAD) {
            return response.end();
        }
        Path local = blobs.localFile(digest);
        if (local != null) {
            // The memory map writes raw slices: HTTP/1.x only (HTTP/2 frames its data, sendFile handles that).
            boolean mapped = !sendfile && ctx.request().version() != io.vertx.core.http.HttpVersion.HTTP_2;
            return mapped ? MappedFileBody.send(response, local, offset, length)
                    : response.sendFile(local.toString(), offset, length);
        }
        return blobs.read(digest, offset, length).compose(stream -> stream.pipeTo(response));
    }

    /** [first, last] of a satisfiable single range; an empty array to ignore it; null when unsatisfiable. */
    static long[] parseRange(String header, long size) {
        Matcher m = RANGE.matcher(header.trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return new long[0];
        }
        try {
            long first;
            long last;
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                if (suffix == 0) {
                    return null;
                }
                first = Math.max(0, size - suffix);
                last = size - 1;
            } else {
                first = Long.parseLong(m.group(1));
                last = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
            }
            return first >= size || first > last ? null : new long[] {first, last};
        } catch (NumberFormatException e) {
            return new long[0];
        }
    }

    Future<?> delete(RoutingContext ctx) {
        String repository = Requests.repository(ctx);
        Digest digest = Requests.pathDigest(ctx);
        return metadata.unlinkBlob(repository, digest.toString()).compose(deleted -> {
            if (!deleted) {
                throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob unknown to registry", digest.toString());
            }
            return ctx.response().setStatusCode(202).putHeader("Content-Length", "0").end();
        });
    }
}
