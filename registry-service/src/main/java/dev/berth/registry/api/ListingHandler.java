package dev.berth.registry.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiFunction;

/** Tags list (end-8a, end-8b) and catalog: lexical order, {@code n}/{@code last} pages, a {@code Link} to the next. */
final class ListingHandler {

    /** The most names one page returns, also when the client asks for more or does not say. */
    static final int MAX_PAGE = 10_000;

    private final dev.berth.registry.meta.MetadataStore metadata;

    ListingHandler(dev.berth.registry.meta.MetadataStore metadata) {
        this.metadata = metadata;
    }

    Future<?> tags(RoutingContext ctx) {
        String repository = Requests.repository(ctx);
        int n = Requests.pageSize(ctx);
        return metadata.repositoryExists(repository).compose(exists -> {
            if (!exists) {
                throw new RegistryException(ErrorCode.NAME_UNKNOWN, "repository name not known to registry", repository);
            }
            return page(ctx, n, "/v2/" + repository + "/tags/list", (last, limit) -> metadata.tags(repository, last, limit))
                    .compose(names -> Responses.json(ctx, 200, "application/json",
                            new JsonObject().put("name", repository).put("tags", new JsonArray(names))));
        });
    }

    Future<?> catalog(RoutingContext ctx) {
        int n = Requests.pageSize(ctx);
        return page(ctx, n, "/v2/_catalog", metadata::repositories)
                .compose(names -> Responses.json(ctx, 200, "application/json",
                        new JsonObject().put("repositories", new JsonArray(names))));
    }

    private static Future<List<String>> page(RoutingContext ctx, int n, String path,
                                             BiFunction<String, Integer, Future<List<String>>> query) {
        if (n == 0) {
            return Future.succeededFuture(List.of());
        }
        int size = n < 0 || n > MAX_PAGE ? MAX_PAGE : n;
        String last = Requests.query(ctx, "last");
        return query.apply(last, size + 1).map(names -> {
            if (names.size() <= size) {
                return names;
            }
            List<String> shown = names.subList(0, size);
            String next = path + "?n=" + size + "&last="
                    + URLEncoder.encode(shown.get(size - 1), StandardCharsets.UTF_8);
            ctx.response().putHeader("Link", "<" + next + ">; rel=\"next\"");
            return shown;
        });
    }
}
