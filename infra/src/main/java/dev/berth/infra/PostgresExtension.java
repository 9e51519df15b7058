package dev.berth.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * {@code @ExtendWith(PostgresExtension.class)}: one real PostgreSQL server per JVM (started
 * lazily, stopped at JVM exit), a fresh database per test class (nested classes share their outer
 * class's database). Inject it with a parameter of type {@link PostgresDatabase} in a constructor,
 * a lifecycle method or a test method.
 */
public final class PostgresExtension implements ParameterResolver, BeforeAllCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(PostgresExtension.class);
  private static final AtomicInteger DATABASE_COUNTER = new AtomicInteger();

  /** Holder idiom: the server starts on first use, once per JVM; zonky's shutdown hook stops it. */
  private static final class SharedServer {
    static final EmbeddedPostgresServer INSTANCE = startServer();

    private static EmbeddedPostgresServer startServer() {
      try {
        return EmbeddedPostgresServer.startEphemeral();
      } catch (IOException e) {
        throw new UncheckedIOException("could not start embedded PostgreSQL for tests", e);
      }
    }
  }

  /** The JVM-wide server behind this extension, for tests that need several databases. */
  public static EmbeddedPostgresServer server() {
    return SharedServer.INSTANCE;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    database(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext context) {
    return parameterContext.getParameter().getType() == PostgresDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
    return database(context);
  }

  // The store looks into parent contexts first, so methods and nested classes find the class's
  // database; a PER_CLASS constructor resolves before beforeAll and simply creates it first.
  private static PostgresDatabase database(ExtensionContext context) {
    ExtensionContext classContext = classContext(context);
    return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(
        "database", key -> createDatabase(classContext), PostgresDatabase.class);
  }

  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext current = context;
    while (current.getTestMethod().isPresent() && current.getParent().isPresent()) {
      current = current.getParent().get();
    }
    return current;
  }

  private static PostgresDatabase createDatabase(ExtensionContext classContext) {
    EmbeddedPostgresServer server = server();
    String base = classContext.getTestClass().map(Class::getSimpleName).orElse("test")
        .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (base.length() > 40) {
      base = base.substring(0, 40);
    }
    String name = "t_" + base + "_" + DATABASE_COUNTER.incrementAndGet();
    server.createDatabase(name);
    return new PostgresDatabase(server.host(), server.port(), name, server.user(), server.password());
  }
}
