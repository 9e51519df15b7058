package dev.berth.bench;

import dev.berth.infra.S3ProxyServer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs S3Proxy (infra's S3ProxyServer, objects on disk under DIR) until killed, for registry.sh's
 * Berth-on-S3 target. Prints one line the script waits for:
 * {@code s3proxy ready endpoint=URL region=R access-key=K secret-key=S}.
 */
public final class S3ProxyMain {

  private S3ProxyMain() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: java -cp bench.jar dev.berth.bench.S3ProxyMain DIR");
      System.exit(2);
    }
    Path dir = java.nio.file.Files.createDirectories(Path.of(args[0]));
    S3ProxyServer server = S3ProxyServer.startOnDisk(dir);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    System.out.println("s3proxy ready endpoint=" + server.endpoint() + " region=" + S3ProxyServer.REGION
        + " access-key=" + server.accessKey() + " secret-key=" + server.secretKey());
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
