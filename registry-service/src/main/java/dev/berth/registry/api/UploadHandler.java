package dev.berth.registry.api;

import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.oci.Names;
import dev.berth.registry.meta.MetadataStore;
import dev.berth.registry.meta.Origin;
import dev.berth.registry.meta.Upload;
import dev.berth.registry.policy.NamespaceGuard;
import dev.berth.registry.storage.BlobStore;
import dev.berth.registry.storage.CountingWriteStream;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Blob uploads (end-4a, end-4b, end-5, end-6, end-11, end-13, and upload cancel): the body streams to
 * storage while it is hashed. The session itself lives in PostgreSQL, so any instance can continue it
 * and it survives a restart; the running hash is an in-memory shortcut for the instance that wrote
 * the previous chunk, and an instance without it hashes the stored bytes at the end.
 */
final class UploadHandler {

    private static final Pattern CONTENT_RANGE = Pattern.compile("(?:bytes[ =])?(\\d+)-(\\d+)(?:/(?:\\d+|\\*))?");
    private static final int MAX_CACHED_HASHES = 10_000;

    private final MetadataStore metadata;
    private final BlobStore blobs;
    private final Map<UUID, Digester> hashes = new ConcurrentHashMap<>();
    private final Set<UUID> writing = ConcurrentHashMap.newKeySet();

    UploadHandler(MetadataStore metadata, BlobStore blobs) {
        this.metadata = metadata;
        this.blobs = blobs;
    }

    /** POST /v2/<name>/blobs/uploads/ : a mount, a single-request upload, or a new session. */
    Future<?> start(RoutingContext ctx) {
        String repository = Requests.repository(ctx);
        String mount = Requests.query(ctx, "mount");
        String digest = Requests.query(ctx, "digest");
        if (mount != null) {
            Digest mounted = Requests.digest(mount);
            String from = Requests.query(ctx, "from");
            if (from != null && Names.isRepository(from)) {
                return metadata.mountBlob(from, repository, mounted.toString(), Requests.origin(ctx))
                        .compose(linked -> linked ? created(ctx, repository, mounted) : newSession(ctx, repository));
            }
            return newSession(ctx, repository);
        }
        if (digest != null) {
            Digest expected = Requests.digest(digest);
            UUID id = UUID.randomUUID();
            Digester digester = Digester.of(expected.algorithm());
            long declared = Requests.contentLength(ctx);
            return receive(ctx, id, 0, digester, declared)
                    .compose(size -> commit(repository, id, false, expected, digester, size, Requests.origin(ctx)))
                    .recover(e -> blobs.deleteUpload(id).transform(ignored -> Future.failedFuture(e)))
                    .compose(v -> created(ctx, repository, expected));
        }
        return newSession(ctx, repository);
    }

    private Future<Void> newSession(RoutingContext ctx, String repository) {
        UUID id = UUID.randomUUID();
        return metadata.createUpload(id, repository).compose(v -> {
            if (hashes.size() < MAX_CACHED_HASHES) {
                hashes.put(id, Digester.sha256());
            }
            return accepted(ctx, repository, id, 0);
        });
    }

    /** GET on an upload location: how far the session has come (end-13). */
    Future<?> status(RoutingContext ctx) {
        String repository = Requests.repository(ctx);
        UUID id = Requests.uploadId(ctx);
        return session(repository, id).compose(upload ->
                progress(ctx.response().setStatusCode(204), repository, id, upload.size()).end());
    }

    /** PATCH: one chunk, with Content-Range, or a stream without it (what docker and containerd send). */
    Future<?> patch(RoutingContext ctx) {
        String repository = Requests.repository(ctx);
        UUID id = Requests.uploadId(ctx);
        return session(repository, id).compose(upload -> append(ctx, upload))
                .compose(size -> accepted(ctx, repository, id, size));
    }

    /** PUT: the optional last chunk, then the digest check and the commit (end-6). */
    Future<?> complete(RoutingContext ctx) {
        String repository = Requests.repository(ctx);
        UUID id = Requests.uploadId(ctx);
        String digestParam = Requests.query(ctx, "digest");
        if (digestParam == null) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "the digest query parameter is required");
        }
        Digest expected = Requests.digest(digestParam);
        return session(repository, id).compose(upload -> {
            Future<Long> size = Requests.hasBody(ctx) ? append(ctx, upload) : Future.succeededFuture(upload.size());
            return size.compose(total -> {
                Digester running = hashes.remove(id);
                if (running != null && (running.length() != total || !running.algorithm().equals(expected.algorithm()))) {
                    running = null;
                }
                // The session goes in the commit's transaction, before the 201: a client that asks next sees 404.
                return commit(repository, id, true, expected, running, total, Requests.origin(ctx))
                        .recover(e -> cancelSession(id).transform(ignored -> Future.failedFuture(e)))
                        .compose(v -> created(ctx, repository, expected));
            });
        });
    }

    /** DELETE on an upload location: cancels the session and drops its bytes. */
    Future<?> cancel(RoutingContext ctx) {
        String repository = Requests.repository(ctx);
        UUID id = Requests.uploadId(ctx);
        return session(repository, id).compose(upload -> cancelSession(id))
                .compose(v -> ctx.response().setStatusCode(204).end());
    }

    private Future<Void> cancelSession(UUID id) {
        hashes.remove(id);
        return metadata.deleteUpload(id).compose(v -> blobs.deleteUpload(id));
    }

    private Future<Upload> session(String repository, UUID id) {
        return metadata.upload(id).map(upload -> {
            if (upload == null || !upload.repository().equals(repository)) {
                throw new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload unknown: " + id);
            }
            return upload;
        });
    }

    /** Streams the request body onto the session's bytes; the new total size once stored. */
    private Future<Long> append(RoutingContext ctx, Upload upload) {
        long declared = Requests.contentLength(ctx);
        String rangeHeader = ctx.request().getHeader("Content-Range");
        if (rangeHeader != null) {
            Matcher m = CONTENT_RANGE.matcher(rangeHeader.trim());
            if (!m.matches()) {
                throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416, "malformed Content-Range", rangeHeader);
            }
            long start = Long.parseLong(m.group(1));
            long end = Long.parseLong(m.group(2));
            if (start != upload.size() || end < start) {
                progress(ctx.response(), upload.repository(), upload.id(), upload.size());
                throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416,
                        "chunk out of order: the upload has " + upload.size() + " bytes", rangeHeader);
            }
            if (declared >= 0 && declared != end - start + 1) {
                throw new RegistryException(ErrorCode.SIZE_INVALID,
                        "Content-Length does not match Content-Range", rangeHeader);
            }
            declared = end - start + 1;
        }
        if (!writing.add(upload.id())) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416, "another request is writing this upload", null);
        }
        Digester cached = hashes.remove(upload.id());
        Digester digester = cached != null && cached.length() == upload.size() ? cached
                : upload.size() == 0 ? Digester.sha256() : null;
        return receive(ctx, upload.id(), upload.size(), digester, declared)
                .compose(total -> metadata.advanceUpload(upload.id(), upload.size(), total).compose(advanced -> {
                    if (!advanced) {
                        return movedOnOrPurged(upload.id());
                    }
                    if (digester != null && hashes.size() < MAX_CACHED_HASHES) {
                        hashes.put(upload.id(), digester);
                    }
                    return Future.succeededFuture(total);
                }))
                .onComplete(ar -> writing.remove(upload.id()));
    }

    /**
     * Another writer got ahead (416), or garbage collection purged the idle session while this chunk
     * was written: then the chunk's bytes would be left behind with no session, so they go too (404).
     */
    private Future<Long> movedOnOrPurged(UUID id) {
        return metadata.upload(id).compose(session -> {
            if (session != null) {
                return Future.failedFuture(new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416,
                        "the upload moved on while this chunk was written", null));
            }
            hashes.remove(id);
            return blobs.deleteUpload(id).transform(ignored -> Future.failedFuture(
                    new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload unknown: " + id)));
        });
    }

    /** Pipes the body to storage after {@code offset} bytes; fails when fewer bytes came than declared. */
    private Future<Long> receive(RoutingContext ctx, UUID id, long offset, Digester digester, long declared) {
        return blobs.openUpload(id, offset).compose(file -> {
            CountingWriteStream counting = new CountingWriteStream(file, digester);
            return ctx.request().pipeTo(counting).map(v -> {
                if (declared >= 0 && counting.count() != declared) {
                    throw new RegistryException(ErrorCode.SIZE_INVALID,
                            "received " + counting.count() + " bytes, expected " + declared, null);
                }
                return offset + counting.count();
            });
        });
    }

    /**
     * Verifies the digest, moves the bytes into place and links the blob to the repository; with {@code endSession},
     * the upload's session row goes in the same transaction.
     */
    private Future<Void> commit(String repository, UUID id, boolean endSession, Digest expected, Digester running,
                                long size, Origin origin) {
        Future<Digest> actual = running != null ? Future.succeededFuture(running.digest())
                : blobs.digestUpload(id, expected.algorithm(), size);
        return actual.compose(digest -> {
            if (!digest.equals(expected)) {
                throw new RegistryException(ErrorCode.DIGEST_INVALID,
                        "provided digest did not match uploaded content", expected.toString());
            }
            return NamespaceGuard.precheckBlob(metadata.pool(), repository, expected.toString(), size)
                    .compose(v -> metadata.storeBlob(repository, expected.toString(), size, origin,
                            endSession ? id : null, () -> blobs.commitUpload(id, expected)));
        });
    }

    private static Future<Void> created(RoutingContext ctx, String repository, Digest digest) {
        return ctx.response().setStatusCode(201)
                .putHeader("Location", "/v2/" + repository + "/blobs/" + digest)
                .putHeader("Docker-Content-Digest", digest.toString())
                .putHeader("Content-Length", "0")
                .end();
    }

    private static Future<Void> accepted(RoutingContext ctx, String repository, UUID id, long size) {
        return progress(ctx.response().setStatusCode(202), repository, id, size).end();
    }

    private static HttpServerResponse progress(HttpServerResponse response, String repository, UUID id, long size) {
        return response.putHeader("Location", "/v2/" + repository + "/blobs/uploads/" + id)
                .putHeader("Range", "0-" + Math.max(0, size - 1))
                .putHeader("Docker-Upload-UUID", id.toString())
                .putHeader("Content-Length", "0");
    }
}
