package dev.berth.registry.api;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.registry.meta.MetadataStore;
import dev.berth.registry.meta.Referrer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /v2/<name>/referrers/<digest>} (end-12a, end-12b): an index of the manifests whose subject it is. */
final class ReferrersHandler {

    private final MetadataStore metadata;

    ReferrersHandler(MetadataStore metadata) {
        this.metadata = metadata;
    }

    Future<?> list(RoutingContext ctx) {
        String repository = Requests.repository(ctx);
        Digest subject = Requests.pathDigest(ctx);
        String artifactType = Requests.query(ctx, "artifactType");
        return metadata.referrers(repository, subject.toString(), artifactType).compose(referrers -> {
            JsonArray manifests = new JsonArray();
            referrers.stream().map(Referrer::toDescriptor).forEach(manifests::add);
            if (artifactType != null) {
                ctx.response().putHeader("OCI-Filters-Applied", "artifactType");
            }
            JsonObject index = new JsonObject().put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_INDEX)
                    .put("manifests", manifests);
            return Responses.json(ctx, 200, MediaTypes.OCI_INDEX, index);
        });
    }
}
