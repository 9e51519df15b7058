package dev.berth.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * {@code @ExtendWith(KafkaExtension.class)}: one real Kafka broker per JVM (started lazily, its
 * temporary data deleted at JVM exit), injected as a {@link KafkaBroker} parameter in a
 * constructor, a lifecycle method or a test method. Classes share the broker, so each test uses
 * its own topic and consumer group names. A test may {@link KafkaBroker#stop()} and
 * {@link KafkaBroker#restart()} it; one that leaves it stopped gets it restarted after it.
 */
public final class KafkaExtension implements ParameterResolver, AfterEachCallback {

  // Set once the shared broker exists, so afterEach can look without starting it.
  private static volatile KafkaBroker started;

  /** Holder idiom: the broker starts on first use, once per JVM. */
  private static final class SharedBroker {
    static final KafkaBroker INSTANCE = startBroker();

    private static KafkaBroker startBroker() {
      try {
        Path dir = Files.createTempDirectory("berth-kafka-");
        KafkaBroker broker = KafkaBroker.start(dir, 0);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          broker.close();
          deleteRecursively(dir);
        }, "berth-kafka-test-shutdown"));
        started = broker;
        return broker;
      } catch (IOException e) {
        throw new UncheckedIOException("could not start a Kafka broker for tests", e);
      }
    }
  }

  /** The JVM-wide broker behind this extension. */
  public static KafkaBroker broker() {
    return SharedBroker.INSTANCE;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext context) {
    return parameterContext.getParameter().getType() == KafkaBroker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
    return broker();
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    KafkaBroker broker = started;
    if (broker != null) {
      broker.restart();
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // a leftover temp dir is harmless
    }
  }
}
