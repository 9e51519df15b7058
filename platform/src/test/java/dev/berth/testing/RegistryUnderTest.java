package dev.berth.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.berth.Platform;
import org.junit.jupiter.api.Assumptions;
import dev.berth.PlatformOptions;
import dev.berth.kit.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests the address of a registry: {@code @ExtendWith(RegistryUnderTest.class)}, then take a
 * {@link RegistryAddress} parameter (test, lifecycle or constructor).
 *
 * <p>With {@code -Dberth.test.registry=127.0.0.1:5001} the tests run against that external registry,
 * e.g. CNCF distribution, which checks the tests themselves. Otherwise one Berth {@link Platform} is
 * started per test run (the JUnit root store, so per JVM) on a fresh data dir under {@code target/},
 * and stopped when the run ends.
 */
public final class RegistryUnderTest implements ParameterResolver {

    public static final String EXTERNAL_REGISTRY_PROPERTY = "berth.test.registry";

    public static final String ADMIN_USER = "admin";
    private static final String ADMIN_PASSWORD = "test-admin-password";
    private static final long START_TIMEOUT_SECONDS = 120;
    private static final long STOP_TIMEOUT_SECONDS = 60;

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == RegistryAddress.class || type == EventStream.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context)
            throws ParameterResolutionException {
        Running running = context.getRoot()
                .getStore(ExtensionContext.Namespace.create(RegistryUnderTest.class))
                .getOrComputeIfAbsent(Running.class, key -> start(), Running.class);
        if (parameter.getParameter().getType() == EventStream.class) {
            // Only an in-process Berth has an event stream to read; an external registry is a peer check.
            Assumptions.assumeTrue(running.platform() != null, "an external registry has no Berth event stream");
            return new EventStream(running.platform().kafkaBootstrapServers());
        }
        return running.address();
    }

    /** True when the suite is pointed at an external registry instead of an in-process Berth. */
    public static boolean usesExternalRegistry() {
        String external = System.getProperty(EXTERNAL_REGISTRY_PROPERTY);
        return external != null && !external.isBlank();
    }

    private static Running start() {
        if (usesExternalRegistry()) {
            RegistryAddress address = new RegistryAddress(System.getProperty(EXTERNAL_REGISTRY_PROPERTY).trim());
            System.out.println("registry under test: external " + address);
            return new Running(address, null, null, null);
        }
        Path dataDir = createDataDir();
        Vertx vertx = Vertx.vertx();
        try {
            // Authentication on, as berth up runs: the suites log in as the admin, the way their
            // clients do (docker login, skopeo --creds, tokens from /token for plain HTTP).
            Config config = Config.load(null).with("admin-password", ADMIN_PASSWORD);
            Platform platform = await(Platform.start(vertx, PlatformOptions.forTests(dataDir), config), START_TIMEOUT_SECONDS);
            RegistryAddress address = new RegistryAddress(platform.gatewayAddress(), ADMIN_USER, ADMIN_PASSWORD);
            System.out.println("registry under test: Berth platform at " + address + ", data in " + dataDir);
            return new Running(address, vertx, platform, dataDir);
        } catch (RuntimeException | Error e) {
            vertx.close();
            throw new IllegalStateException("the Berth platform did not start (data dir " + dataDir + ")", e);
        }
    }

    private static Path createDataDir() {
        try {
            Path parent = Path.of("target", "registry-under-test").toAbsolutePath();
            Files.createDirectories(parent);
            return Files.createTempDirectory(parent, "platform-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T await(Future<T> future, long seconds) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no answer within " + seconds + " s", e);
        }
    }

    /** Closed by JUnit when the root store closes, i.e. after the last test of the run. */
    private record Running(RegistryAddress address, Vertx vertx, Platform platform, Path dataDir)
            implements AutoCloseable {

        @Override
        public void close() {
            if (platform == null) {
                return;
            }
            try {
                await(platform.stop(), STOP_TIMEOUT_SECONDS);
            } finally {
                await(vertx.close(), STOP_TIMEOUT_SECONDS);
                deleteTree(dataDir);
            }
        }

        private static void deleteTree(Path root) {
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                System.err.println("could not delete " + root + ": " + e);
            }
        }
    }
}
