package dev.berth.gateway;

import static dev.berth.gateway.GatewayProxyTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.gateway.protect.Protection;
import dev.berth.gateway.protect.ProtectionConfig;
import dev.berth.gateway.protect.RateLimit;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rate limits on a real gateway (two event loops) in front of a fake registry. */
class GatewayRateLimitTest {

    /** So slow that no token comes back during a test: a test sees exactly the burst. */
    private static final double NO_REFILL = 0.001;

    private Vertx vertx;
    private FakeRegistry upstream;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        upstream = new FakeRegistry(vertx, "a").start();
    }

    @AfterEach
    void stop() throws Exception {
        await(vertx.close());
    }

    @Test
    void aClientIpGetsItsBurstOnceAcrossAllEventLoops() throws Exception {
        String base = gateway(ProtectionConfig.DEFAULTS.withRateLimits(new RateLimit(NO_REFILL, 4), RateLimit.OFF));
        int granted = 0;
        for (int i = 0; i < 12; i++) {
            // A client per request: a new connection each time, spread over the gateway's event loops.
            HttpResponse<String> resp = send(HttpClient.newHttpClient(), get(base + "/v2/"));
            if (resp.statusCode() == 200) {
                granted++;
                continue;
            }
            assertThat(resp.statusCode()).isEqualTo(429);
            assertThat(Long.parseLong(resp.headers().firstValue("Retry-After").orElseThrow())).isPositive();
            JsonObject error = new JsonObject(resp.body()).getJsonArray("errors").getJsonObject(0);
            assertThat(error.getString("code")).isEqualTo("TOOMANYREQUESTS");
            assertThat(error.getString("message")).contains("rate limit");
        }
        assertThat(granted).isEqualTo(4);
        assertThat(upstream.requests()).hasSize(4);
    }

    @Test
    void apiPathsAnswerInBerthsEnvelope() throws Exception {
        String base = gateway(ProtectionConfig.DEFAULTS.withRateLimits(new RateLimit(NO_REFILL, 1), RateLimit.OFF));
        HttpClient http = HttpClient.newHttpClient();
        assertThat(send(http, get(base + "/api/v1/things")).statusCode()).isEqualTo(404);
        HttpResponse<String> limited = send(http, get(base + "/api/v1/things"));
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(new JsonObject(limited.body()).getJsonObject("error").getString("code"))
                .isEqualTo("too_many_requests");
        assertThat(send(http, get(base + "/health")).statusCode()).as("ops routes are not limited").isEqualTo(200);
    }

    @Test
    void aLimitedClientSucceedsOnceRetryAfterHasPassed() throws Exception {
        String base = gateway(ProtectionConfig.DEFAULTS.withRateLimits(new RateLimit(1, 1), RateLimit.OFF));
        HttpClient http = HttpClient.newHttpClient();
        send(http, get(base + "/v2/"));
        HttpResponse<String> limited = send(http, get(base + "/v2/"));
        // Only a machine slower than one request a second would see a refilled token here.
        for (int i = 0; i < 100 && limited.statusCode() == 200; i++) {
            limited = send(http, get(base + "/v2/"));
        }
        assertThat(limited.statusCode()).isEqualTo(429);
        long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isEqualTo(1);
        Thread.sleep(retryAfter * 1000);
        assertThat(send(http, get(base + "/v2/")).statusCode()).isEqualTo(200);
    }

    @Test
    void aRejectedUploadStillReadsIts429() throws Exception {
        String base = gateway(ProtectionConfig.DEFAULTS.withRateLimits(new RateLimit(NO_REFILL, 1), RateLimit.OFF));
        HttpClient http = HttpClient.newHttpClient();
        send(http, get(base + "/v2/"));
        HttpResponse<String> resp = send(http, HttpRequest.newBuilder(URI.create(base + "/v2/test/blobs/uploads/u1"))
                .method("PATCH", BodyPublishers.ofByteArray(new byte[4 * 1024 * 1024])).build());
        assertThat(resp.statusCode()).isEqualTo(429);
        assertThat(upstream.requests()).hasSize(1);
    }

    @Test
    void forwardedClientsBehindATrustedProxyHaveTheirOwnBuckets() throws Exception {
        ProtectionConfig config = new ProtectionConfig(new RateLimit(NO_REFILL, 1), RateLimit.OFF, 1000,
                List.of("127.0.0.0/8"), null, false, 4096, 1024);
        String base = gateway(config);
        HttpClient http = HttpClient.newHttpClient();
        assertThat(send(http, forwarded(base, "203.0.113.1")).statusCode()).isEqualTo(200);
        assertThat(send(http, forwarded(base, "203.0.113.1")).statusCode()).isEqualTo(429);
        assertThat(send(http, forwarded(base, "203.0.113.2")).statusCode()).isEqualTo(200);
    }

    @Test
    void forwardedForFromAnUntrustedPeerIsIgnored() throws Exception {
        String base = gateway(ProtectionConfig.DEFAULTS.withRateLimits(new RateLimit(NO_REFILL, 1), RateLimit.OFF));
        HttpClient http = HttpClient.newHttpClient();
        assertThat(send(http, forwarded(base, "203.0.113.1")).statusCode()).isEqualTo(200);
        assertThat(send(http, forwarded(base, "203.0.113.2")).statusCode()).isEqualTo(429);
    }

    @Test
    void eachCallerHasItsOwnLimitAndAnonymousOnesPassToTheIpLimit() throws Exception {
        Protection protection = new Protection(
                ProtectionConfig.DEFAULTS.withRateLimits(RateLimit.OFF, new RateLimit(NO_REFILL, 2)));
        protection.start(vertx);
        // Stands in for the authentication handler: the caller named in a test header.
        Router router = Router.router(vertx);
        router.route().handler(ctx -> {
            String user = ctx.request().getHeader("X-Test-User");
            if (user != null) {
                new Caller(user, "user").attachTo(ctx);
            }
            ctx.next();
        });
        router.route().handler(protection.identityRateLimit());
        router.route().handler(ctx -> ctx.response().end("ok"));
        HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
        String base = "http://127.0.0.1:" + server.actualPort();
        HttpClient http = HttpClient.newHttpClient();
        assertThat(send(http, as(base, "alice")).statusCode()).isEqualTo(200);
        assertThat(send(http, as(base, "alice")).statusCode()).isEqualTo(200);
        HttpResponse<String> limited = send(http, as(base, "alice"));
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        assertThat(limited.body()).contains("identity");
        assertThat(send(http, as(base, "bob")).statusCode()).isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            assertThat(send(http, get(base + "/v2/")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void offByDefault() throws Exception {
        String base = gateway(ProtectionConfig.DEFAULTS);
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 50; i++) {
            assertThat(send(http, get(base + "/v2/")).statusCode()).isEqualTo(200);
        }
    }

    private String gateway(ProtectionConfig protection) throws Exception {
        GatewayVerticle gateway = new GatewayVerticle(
                new GatewayConfig("127.0.0.1", 0, List.of(upstream.url()), null, 100, 2).withProtection(protection));
        await(vertx.deployVerticle(gateway));
        return "http://127.0.0.1:" + gateway.actualPort();
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).build();
    }

    private static HttpRequest forwarded(String base, String client) {
        return HttpRequest.newBuilder(URI.create(base + "/v2/")).header("X-Forwarded-For", client).build();
    }

    private static HttpRequest as(String base, String user) {
        return HttpRequest.newBuilder(URI.create(base + "/v2/")).header("X-Test-User", user).build();
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request) throws Exception {
        return http.send(request, BodyHandlers.ofString());
    }
}
