package dev.berth.agent.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.agent.testing.HandMadeLayout;
import dev.berth.agent.testing.Tars;
import dev.berth.infra.DistributionServer;
import dev.berth.infra.TestImages;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The images API on a real Vert.x HTTP server, driven by Vert.x's web client, pulling from distribution. */
class ImagesApiTest {

    @TempDir
    static Path shared;
    static DistributionServer registry;
    static String image;
    static String hostile;

    @TempDir
    Path state;
    Vertx vertx;
    HttpServer server;
    WebClient client;
    Set<String> inUse = new CopyOnWriteArraySet<>();

    @BeforeAll
    static void pushImages() throws Exception {
        registry = DistributionServer.start(Files.createDirectories(shared.resolve("registry")));
        Path layout = shared.resolve("layout");
        TestImages.umociImage(layout, "app", TestImages.busyboxRootfs(shared.resolve("rootfs"), Map.of()),
                "--config.cmd", "/bin/sh");
        image = registry.address() + "/api/app:1";
        TestImages.push(layout, "app", image);
        HandMadeLayout bad = new HandMadeLayout(shared.resolve("bad"));
        bad.image("escape", List.of(new Tars().file("../../escape.txt", "pwned").build()), null);
        hostile = registry.address() + "/api/escape:1";
        TestImages.push(bad.dir(), "escape", hostile);
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    @BeforeEach
    void startServer() throws Exception {
        vertx = Vertx.vertx();
        ImageStore store = ImageStore.open(state, new ImageStore.Options(Set.of(),
                ImageStore.Options.DEFAULT.layerLimits(), () -> inUse));
        Router router = Router.router(vertx);
        new ImagesApi(vertx, store).mount(router);
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS);
        client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
                .setDefaultPort(server.actualPort()));
    }

    @AfterEach
    void stopServer() throws Exception {
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    @Test
    void pullStreamsProgressThenTheImageCanBeListedFetchedRemovedAndCollected() throws Exception {
        HttpResponse<Buffer> pull = post("/v1/images/pull", new JsonObject().put("reference", image));

        assertThat(pull.statusCode()).isEqualTo(200);
        assertThat(pull.getHeader("Content-Type")).isEqualTo("application/x-ndjson");
        List<JsonObject> lines = pull.bodyAsString().lines().map(JsonObject::new).toList();
        assertThat(lines).extracting(l -> l.getString("status"))
                .contains("resolved", "downloading", "verified", "unpacked").last().isEqualTo("done");
        String digest = lines.get(lines.size() - 1).getString("digest");
        assertThat(digest).startsWith("sha256:");

        JsonArray images = get("/v1/images").bodyAsJsonObject().getJsonArray("images");
        assertThat(images).hasSize(1);
        assertThat(images.getJsonObject(0).getJsonArray("references").getList()).containsExactly(image);

        HttpResponse<Buffer> one = get("/v1/images/" + digest);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.bodyAsJsonObject().getJsonObject("config").getString("os")).isEqualTo("linux");

        inUse.add(images.getJsonObject(0).getString("manifestDigest"));
        HttpResponse<Buffer> refused = send("DELETE", "/v1/images/" + image);
        assertErrorBody(refused, 409, "IMAGE_IN_USE");
        assertThat(get("/v1/images").bodyAsJsonObject().getJsonArray("images")).hasSize(1);

        inUse.clear();
        HttpResponse<Buffer> removed = send("DELETE", "/v1/images/" + image + "?force=false");
        assertThat(removed.statusCode()).isEqualTo(200);
        assertThat(removed.bodyAsJsonObject().getJsonObject("image").getString("digest")).isEqualTo(digest);
        assertThat(get("/v1/images").bodyAsJsonObject().getJsonArray("images")).isEmpty();

        HttpResponse<Buffer> gc = post("/v1/images/gc", null);
        assertThat(gc.statusCode()).isEqualTo(200);
        assertThat(gc.bodyAsJsonObject().getJsonArray("rootfs")).hasSize(1);
        assertThat(gc.bodyAsJsonObject().getLong("bytesFreed")).isPositive();
        assertErrorBody(get("/v1/images/" + digest), 404, "IMAGE_NOT_FOUND");
    }

    @Test
    void aFailedPullEndsTheStreamWithAnErrorLineAndStoresNothing() throws Exception {
        HttpResponse<Buffer> pull = post("/v1/images/pull", new JsonObject().put("reference", hostile));

        assertThat(pull.statusCode()).isEqualTo(200);
        List<String> lines = pull.bodyAsString().lines().toList();
        JsonObject last = new JsonObject(lines.get(lines.size() - 1));
        assertThat(last.getString("status")).isEqualTo("error");
        assertThat(last.getJsonObject("error").getString("code")).isEqualTo("INVALID_LAYER");
        assertThat(last.getJsonObject("error").getString("message")).contains("escape.txt");
        assertThat(get("/v1/images").bodyAsJsonObject().getJsonArray("images")).isEmpty();

        JsonObject missing = new JsonObject(post("/v1/images/pull",
                new JsonObject().put("reference", registry.address() + "/api/missing:1")).bodyAsString().trim());
        assertThat(missing.getJsonObject("error").getString("code")).isEqualTo("IMAGE_NOT_FOUND");
    }

    @Test
    void badInputIsRefusedWithTheErrorEnvelope() throws Exception {
        assertErrorBody(post("/v1/images/pull", new JsonObject()), 400, "INVALID_REQUEST");
        assertErrorBody(post("/v1/images/pull", new JsonObject().put("reference", "no-host")), 400, "INVALID_REFERENCE");
        assertErrorBody(post("/v1/images/pull", new JsonObject().put("reference", image).put("username", "u")),
                400, "INVALID_REQUEST");
        assertErrorBody(post("/v1/images/pull", new JsonObject().put("reference", image).put("extra", "x")),
                400, "INVALID_REQUEST");
        assertErrorBody(post("/v1/images/pull", new JsonObject().put("reference", 5)), 400, "INVALID_REQUEST");
        HttpResponse<Buffer> notJson = client.post("/v1/images/pull").sendBuffer(Buffer.buffer("{nope"))
                .await(30, TimeUnit.SECONDS);
        assertErrorBody(notJson, 400, "INVALID_REQUEST");
        HttpResponse<Buffer> huge = client.post("/v1/images/pull")
                .sendBuffer(Buffer.buffer("{\"reference\":\"" + "a".repeat(100_000) + "\"}")).await(30, TimeUnit.SECONDS);
        assertErrorBody(huge, 413, "BODY_TOO_LARGE");
        assertErrorBody(get("/v1/images/sha256:nothex"), 400, "INVALID_REFERENCE");
        assertErrorBody(get("/v1/images/sha256:" + "0".repeat(64)), 404, "IMAGE_NOT_FOUND");
        assertErrorBody(send("DELETE", "/v1/images/" + image + "?force=maybe"), 400, "INVALID_REQUEST");
        assertErrorBody(send("DELETE", "/v1/images/" + image), 404, "IMAGE_NOT_FOUND");
        assertErrorBody(send("DELETE", "/v1/images/no-host"), 400, "INVALID_REFERENCE");
        assertThat(get("/v1/images").bodyAsJsonObject().getJsonArray("images")).isEmpty();
    }

    private static void assertErrorBody(HttpResponse<Buffer> response, int status, String code) {
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
        JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo(code);
        assertThat(error.getString("message")).isNotBlank();
    }

    private HttpResponse<Buffer> post(String path, JsonObject body) throws Exception {
        var request = client.post(path);
        return (body == null ? request.send() : request.sendJsonObject(body)).await(2, TimeUnit.MINUTES);
    }

    private HttpResponse<Buffer> get(String path) throws Exception {
        return client.get(path).send().await(30, TimeUnit.SECONDS);
    }

    private HttpResponse<Buffer> send(String method, String path) throws Exception {
        return client.request(io.vertx.core.http.HttpMethod.valueOf(method), path).send().await(30, TimeUnit.SECONDS);
    }
}
