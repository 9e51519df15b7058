package dev.berth.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/**
 * A real S3 API server (S3Proxy) in this JVM on a random 127.0.0.1 port, with signed-request
 * credentials. {@link #startOnDisk(Path)} keeps objects as files under a directory, so large test
 * objects cost no heap; {@link #startInMemory()} keeps them on the heap and is for small objects.
 *
 * <p>Needs {@code org.gaul:s3proxy} on the classpath: infra declares it optional, so a module that
 * starts this server adds the dependency itself, in test scope.
 */
public final class S3ProxyServer implements AutoCloseable {

  /** S3Proxy ignores the region, but clients sign with one. */
  public static final String REGION = "us-east-1";

  private final S3Proxy proxy;
  private final BlobStore store;
  private final Path ownedDir;
  private final String accessKey;
  private final String secretKey;

  private S3ProxyServer(S3Proxy proxy, BlobStore store, Path ownedDir, String accessKey, String secretKey) {
    this.proxy = proxy;
    this.store = store;
    this.ownedDir = ownedDir;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
  }

  /** Objects stored as files under {@code dir}, which must exist and is left in place on close. */
  public static S3ProxyServer startOnDisk(Path dir) {
    return start(new FilesystemNio2BlobStore(dir.toAbsolutePath().toString()), null);
  }

  /** Objects stored under a fresh temporary directory that {@link #close()} deletes. */
  public static S3ProxyServer startOnTempDisk() {
    try {
      Path dir = Files.createTempDirectory("berth-s3proxy-");
      return start(new FilesystemNio2BlobStore(dir.toString()), dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for S3Proxy", e);
    }
  }

  /** Objects held on the heap: quick, for small test objects only. */
  public static S3ProxyServer startInMemory() {
    return start(new TransientNio2BlobStore(), null);
  }

  private static S3ProxyServer start(BlobStore store, Path ownedDir) {
    String accessKey = "berth-" + UUID.randomUUID().toString().substring(0, 8);
    String secretKey = UUID.randomUUID().toString();
    S3Proxy proxy = S3Proxy.builder()
        .blobStore(store)
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
        .ignoreUnknownHeaders(true)
        .build();
    try {
      proxy.start();
      // start() returns while Jetty may still be finishing its startup.
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!"STARTED".equals(proxy.getState())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
        }
        Thread.sleep(10);
      }
    } catch (Exception e) {
      stopQuietly(proxy);
      deleteTree(ownedDir);
      throw new IllegalStateException("could not start S3Proxy", e);
    }
    return new S3ProxyServer(proxy, store, ownedDir, accessKey, secretKey);
  }

  public int port() {
    return proxy.getPort();
  }

  /** {@code http://127.0.0.1:<port>}; use path-style addressing. */
  public String endpoint() {
    return "http://127.0.0.1:" + port();
  }

  public String accessKey() {
    return accessKey;
  }

  public String secretKey() {
    return secretKey;
  }

  /** Creates {@code bucket} (a valid S3 bucket name) directly in the backend; existing is fine. */
  public S3Bucket createBucket(String bucket) {
    if (!store.containerExists(bucket)) {
      store.createContainer(bucket);
    }
    return new S3Bucket(endpoint(), REGION, bucket, accessKey, secretKey);
  }

  @Override
  public void close() {
    stopQuietly(proxy);
    store.close();
    deleteTree(ownedDir);
  }

  private static void stopQuietly(S3Proxy proxy) {
    try {
      proxy.stop();
    } catch (Exception e) {
      // Stopping is best effort: the JVM is usually on its way out.
    }
  }

  private static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
