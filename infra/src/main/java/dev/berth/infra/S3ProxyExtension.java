package dev.berth.infra;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * {@code @ExtendWith(S3ProxyExtension.class)}: one real S3 server (S3Proxy, objects on a temporary
 * disk directory) per JVM, started lazily and stopped at JVM exit, and a fresh bucket per test class
 * (nested classes share their outer class's bucket). Inject it with a parameter of type
 * {@link S3Bucket} in a constructor, a lifecycle method or a test method.
 */
public final class S3ProxyExtension implements ParameterResolver, BeforeAllCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(S3ProxyExtension.class);
  private static final AtomicInteger BUCKET_COUNTER = new AtomicInteger();

  /** Holder idiom: the server starts on first use, once per JVM. */
  private static final class SharedServer {
    static final S3ProxyServer INSTANCE = startServer();

    private static S3ProxyServer startServer() {
      S3ProxyServer server = S3ProxyServer.startOnTempDisk();
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "s3proxy-shutdown"));
      return server;
    }
  }

  /** The JVM-wide server behind this extension, for tests that need several buckets. */
  public static S3ProxyServer server() {
    return SharedServer.INSTANCE;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    bucket(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext context) {
    return parameterContext.getParameter().getType() == S3Bucket.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
    return bucket(context);
  }

  private static S3Bucket bucket(ExtensionContext context) {
    ExtensionContext classContext = context;
    while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
      classContext = classContext.getParent().get();
    }
    ExtensionContext owner = classContext;
    return owner.getStore(NAMESPACE).getOrComputeIfAbsent("bucket", key -> createBucket(owner), S3Bucket.class);
  }

  private static S3Bucket createBucket(ExtensionContext classContext) {
    // Bucket names: 3-63 of [a-z0-9-], starting and ending with a letter or digit.
    String base = classContext.getTestClass().map(Class::getSimpleName).orElse("test")
        .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "-");
    if (base.length() > 40) {
      base = base.substring(0, 40);
    }
    return server().createBucket("t-" + base + "-" + BUCKET_COUNTER.incrementAndGet());
  }
}
