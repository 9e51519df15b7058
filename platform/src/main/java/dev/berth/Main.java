package dev.berth;

import dev.berth.gateway.GatewayConfig;
import dev.berth.gateway.GatewayVerticle;
import dev.berth.gateway.auth.AuthSettings;
import dev.berth.kit.Config;
import dev.berth.kit.OpsRoutes;
import dev.berth.registry.RegistryConfig;
import dev.berth.registry.RegistryService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The `berth` command: the embedded platform, or one service from its YAML config. */
@Command(name = "berth", mixinStandardHelpOptions = true, version = "berth 0.1.0",
        description = "Self-hosted OCI registry and container platform.",
        subcommands = {Main.Up.class, Main.Registry.class, Main.Gateway.class, BundleCommand.class})
public final class Main {

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Main());
        cli.addSubcommand("agent", new AgentCommand());
        System.exit(cli.execute(args));
    }

    @Command(name = "up", description = "Run the whole platform in this JVM on embedded PostgreSQL and filesystem storage.")
    static final class Up implements Callable<Integer> {
        @Option(names = "--data-dir", description = "Where PostgreSQL data and blobs live (default: ./data).")
        Path dataDir = Path.of("data");
        @Option(names = "--host", description = "Gateway address (default: 127.0.0.1).")
        String host = "127.0.0.1";
        @Option(names = "--port", description = "Gateway port (default: 5000).")
        int port = 5000;
        @Option(names = "--config", description = "YAML config file; BERTH_* env vars override it.")
        Path config;
        @Option(names = "--tls-cert", description = "PEM certificate chain: serve the gateway over TLS (with --tls-key).")
        Path tlsCert;
        @Option(names = "--tls-key", description = "PEM private key (PKCS#8, RSA or EC) of --tls-cert.")
        Path tlsKey;
        @Option(names = "--allow-plain-http",
                description = "Serve plain HTTP on a non-loopback --host (e.g. behind a TLS-terminating proxy).")
        boolean allowPlainHttp;

        @Override
        public Integer call() throws Exception {
            PlatformOptions options = new PlatformOptions(dataDir, host, port, 1);
            Config settings = Config.load(config);
            if ((tlsCert == null) != (tlsKey == null)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--tls-cert and --tls-key go together");
            }
            if (tlsCert != null) {
                settings = settings.with("gateway.tls.cert-file", tlsCert.toAbsolutePath().toString())
                        .with("gateway.tls.key-file", tlsKey.toAbsolutePath().toString());
            }
            if (allowPlainHttp) {
                settings = settings.with("gateway.allow-plain-http", true);
            }
            Config platformConfig = settings;
            return serve(vertx -> Platform.start(vertx, options, platformConfig).map(p -> {
                String addr = p.gatewayAddress();
                System.out.println("Berth is listening on " + p.gatewayUrl() + "  (data: " + dataDir.toAbsolutePath() + ")");
                if (platformConfig.bool(AuthSettings.ENABLED, true)) {
                    System.out.println("Log in:  docker login " + addr + " -u admin   (password: BERTH_ADMIN_PASSWORD,"
                            + " or the one printed above on the first start)");
                } else {
                    System.out.println("Authentication is OFF (gateway.auth.enabled=false): development only.");
                }
                System.out.println("Try:  docker tag busybox " + addr + "/library/busybox:latest && docker push "
                        + addr + "/library/busybox:latest");
                System.out.flush();
                return (Stoppable) p::stop;
            }));
        }
    }

    @Command(name = "registry", description = "Run the registry service alone (PostgreSQL and storage from config).")
    static final class Registry implements Callable<Integer> {
        @Option(names = "--config", description = "YAML config file; BERTH_* env vars override it.")
        Path config;

        @Override
        public Integer call() throws Exception {
            RegistryConfig rc = RegistryConfig.from(Config.load(config));
            return serve(vertx -> RegistryService.start(vertx, rc).map(r -> {
                System.out.println("registry listening on http://" + rc.host() + ":" + r.port());
                return (Stoppable) r::stop;
            }));
        }
    }

    @Command(name = "gateway", description = "Run the gateway alone in front of the configured registry instances.")
    static final class Gateway implements Callable<Integer> {
        @Option(names = "--config", description = "YAML config file; BERTH_* env vars override it.")
        Path config;

        @Override
        public Integer call() throws Exception {
            Config settings = Config.load(config);
            GatewayConfig gc = GatewayConfig.from(settings);
            AuthSettings auth = AuthSettings.from(settings);
            return serve(vertx -> {
                GatewayVerticle gateway = new GatewayVerticle(gc, auth);
                return vertx.deployVerticle(gateway).map(id -> {
                    System.out.println("gateway listening on " + (gc.protection().tls() == null ? "http" : "https")
                            + "://" + gc.host() + ":" + gateway.actualPort());
                    return (Stoppable) () -> vertx.undeploy(id);
                });
            });
        }
    }

    interface Stoppable {
        Future<Void> stop();
    }

    /** Starts a service, then waits for SIGINT/SIGTERM and shuts it down gracefully. */
    static int serve(Function<Vertx, Future<Stoppable>> starter) throws InterruptedException {
        Vertx vertx = Vertx.vertx(OpsRoutes.vertxOptionsWithMetrics());
        Stoppable service;
        try {
            service = starter.apply(vertx).await(5, TimeUnit.MINUTES);
        } catch (Throwable e) {
            // Errors too (a broken classpath): a service that did not start must not linger.
            System.err.println("berth: failed to start: " + e.getMessage());
            e.printStackTrace();
            vertx.close();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("berth: shutting down");
            try {
                service.stop().await(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("berth: shutdown: " + e.getMessage());
            }
            // Closed apart from stop(): a future chained to stop() would report on an event loop that close()
            // has just terminated, and the await above would then wait out its full timeout.
            try {
                vertx.close().await(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("berth: closing: " + e.getMessage());
            }
            stopped.countDown();
        }, "berth-shutdown"));
        stopped.await();
        return 0;
    }
}
