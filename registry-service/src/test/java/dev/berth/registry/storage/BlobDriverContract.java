package dev.berth.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every {@link BlobDriver} must do, in one suite that each driver's test extends (the way CNCF
 * distribution's drivers share one test suite). Each test uses its own paths, so the suite shares one
 * driver and one store per class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BlobDriverContract {

    private static final int MIB = 1024 * 1024;

    protected Vertx vertx;
    protected Context context;
    protected BlobDriver driver;

    /** The driver under test, over a fresh, empty store. */
    protected abstract Future<BlobDriver> openDriver(Vertx vertx);

    /** {@code registry.storage.*} settings that open the same store in another JVM. */
    protected abstract Map<String, String> storageSettings();

    @BeforeAll
    void openTheDriver() throws Exception {
        vertx = Vertx.vertx();
        context = vertx.getOrCreateContext();
        driver = run(() -> openDriver(vertx));
    }

    @AfterAll
    void closeTheDriver() throws Exception {
        if (driver != null) {
            run(() -> driver.close());
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** Runs a driver operation on a Vert.x context, as the registry does, and waits for it. */
    protected <T> T run(Supplier<Future<T>> operation) throws Exception {
        Promise<T> done = Promise.promise();
        context.runOnContext(v -> {
            try {
                operation.get().onComplete(done);
            } catch (RuntimeException e) {
                done.fail(e);
            }
        });
        try {
            return done.future().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // A hang is a bug to find: leave every thread's stack in the test output.
            Thread.getAllStackTraces().forEach((thread, stack) -> {
                System.err.println("\"" + thread.getName() + "\" " + thread.getState());
                for (StackTraceElement frame : stack) {
                    System.err.println("    at " + frame);
                }
            });
            throw e;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    protected void write(String path, long offset, byte[]... chunks) throws Exception {
        run(() -> driver.openForAppend(path, offset).compose(stream -> {
            for (byte[] chunk : chunks) {
                stream.write(Buffer.buffer(chunk));
            }
            return stream.end();
        }));
    }

    /** Pipes a generated body, with backpressure, like a request body arriving on a socket. */
    protected void writeGenerated(String path, long offset, long seed, long size) throws Exception {
        run(() -> driver.openForAppend(path, offset)
                .compose(stream -> GeneratedStream.of(context, seed, size).pipeTo(stream)));
    }

    protected byte[] read(String path, long offset, long length) throws Exception {
        return run(() -> driver.read(path, offset, length).compose(this::collect)).getBytes();
    }

    protected byte[] readAll(String path) throws Exception {
        long size = run(() -> driver.size(path));
        return read(path, 0, size);
    }

    protected Future<Buffer> collect(ReadStream<Buffer> stream) {
        Promise<Buffer> done = Promise.promise();
        Buffer all = Buffer.buffer();
        stream.handler(all::appendBuffer);
        stream.exceptionHandler(done::tryFail);
        stream.endHandler(v -> done.tryComplete(all));
        return done.future();
    }

    protected Future<String> digest(ReadStream<Buffer> stream) {
        dev.berth.oci.Digester digester = dev.berth.oci.Digester.sha256();
        Promise<String> done = Promise.promise();
        stream.handler(digester::update);
        stream.exceptionHandler(done::tryFail);
        stream.endHandler(v -> done.tryComplete(digester.digest().toString()));
        return done.future();
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    @Test
    void appendingAtAnOffsetKeepsTheBytesBeforeItAndDiscardsTheRest() throws Exception {
        write("append/a", 0, text("hello "), text("world"));
        write("append/a", 11, text(", again"));
        assertThat(new String(readAll("append/a"), StandardCharsets.UTF_8)).isEqualTo("hello world, again");

        write("append/a", 5, text("!"));
        assertThat(run(() -> driver.size("append/a"))).isEqualTo(6);
        assertThat(new String(readAll("append/a"), StandardCharsets.UTF_8)).isEqualTo("hello!");

        write("append/a", 0);
        assertThat(run(() -> driver.size("append/a"))).isZero();
    }

    @Test
    void aWriteCutOffMidBodyCanBeResumedAtTheRecordedSize() throws Exception {
        byte[] first = GeneratedStream.bytes(1, 300_000);
        write("resume/a", 0, first);

        // A client disconnects after 100 000 bytes of its next chunk: the pipe fails and ends the stream.
        Throwable cut = run(() -> driver.openForAppend("resume/a", first.length).compose(stream ->
                new GeneratedStream(context, 2, 500_000, 100_000).pipeTo(stream)
                        .transform(ar -> Future.succeededFuture(ar.cause()))));
        assertThat(cut).hasMessageContaining("connection reset");

        // Another attempt starts writing and is abandoned without ever ending.
        WriteStream<Buffer> abandoned = run(() -> driver.openForAppend("resume/a", first.length));
        run(() -> abandoned.write(Buffer.buffer(GeneratedStream.bytes(3, 70_000))));

        // The session still records first.length bytes: the retry appends there, as UploadHandler does.
        byte[] second = GeneratedStream.bytes(2, 500_000);
        write("resume/a", first.length, second);
        assertThat(run(() -> driver.size("resume/a"))).isEqualTo(first.length + second.length);
        assertThat(readAll("resume/a")).isEqualTo(concat(first, second));
    }

    @Test
    void aReaderThatPausesAfterEveryBufferGetsEveryByteInOrder() throws Exception {
        writeGenerated("paused/a", 0, 11, 5L * MIB + 12_345);
        long size = run(() -> driver.size("paused/a"));

        // pause on every buffer, resume a little later, as an HTTP response does while its socket drains
        String digest = run(() -> driver.read("paused/a", 0, size).compose(stream -> {
            dev.berth.oci.Digester digester = dev.berth.oci.Digester.sha256();
            Promise<String> done = Promise.promise();
            stream.handler(chunk -> {
                digester.update(chunk);
                stream.pause();
                vertx.setTimer(2, t -> stream.resume());
            });
            stream.exceptionHandler(done::tryFail);
            stream.endHandler(v -> done.tryComplete(digester.digest().toString()));
            return done.future();
        }));

        assertThat(digest).isEqualTo(GeneratedStream.digest(11, 5L * MIB + 12_345));
    }

    @Test
    void rangedReadsReturnExactlyTheRange() throws Exception {
        byte[] a = GeneratedStream.bytes(4, 200_000);
        byte[] b = GeneratedStream.bytes(5, 150_000);
        write("range/a", 0, a);
        write("range/a", a.length, b);
        byte[] all = concat(a, b);
        assertThat(read("range/a", 10, 20)).isEqualTo(Arrays.copyOfRange(all, 10, 30));
        assertThat(read("range/a", 199_990, 30)).isEqualTo(Arrays.copyOfRange(all, 199_990, 200_020));
        assertThat(read("range/a", 0, all.length)).isEqualTo(all);
        assertThat(read("range/a", 5, 0)).isEmpty();

        run(() -> driver.move("range/a", "range/b"));
        assertThat(read("range/b", 345_000, 5_000)).isEqualTo(Arrays.copyOfRange(all, 345_000, 350_000));
    }

    @Test
    void aMissingObjectIsNoSuchObjectEverywhere() {
        assertThatThrownBy(() -> run(() -> driver.size("missing/a"))).isInstanceOf(NoSuchObjectException.class);
        assertThatThrownBy(() -> run(() -> driver.read("missing/a", 0, 10))).isInstanceOf(NoSuchObjectException.class);
        assertThatThrownBy(() -> run(() -> driver.move("missing/a", "missing/b")))
                .isInstanceOf(NoSuchObjectException.class);
    }

    @Test
    void moveReplacesTheTargetAndRemovesTheSource() throws Exception {
        write("move/new", 0, text("new "), text("content"));
        write("move/old", 0, text("old content that is longer"));
        run(() -> driver.move("move/new", "move/old"));
        assertThat(new String(readAll("move/old"), StandardCharsets.UTF_8)).isEqualTo("new content");
        assertThatThrownBy(() -> run(() -> driver.size("move/new"))).isInstanceOf(NoSuchObjectException.class);
    }

    @Test
    void anObjectWrittenInManyAppendsMovesByteExact() throws Exception {
        // Sizes around the S3 part minimum (5 MiB), with a rewrite in the middle, so the S3 driver has
        // to both copy server-side and stitch small pieces together.
        long[] sizes = {MIB, 6L * MIB, 100_000, 12L * MIB + 3, 3};
        long offset = 0;
        for (int i = 0; i < sizes.length; i++) {
            writeGenerated("many/a", offset, 10 + i, sizes[i]);
            offset += sizes[i];
        }
        long rewriteAt = MIB + 2L * MIB;
        writeGenerated("many/a", rewriteAt, 20, 7L * MIB);
        long total = rewriteAt + 7L * MIB;
        run(() -> driver.move("many/a", "many/b"));

        assertThat(run(() -> driver.size("many/b"))).isEqualTo(total);
        byte[] moved = readAll("many/b");
        byte[] expected = concat(GeneratedStream.bytes(10, MIB),
                Arrays.copyOf(GeneratedStream.bytes(11, 6 * MIB), 2 * MIB),
                GeneratedStream.bytes(20, 7 * MIB));
        assertThat(moved.length).isEqualTo(expected.length);
        assertThat(Arrays.equals(moved, expected)).as("moved bytes equal the written ones").isTrue();
    }

    @Test
    void deleteRemovesAPrefixAndNothingBeside() throws Exception {
        write("tree/dir/x", 0, text("x"));
        write("tree/dir/sub/y", 0, text("y"));
        write("tree/dir/z", 0, text("z"));
        write("tree/dir/z", 1, text("z"));
        write("tree/dirx", 0, text("sibling"));
        run(() -> driver.delete("tree/dir"));
        for (String gone : List.of("tree/dir/x", "tree/dir/sub/y", "tree/dir/z")) {
            assertThatThrownBy(() -> run(() -> driver.size(gone))).isInstanceOf(NoSuchObjectException.class);
        }
        assertThat(new String(readAll("tree/dirx"), StandardCharsets.UTF_8)).isEqualTo("sibling");
        run(() -> driver.delete("tree/never-there"));
    }

    @Test
    void concurrentWritesToDifferentPathsStaySeparate() throws Exception {
        int writers = 6;
        List<Future<Void>> all = new ArrayList<>();
        Promise<Void> started = Promise.promise();
        context.runOnContext(v -> {
            for (int i = 0; i < writers; i++) {
                String path = "concurrent/" + i;
                long seed = 100 + i;
                all.add(driver.openForAppend(path, 0)
                        .compose(s -> GeneratedStream.of(context, seed, 400_000).pipeTo(s))
                        .compose(x -> driver.openForAppend(path, 400_000))
                        .compose(s -> GeneratedStream.of(context, seed + 50, 300_000).pipeTo(s)));
            }
            Future.all(all).<Void>mapEmpty().onComplete(started);
        });
        started.future().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        for (int i = 0; i < writers; i++) {
            assertThat(readAll("concurrent/" + i))
                    .isEqualTo(concat(GeneratedStream.bytes(100 + i, 400_000), GeneratedStream.bytes(150 + i, 300_000)));
        }
    }

    @Test
    void aStreamLargerThanTheHeapIsWrittenMovedAndReadBack() throws Exception {
        BoundedMemoryProbe.Result result = BoundedMemoryProbe.runInChildJvm(storageSettings(), 64, "48m");
        assertThat(result.exitCode()).as("child JVM output:%n%s", result.output()).isZero();
        assertThat(result.output()).contains("digest " + GeneratedStream.digest(BoundedMemoryProbe.SEED, 64L * MIB));
    }
}
