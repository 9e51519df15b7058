package dev.berth.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@link FileAppender} over a channel the test controls: what the channel is handed, and in which order. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FileAppenderTest {

    private static final int MIB = 1024 * 1024;

    private Vertx vertx;
    private Context context;
    /** Lets a worker blocked in a scripted write go, whatever the test's outcome. */
    private final CompletableFuture<Void> queueFull = new CompletableFuture<>();

    @BeforeAll
    void startVertx() {
        vertx = Vertx.vertx();
        context = vertx.getOrCreateContext();
    }

    @AfterAll
    void closeVertx() throws Exception {
        queueFull.complete(null);
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void aWriteFailingWhileThePipeWaitsForRoomFailsThePipe() throws Exception {
        // The first batch's write holds until the pipe has filled the queue and paused, then fails.
        // In that order the failure used to be recorded and nothing else: the paused pipe waited for
        // a drain that never came, and the upload never finished.
        MemoryFileChannel channel = new MemoryFileChannel(bytes -> {
            queueFull.join();
            throw new IOException("No space left on device");
        });
        FileAppender appender = new FileAppender(vertx, channel);
        WriteStream<Buffer> watched = new PauseSignal(appender, queueFull);

        Throwable failure = run(() -> GeneratedStream.of(context, 1, 32L * MIB).pipeTo(watched)
                .transform(ar -> Future.succeededFuture(ar.cause())));

        assertThat(queueFull).as("the queue filled while the first batch was being written").isDone();
        assertThat(failure).isInstanceOf(IOException.class).hasMessage("No space left on device");
        assertThat(channel.isOpen()).isFalse();
        Throwable late = run(() -> appender.write(Buffer.buffer("late")).transform(ar -> Future.succeededFuture(ar.cause())));
        assertThat(late).hasMessage("No space left on device");
    }

    @Test
    void theChannelIsHandedOnlyDirectBuffersAndGetsEveryByteInOrder() throws Exception {
        // Heap buffers would make the JDK copy them into direct buffers that it then keeps, per
        // thread, for every worker thread a batch ever ran on.
        long size = 20L * MIB + 3;
        MemoryFileChannel channel = new MemoryFileChannel(bytes ->
                assertThat(bytes.isDirect()).as("a buffer handed to the channel is direct").isTrue());
        FileAppender appender = new FileAppender(vertx, channel);

        run(() -> GeneratedStream.of(context, 7, size).pipeTo(appender));

        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.written()).isEqualTo(GeneratedStream.bytes(7, (int) size));
    }

    private <T> T run(Supplier<Future<T>> operation) throws Exception {
        Promise<T> done = Promise.promise();
        context.runOnContext(v -> operation.get().onComplete(done));
        try {
            return done.future().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Passes everything on; completes {@code paused} when a pipe pauses on a full queue. */
    private record PauseSignal(FileAppender target, CompletableFuture<Void> paused) implements WriteStream<Buffer> {

        @Override
        public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
            // A pipe sets its drain handler right after it has paused on a full queue.
            if (handler != null) {
                paused.complete(null);
            }
            target.drainHandler(handler);
            return this;
        }

        @Override
        public Future<Void> write(Buffer data) {
            return target.write(data);
        }

        @Override
        public Future<Void> end() {
            return target.end();
        }

        @Override
        public boolean writeQueueFull() {
            return target.writeQueueFull();
        }

        @Override
        public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
            target.exceptionHandler(handler);
            return this;
        }

        @Override
        public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
            target.setWriteQueueMaxSize(maxSize);
            return this;
        }
    }

    interface WriteCheck {
        void check(ByteBuffer bytes) throws IOException;
    }

    /** Keeps what is written in memory; every buffer it is handed goes through {@code check} first. */
    private static final class MemoryFileChannel extends FileChannel {

        private final WriteCheck check;
        private final ByteArrayOutputStream written = new ByteArrayOutputStream();

        MemoryFileChannel(WriteCheck check) {
            this.check = check;
        }

        synchronized byte[] written() {
            return written.toByteArray();
        }

        @Override
        public synchronized int write(ByteBuffer src) throws IOException {
            check.check(src);
            int n = src.remaining();
            byte[] bytes = new byte[n];
            src.get(bytes);
            written.write(bytes);
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long n = 0;
            for (int i = offset; i < offset + length; i++) {
                n += write(srcs[i]);
            }
            return n;
        }

        @Override
        public void force(boolean metaData) {
        }

        @Override
        protected void implCloseChannel() {
        }

        @Override
        public synchronized long position() {
            return written.size();
        }

        @Override
        public synchronized long size() {
            return written.size();
        }

        @Override
        public int read(ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel position(long newPosition) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileChannel truncate(long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(ByteBuffer dst, long position) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int write(ByteBuffer src, long position) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }
    }
}
