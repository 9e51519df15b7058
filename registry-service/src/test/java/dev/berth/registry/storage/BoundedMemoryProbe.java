package dev.berth.registry.storage;

import dev.berth.kit.Config;
import dev.berth.oci.Digester;
import dev.berth.registry.RegistryConfig;
import dev.berth.registry.RegistryService;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Proves that a driver streams: a child JVM whose heap is smaller than the body writes it through
 * {@link BlobDriver#openForAppend}, moves it, reads it back and prints its digest. A driver that held
 * the body in memory would die of OutOfMemoryError instead. No timing is measured.
 */
final class BoundedMemoryProbe {

    static final long SEED = 64;

    record Result(int exitCode, String output) {
    }

    private BoundedMemoryProbe() {
    }

    static Result runInChildJvm(Map<String, String> storage, int mebibytes, String maxHeap) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Surefire runs tests from a manifest-only jar; it also publishes the real test classpath.
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + maxHeap, "-XX:+ExitOnOutOfMemoryError",
                "-cp", classpath, BoundedMemoryProbe.class.getName(), Integer.toString(mebibytes)));
        storage.forEach((key, value) -> command.add(key + "=" + value));
        File log = File.createTempFile("bounded-memory-probe", ".log");
        try {
            Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
            if (!child.waitFor(10, TimeUnit.MINUTES)) {
                child.destroyForcibly();
                return new Result(-1, "the child JVM did not finish");
            }
            return new Result(child.exitValue(), Files.readString(log.toPath(), StandardCharsets.UTF_8));
        } finally {
            log.delete();
        }
    }

    /** Child side: {@code <mebibytes> key=value...}, the keys being registry.storage.* settings. */
    public static void main(String[] args) {
        try {
            probe(args);
            System.exit(0);
        } catch (Throwable e) {
            // Vert.x threads would keep a failed child alive: exit explicitly.
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void probe(String[] args) throws Exception {
        long size = Long.parseLong(args[0]) * 1024 * 1024;
        Config config = Config.of(Map.of(), Map.of());
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            config = config.with(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        RegistryConfig registry = RegistryConfig.from(config);
        Vertx vertx = Vertx.vertx();
        Context context = vertx.getOrCreateContext();
        Promise<String> digest = Promise.promise();
        context.runOnContext(v -> RegistryService.openStorage(vertx, registry).compose(driver ->
                driver.openForAppend("probe/upload", 0)
                        .compose(stream -> GeneratedStream.of(context, SEED, size).pipeTo(stream))
                        .compose(x -> driver.move("probe/upload", "probe/blob"))
                        .compose(x -> driver.read("probe/blob", 0, size))
                        .compose(BoundedMemoryProbe::hash)
                        .eventually(() -> driver.delete("probe"))
                        .eventually(driver::close))
                .onComplete(digest));
        String result = digest.future().toCompletionStage().toCompletableFuture().get(9, TimeUnit.MINUTES);
        Runtime runtime = Runtime.getRuntime();
        System.out.println("digest " + result);
        System.out.println("max heap " + runtime.maxMemory() / (1024 * 1024) + " MiB");
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static Future<String> hash(ReadStream<Buffer> stream) {
        Digester digester = Digester.sha256();
        Promise<String> done = Promise.promise();
        stream.handler(digester::update);
        stream.exceptionHandler(done::tryFail);
        stream.endHandler(v -> done.tryComplete(digester.digest().toString()));
        return done.future();
    }
}
