package dev.berth;

import dev.berth.gateway.GatewayConfig;
import dev.berth.gateway.GatewayVerticle;
import dev.berth.gateway.LocalRegistry;
import dev.berth.gateway.auth.AuthSettings;
import dev.berth.gateway.auth.SigningKey;
import dev.berth.infra.EmbeddedPostgresServer;
import dev.berth.infra.KafkaBroker;
import dev.berth.kit.Config;
import dev.berth.registry.RegistryConfig;
import dev.berth.registry.RegistryService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole platform in one JVM on embedded infrastructure: PostgreSQL from Maven binaries (data
 * under dataDir/postgres), a single-node Kafka broker (dataDir/kafka) for push events, the registry
 * on filesystem storage (dataDir/blobs), and the gateway in front of it (its audit log in database
 * berth_gateway). Everything survives a restart on the same data dir.
 */
public final class Platform {

    private static final Logger LOG = LoggerFactory.getLogger(Platform.class);
    static final String GATEWAY_DATABASE = "berth_gateway";
    static final String SIGNING_KEY = "token-signing-key.pem";

    private final Vertx vertx;
    private final EmbeddedPostgresServer postgres;
    private final KafkaBroker kafka;
    private final List<RegistryService> registries;
    private final List<String> gatewayDeployments;
    private final String host;
    private final int gatewayPort;
    private final boolean tls;

    private Platform(Vertx vertx, EmbeddedPostgresServer postgres, KafkaBroker kafka, List<RegistryService> registries,
                     List<String> gatewayDeployments, String host, int gatewayPort, boolean tls) {
        this.vertx = vertx;
        this.postgres = postgres;
        this.kafka = kafka;
        this.registries = registries;
        this.gatewayDeployments = gatewayDeployments;
        this.host = host;
        this.gatewayPort = gatewayPort;
        this.tls = tls;
    }

    public static Future<Platform> start(Vertx vertx, PlatformOptions options) {
        return start(vertx, options, Config.load(null));
    }

    /** Starts with {@code base} settings (YAML and BERTH_* env) under the embedded infrastructure's. */
    public static Future<Platform> start(Vertx vertx, PlatformOptions options, Config base) {
        Path data = options.dataDir().toAbsolutePath();
        return vertx.executeBlocking(() -> {
            Files.createDirectories(data);
            EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data.resolve("postgres"), 0);
            pg.createDatabase("berth");
            // The gateway's own database: its audit log, users, robots and namespaces.
            pg.createDatabase(GATEWAY_DATABASE);
            if (base.bool(AuthSettings.ENABLED, true)) {
                // The registries start first and need the gateway's public key.
                SigningKey.loadOrCreate(data.resolve(SIGNING_KEY));
            }
            try {
                return new Infrastructure(pg, KafkaBroker.start(data.resolve("kafka"), 0));
            } catch (IOException | RuntimeException e) {
                pg.close();
                throw e;
            }
        }).compose(infra -> {
            EmbeddedPostgresServer pg = infra.postgres();
            Config config = base
                    .with("registry.host", "127.0.0.1")
                    .with("registry.port", 0)
                    .with("registry.storage.root-dir", data.resolve("blobs").toString())
                    .with("registry.database.host", "127.0.0.1")
                    .with("registry.database.port", pg.port())
                    .with("registry.database.name", "berth")
                    .with("registry.database.user", pg.user())
                    .with("registry.database.password", pg.password())
                    .with("registry.events.kafka-bootstrap-servers", infra.kafka().bootstrapServers())
                    .with("gateway.database.host", "127.0.0.1")
                    .with("gateway.database.port", pg.port())
                    .with("gateway.database.name", GATEWAY_DATABASE)
                    .with("gateway.database.user", pg.user())
                    .with("gateway.database.password", pg.password())
                    .with(AuthSettings.SIGNING_KEY_FILE, data.resolve(SIGNING_KEY).toString());
            if (config.bool(AuthSettings.ENABLED, true)) {
                config = config.with("registry.auth.public-key-file",
                        SigningKey.publicKeyFile(data.resolve(SIGNING_KEY)).toString());
            }
            RegistryConfig registryConfig = RegistryConfig.from(config);
            Config settings = config;
            List<RegistryService> registries = new ArrayList<>();
            Future<?> chain = Future.succeededFuture();
            for (int i = 0; i < options.registryInstances(); i++) {
                chain = chain.compose(v -> RegistryService.start(vertx, registryConfig).map(registries::add));
            }
            return chain.compose(v -> startGateway(vertx, options, settings, registries))
                    .map(gw -> new Platform(vertx, pg, infra.kafka(), registries, gw.deployments, options.host(), gw.port,
                            gw.tls))
                    .onSuccess(p -> LOG.info("platform up: gateway on {}, data in {}", p.gatewayAddress(), data))
                    .recover(e -> {
                        Future<?> stops = Future.join(registries.stream().map(RegistryService::stop).toList());
                        return stops.transform(x -> vertx.executeBlocking(() -> {
                            infra.close();
                            return null;
                        })).transform(x -> Future.failedFuture(e));
                    });
        });
    }

    private record Gateway(List<String> deployments, int port, boolean tls) {
    }

    private record Infrastructure(EmbeddedPostgresServer postgres, KafkaBroker kafka) {
        void close() {
            try {
                kafka.close();
            } finally {
                postgres.close();
            }
        }
    }

    private static Future<Gateway> startGateway(Vertx vertx, PlatformOptions options, Config config,
                                                List<RegistryService> registries) {
        List<String> upstreams = registries.stream().map(r -> "http://127.0.0.1:" + r.port()).toList();
        GatewayConfig base = GatewayConfig.from(config
                .with("gateway.host", options.host())
                .with("gateway.port", options.gatewayPort())
                .with("gateway.upstreams", String.join(",", upstreams)));
        // The gateway verticle serves its port on several event loops itself (gateway.instances).
        // One registry instance (the default) is served in-process by the gateway: no second HTTP hop.
        // With several, the gateway proxies and round-robins over their ports, as in production.
        GatewayVerticle gateway = registries.size() == 1
                ? new GatewayVerticle(base, AuthSettings.from(config), inProcess(registries.get(0), vertx))
                : new GatewayVerticle(base, AuthSettings.from(config));
        return vertx.deployVerticle(gateway)
                .map(id -> new Gateway(List.of(id), gateway.actualPort(), base.protection().tls() != null));
    }

    /** The one registry's routes, for the gateway to serve in-process. */
    private static LocalRegistry inProcess(RegistryService registry, Vertx vertx) {
        return new LocalRegistry() {
            @Override
            public void mountDistribution(Router router) {
                registry.mountDistribution(router);
            }

            @Override
            public void mountRest(Router router) {
                registry.mountRest(router, vertx);
            }
        };
    }

    public int gatewayPort() {
        return gatewayPort;
    }

    /** Where each registry instance behind the gateway listens, on loopback. */
    public List<Integer> registryPorts() {
        return registries.stream().map(RegistryService::port).toList();
    }

    /** The embedded Kafka broker that carries the platform's push events. */
    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String gatewayAddress() {
        return host + ":" + gatewayPort;
    }

    /** The gateway's base URL: https when it serves TLS. */
    public String gatewayUrl() {
        return (tls ? "https://" : "http://") + gatewayAddress();
    }

    /** Stops the gateway, then the registries, then PostgreSQL: nothing is cut off mid-write. */
    public Future<Void> stop() {
        Future<?> gateways = Future.join(gatewayDeployments.stream().<Future<?>>map(vertx::undeploy).toList());
        return gateways
                .transform(x -> Future.join(registries.stream().<Future<?>>map(RegistryService::stop).toList()))
                .transform(x -> vertx.executeBlocking(() -> {
                    new Infrastructure(postgres, kafka).close();
                    return null;
                }, false))
                .mapEmpty();
    }
}
