package dev.berth.bench;

import dev.berth.infra.EmbeddedPostgresServer;
import dev.berth.kit.Database;
import dev.berth.kit.DatabaseConfig;
import dev.berth.registry.gc.GarbageCollector;
import dev.berth.registry.gc.GcReport;
import dev.berth.registry.gc.GcSettings;
import dev.berth.registry.storage.BlobStore;
import dev.berth.registry.storage.FilesystemDriver;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Times the registry's garbage collector over a large registry: BLOBS blobs (default 100,000) in 100
 * repositories, one manifest per 10 blobs, every other manifest tagged, all rows past the grace
 * period, generated with {@code generate_series} straight into an embedded PostgreSQL, and a 1-byte
 * object per blob on the filesystem driver. Three runs, in order:
 *
 * <ol>
 *   <li>{@code idle}: untagged manifests kept, so nothing is garbage: the cost of looking;
 *   <li>{@code dry}: the dry run with {@code delete-untagged}: the mark query, nothing deleted;
 *   <li>{@code real}: the real run with {@code delete-untagged}: half the manifests, links, blob rows
 *       and files go.
 * </ol>
 *
 * <p>Prints {@code gc RUN seconds=S us_per_blob=U manifests=.. blobs=.. bytes=..} per run, then ratios.
 * Usage: {@code java -cp bench.jar dev.berth.bench.GcBench WORK_DIR [BLOBS]}.
 */
public final class GcBench {

  private static final int REPOSITORIES = 100;
  private static final int BLOBS_PER_MANIFEST = 10;

  private GcBench() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: java -cp bench.jar dev.berth.bench.GcBench WORK_DIR [BLOBS]");
      System.exit(2);
    }
    Path work = Path.of(args[0]);
    int blobs = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    Vertx vertx = Vertx.vertx();
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(work.resolve("postgres"), 0)) {
      pg.createDatabase("gcbench");
      DatabaseConfig db = new DatabaseConfig("127.0.0.1", pg.port(), "gcbench", pg.user(), pg.password(), 8);
      Database.migrate(vertx, db, "classpath:db/registry").await(2, TimeUnit.MINUTES);
      Pool pool = Database.pool(vertx, db);
      long started = System.nanoTime();
      generate(pool, blobs);
      writeObjects(work.resolve("blobs"), blobs);
      System.out.printf("gc setup blobs=%d manifests=%d seconds=%.1f%n", blobs, blobs / BLOBS_PER_MANIFEST,
          (System.nanoTime() - started) / 1e9);

      BlobStore store = new BlobStore(new FilesystemDriver(vertx, work.resolve("blobs")));
      GcSettings keep = new GcSettings(null, false, Duration.ofHours(1), Duration.ofHours(24));
      GcSettings untagged = keep.withDeleteUntagged(true);
      double idle = time("idle", blobs, () -> new GarbageCollector(pool, store, keep).collect());
      double dry = time("dry", blobs, () -> new GarbageCollector(pool, store, untagged).estimate());
      double real = time("real", blobs, () -> new GarbageCollector(pool, store, untagged).collect());
      System.out.printf("gc ratio real/dry=%.2f real/idle=%.2f%n", real / dry, real / idle);
      pool.close().await(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static double time(String name, int blobs, Supplier<io.vertx.core.Future<GcReport>> run) throws Exception {
    long start = System.nanoTime();
    GcReport report = run.get().await(30, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("gc %s seconds=%.2f us_per_blob=%.1f manifests=%d links=%d blobs=%d bytes=%d%n", name, seconds,
        seconds * 1e6 / blobs, report.manifests(), report.blobLinks(), report.blobs(), report.blobBytes());
    return seconds;
  }

  /** Rows straight from SQL: far faster than pushing, and the collector only ever reads rows. */
  private static void generate(Pool pool, int blobs) throws Exception {
    String blob = "'sha256:' || encode(sha256(convert_to('blob' || i, 'UTF8')), 'hex')";
    String manifestOfBlob = "'sha256:' || encode(sha256(convert_to('manifest' || (i / 10), 'UTF8')), 'hex')";
    String manifest = "'sha256:' || encode(sha256(convert_to('manifest' || m, 'UTF8')), 'hex')";
    String repoOfBlob = "'bench/r' || ((i / 10) % " + REPOSITORIES + ")";
    String repo = "'bench/r' || (m % " + REPOSITORIES + ")";
    int manifests = blobs / BLOBS_PER_MANIFEST;
    String old = "now() - interval '2 hours'";
    for (String sql : List.of(
        "insert into repositories (name) select 'bench/r' || r from generate_series(0, " + (REPOSITORIES - 1) + ") r",
        "insert into blobs (digest, size) select " + blob + ", 1 from generate_series(0, " + (blobs - 1) + ") i",
        "insert into manifests (repository, digest, media_type, content_type, size, content, touched_at) select "
            + repo + ", " + manifest + ", 'application/vnd.oci.image.manifest.v1+json', "
            + "'application/vnd.oci.image.manifest.v1+json', 2, '\\x7b7d'::bytea, " + old
            + " from generate_series(0, " + (manifests - 1) + ") m",
        "insert into manifest_references (repository, manifest, digest, kind) select " + repoOfBlob + ", "
            + manifestOfBlob + ", " + blob + ", 'blob' from generate_series(0, " + (blobs - 1) + ") i",
        "insert into repository_blobs (repository, digest, touched_at) select " + repoOfBlob + ", " + blob + ", " + old
            + " from generate_series(0, " + (blobs - 1) + ") i",
        "insert into tags (repository, name, digest) select " + repo + ", 't' || m, " + manifest
            + " from generate_series(0, " + (manifests - 1) + ") m where m % 2 = 0",
        "analyze")) {
      pool.query(sql).execute().await(10, TimeUnit.MINUTES);
    }
  }

  /** A 1-byte object per blob, where the filesystem driver keeps it. */
  private static void writeObjects(Path root, int blobs) throws Exception {
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    byte[] one = {1};
    for (int i = 0; i < blobs; i++) {
      String hex = HexFormat.of().formatHex(sha.digest(("blob" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      Path file = root.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex);
      Files.createDirectories(file.getParent());
      Files.write(file, one);
    }
  }
}
