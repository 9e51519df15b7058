package dev.berth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The files every registry in one run is measured with. They are generated once ({@link #prepare}) and then
 * loaded by each driver process ({@link #load}), so all registries receive byte-identical blobs.
 * Digests are computed while generating and kept in {@code digests.txt}: hashing 1 GiB again per registry
 * would only lengthen the run.
 */
record Workload(List<BlobFile> large, List<List<BlobFile>> smallRounds, BlobFile warmUpLarge,
                List<BlobFile> warmUpSmall, BlobFile imageLayer) {

  static final long MIB = 1024 * 1024;
  static final long LARGE_SIZE = 256 * MIB;
  static final int LARGE_RUNS = 3;
  static final long SMALL_SIZE = MIB;
  static final int SMALL_COUNT = 100;
  static final int SMALL_ROUNDS = 3;
  static final long WARM_UP_LARGE_SIZE = 32 * MIB;
  static final int WARM_UP_SMALL_COUNT = 20;
  static final long IMAGE_LAYER_SIZE = 4096;

  private static final String INDEX = "digests.txt";

  /** Generates every file under {@code dir} with pseudo-random (incompressible) content. */
  static Workload prepare(Path dir) {
    try {
      Files.createDirectories(dir);
      // Each file gets its own seed so that no two blobs share a digest, across rounds and runs.
      SplittableRandom seeds = new SplittableRandom(0x8e27L);
      Map<String, BlobFile> files = new LinkedHashMap<>();
      for (String name : names()) {
        files.put(name, generate(dir.resolve(name), sizeOf(name), seeds.nextLong()));
      }
      StringBuilder index = new StringBuilder();
      files.forEach((name, f) -> index.append(name).append(' ').append(f.size()).append(' ')
          .append(f.digest()).append('\n'));
      Files.writeString(dir.resolve(INDEX), index.toString(), StandardCharsets.UTF_8);
      return assemble(files);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads what {@link #prepare} wrote. */
  static Workload load(Path dir) {
    try {
      Map<String, BlobFile> files = new LinkedHashMap<>();
      for (String line : Files.readAllLines(dir.resolve(INDEX), StandardCharsets.UTF_8)) {
        String[] parts = line.split(" ");
        files.put(parts[0], new BlobFile(dir.resolve(parts[0]), Long.parseLong(parts[1]), parts[2]));
      }
      return assemble(files);
    } catch (IOException e) {
      throw new UncheckedIOException("no workload in " + dir + " (run 'prepare' first)", e);
    }
  }

  private static List<String> names() {
    List<String> names = new ArrayList<>();
    for (int run = 1; run <= LARGE_RUNS; run++) {
      names.add("large-" + run + ".bin");
    }
    for (int round = 1; round <= SMALL_ROUNDS; round++) {
      for (int i = 0; i < SMALL_COUNT; i++) {
        names.add(smallName(round, i));
      }
    }
    names.add("warm-up-large.bin");
    for (int i = 0; i < WARM_UP_SMALL_COUNT; i++) {
      names.add(warmUpSmallName(i));
    }
    names.add("image-layer.bin");
    return names;
  }

  private static long sizeOf(String name) {
    if (name.startsWith("large-")) {
      return LARGE_SIZE;
    }
    if (name.equals("warm-up-large.bin")) {
      return WARM_UP_LARGE_SIZE;
    }
    if (name.equals("image-layer.bin")) {
      return IMAGE_LAYER_SIZE;
    }
    return SMALL_SIZE;
  }

  private static String smallName(int round, int i) {
    return String.format("small-%d-%03d.bin", round, i);
  }

  private static String warmUpSmallName(int i) {
    return String.format("warm-up-small-%03d.bin", i);
  }

  private static Workload assemble(Map<String, BlobFile> files) {
    List<BlobFile> large = new ArrayList<>();
    for (int run = 1; run <= LARGE_RUNS; run++) {
      large.add(files.get("large-" + run + ".bin"));
    }
    List<List<BlobFile>> rounds = new ArrayList<>();
    for (int round = 1; round <= SMALL_ROUNDS; round++) {
      List<BlobFile> blobs = new ArrayList<>();
      for (int i = 0; i < SMALL_COUNT; i++) {
        blobs.add(files.get(smallName(round, i)));
      }
      rounds.add(blobs);
    }
    List<BlobFile> warmUpSmall = new ArrayList<>();
    for (int i = 0; i < WARM_UP_SMALL_COUNT; i++) {
      warmUpSmall.add(files.get(warmUpSmallName(i)));
    }
    return new Workload(large, rounds, files.get("warm-up-large.bin"), warmUpSmall, files.get("image-layer.bin"));
  }

  private static BlobFile generate(Path path, long size, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    MessageDigest sha256 = sha256();
    ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(size, MIB));
    try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      long left = size;
      while (left > 0) {
        int n = (int) Math.min(left, chunk.capacity());
        chunk.clear();
        while (chunk.position() + Long.BYTES <= n) {
          chunk.putLong(random.nextLong());
        }
        while (chunk.position() < n) {
          chunk.put((byte) random.nextInt());
        }
        chunk.flip();
        sha256.update(chunk.array(), 0, n);
        while (chunk.hasRemaining()) {
          out.write(chunk);
        }
        left -= n;
      }
    }
    return new BlobFile(path, size, "sha256:" + HexFormat.of().formatHex(sha256.digest()));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK ships SHA-256", e);
    }
  }
}
