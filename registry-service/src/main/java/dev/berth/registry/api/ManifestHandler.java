package dev.berth.registry.api;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.InvalidManifestException;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestParser;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Names;
import dev.berth.registry.meta.MetadataStore;
import dev.berth.registry.meta.MissingContent;
import dev.berth.registry.meta.NewManifest;
import dev.berth.registry.meta.StoredManifest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** GET, HEAD, PUT and DELETE of {@code /v2/<name>/manifests/<reference>} (end-3, end-7, end-9). */
final class ManifestHandler {

    /** The distribution spec lets a registry refuse larger manifests; 4 MiB is what others use. */
    static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

    private final MetadataStore metadata;

    ManifestHandler(MetadataStore metadata) {
        this.metadata = metadata;
    }

    Future<?> get(RoutingContext ctx) {
        String repository = Requests.repository(ctx);
        String reference = ctx.pathParam("reference");
        Future<StoredManifest> found;
        if (reference.contains(":")) {
            found = metadata.manifestByDigest(repository, Requests.digest(reference).toString());
        } else if (Names.isTag(reference)) {
            found = metadata.manifestByTag(repository, reference);
        } else {
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown", reference);
        }
        return found.compose(m -> {
            if (m == null) {
                throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown", reference);
            }
            HttpServerResponse response = ctx.response()
                    .putHeader("Content-Type", m.contentType())
                    .putHeader("Docker-Content-Digest", m.digest())
                    .putHeader("ETag", "\"" + m.digest() + "\"")
                    .putHeader("Content-Length", Integer.toString(m.content().length()));
            return ctx.request().method() == HttpMethod.HEAD ? response.end() : response.end(m.content());
        });
    }

    Future<?> put(RoutingContext ctx) {
        String repository = Requests.repository(ctx);
        String reference = ctx.pathParam("reference");
        Digest urlDigest = reference.contains(":") ? Requests.digest(reference) : null;
        if (urlDigest == null && !Names.isTag(reference)) {
            throw new RegistryException(ErrorCode.MANIFEST_INVALID, "invalid tag: " + reference, reference);
        }
        Set<String> tags = new LinkedHashSet<>();
        if (urlDigest == null) {
            tags.add(reference);
        }
        for (String tag : ctx.queryParam("tag")) {
            if (!Names.isTag(tag)) {
                throw new RegistryException(ErrorCode.MANIFEST_INVALID, "invalid tag: " + tag, tag);
            }
            tags.add(tag);
        }
        if (Requests.contentLength(ctx) > MAX_MANIFEST_BYTES) {
            throw tooLarge();
        }
        String contentType = ctx.request().getHeader("Content-Type");
        return readBounded(ctx.request()).compose(body -> {
            byte[] bytes = body.getBytes();
            Digest digest = Digest.of(urlDigest == null ? "sha256" : urlDigest.algorithm(), bytes);
            if (urlDigest != null && !urlDigest.equals(digest)) {
                throw new RegistryException(ErrorCode.DIGEST_INVALID,
                        "manifest digest " + digest + " does not match " + urlDigest, urlDigest.toString());
            }
            Manifest manifest;
            try {
                manifest = ManifestParser.parse(bytes, contentType);
            } catch (InvalidManifestException e) {
                throw new RegistryException(ErrorCode.MANIFEST_INVALID, e.getMessage(), null);
            }
            List<String> blobRefs = blobReferences(manifest);
            List<String> childRefs = manifest.manifests().stream().map(d -> d.digest().toString()).distinct().toList();
            String storedType = ManifestParser.bareType(contentType) != null ? contentType : manifest.mediaType();
            NewManifest row = new NewManifest(repository, digest.toString(), manifest.mediaType(), storedType, bytes,
                    manifest.effectiveArtifactType(),
                    manifest.subject() == null ? null : manifest.subject().digest().toString(),
                    manifest.annotations().isEmpty() ? null : new JsonObject(Map.copyOf(manifest.annotations())),
                    blobRefs, childRefs, List.copyOf(tags), platforms(manifest));
            return Future.all(metadata.missingBlobs(repository, blobRefs), metadata.missingManifests(repository, childRefs))
                    .compose(missing -> {
                        List<String> absent = new ArrayList<>(missing.<List<String>>resultAt(0));
                        absent.addAll(missing.<List<String>>resultAt(1));
                        if (!absent.isEmpty()) {
                            throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN,
                                    "manifest references content unknown to the repository",
                                    new JsonObject().put("digest", absent.get(0)));
                        }
                        return metadata.putManifest(row, Requests.origin(ctx)).recover(e -> {
                            if (e instanceof MissingContent gone) {
                                // Collected between the check above and the transaction.
                                throw new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN,
                                        "manifest references content unknown to the repository",
                                        new JsonObject().put("digest", gone.digest()));
                            }
                            return Future.failedFuture(e);
                        });
                    })
                    .compose(v -> {
                        HttpServerResponse response = ctx.response().setStatusCode(201)
                                .putHeader("Location", "/v2/" + repository + "/manifests/" + digest)
                                .putHeader("Docker-Content-Digest", digest.toString())
                                .putHeader("Content-Length", "0");
                        if (manifest.subject() != null) {
                            response.putHeader("OCI-Subject", manifest.subject().digest().toString());
                        }
                        if (urlDigest != null) {
                            tags.forEach(tag -> response.headers().add("OCI-Tag", tag));
                        }
                        return response.end();
                    });
        });
    }

    /** For an index, its children's platforms, as the push event reports them. */
    private static JsonArray platforms(Manifest manifest) {
        JsonArray out = new JsonArray();
        for (Descriptor child : manifest.manifests()) {
            if (child.platform() != null) {
                JsonObject p = new JsonObject().put("os", child.platform().os())
                        .put("architecture", child.platform().architecture());
                if (child.platform().variant() != null) {
                    p.put("variant", child.platform().variant());
                }
                out.add(p);
            }
        }
        return out;
    }

    /** Config and layers the repository must hold; layers fetched from elsewhere are exempt. */
    private static List<String> blobReferences(Manifest manifest) {
        List<String> refs = new ArrayList<>();
        if (manifest.config() != null) {
            refs.add(manifest.config().digest().toString());
        }
        for (Descriptor layer : manifest.layers()) {
            if (!layer.hasUrls() && !MediaTypes.isNonDistributable(layer.mediaType())) {
                refs.add(layer.digest().toString());
            }
        }
        return refs.stream().distinct().toList();
    }

    private static RegistryException tooLarge() {
        return new RegistryException(ErrorCode.MANIFEST_INVALID, 413,
                "manifest exceeds " + MAX_MANIFEST_BYTES + " bytes", null);
    }

    /** Manifests are small by rule, so the body is collected, but never past the limit. */
    private static Future<Buffer> readBounded(HttpServerRequest request) {
        Promise<Buffer> done = Promise.promise();
        Buffer body = Buffer.buffer();
        request.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_MANIFEST_BYTES) {
                request.pause();
                done.tryFail(tooLarge());
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.exceptionHandler(done::tryFail);
        request.endHandler(v -> done.tryComplete(body));
        request.resume();
        return done.future();
    }

    Future<?> delete(RoutingContext ctx) {
        String repository = Requests.repository(ctx);
        String reference = ctx.pathParam("reference");
        Future<Boolean> deleted;
        if (reference.contains(":")) {
            deleted = metadata.deleteManifest(repository, Requests.digest(reference).toString(), Requests.origin(ctx));
        } else if (Names.isTag(reference)) {
            deleted = metadata.deleteTag(repository, reference, Requests.origin(ctx));
        } else {
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown", reference);
        }
        return deleted.compose(found -> {
            if (!found) {
                throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown", reference);
            }
            return ctx.response().setStatusCode(202).putHeader("Content-Length", "0").end();
        });
    }
}
