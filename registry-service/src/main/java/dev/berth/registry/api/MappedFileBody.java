package dev.berth.registry.api;

import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a range of a local file as a response body from a read-only memory map, in slices, with
 * backpressure: each slice is one {@code write(2)} from the mapped pages straight into the socket.
 *
 * <p>Why not {@code sendfile}: measured on loopback (the bench, a node agent next to its registry), a
 * sendfile body hands the reader skbs that point at page-cache pages, and the reader then copies from
 * memory no cache holds; a copying writer leaves the bytes in cache for it. On the 2-core bench box the
 * reading client spent about twice the CPU per 256 MiB with sendfile, and the pull took longer. This
 * path copies once in the kernel (page cache to socket buffer) and never touches the bytes in Java.
 *
 * <p>Like {@code sendfile}, a write may fault pages in from disk on the event loop. Blob files are
 * immutable once in place (uploads are renamed in, GC unlinks), so a mapping never sees its file
 * shrink. Each window is unmapped as soon as every write of it has completed or failed.
 */
final class MappedFileBody {

    /** One write: big enough to keep syscalls few, small enough that the bytes are still cached for the reader. */
    static final int SLICE = 1 << 20;
    /** Mapped at a time (address space, not memory: the pages are the page cache's). */
    static final long WINDOW = 64L << 20;
    /** Bytes queued on the connection before waiting for it to drain. */
    static final int WRITE_QUEUE = 4 << 20;

    private final HttpServerResponse response;
    private final FileChannel file;
    private final int slice;
    private final long windowSize;
    private final long end;
    private final Promise<Void> done = Promise.promise();
    private long position;
    private Window window;
    private int outstanding;
    private boolean failed;
    private boolean ended;
    private boolean finished;

    private MappedFileBody(HttpServerResponse response, FileChannel file, long offset, long length, int slice,
                           long windowSize) {
        this.response = response;
        this.file = file;
        this.slice = slice;
        this.windowSize = windowSize;
        this.position = offset;
        this.end = offset + length;
    }

    /** Sends {@code length} bytes of {@code path} from {@code offset}, then ends the response. */
    static Future<Void> send(HttpServerResponse response, Path path, long offset, long length) {
        return send(response, path, offset, length, SLICE, WINDOW);
    }

    /** With other slice and window sizes (tests cross window boundaries with small ones). */
    static Future<Void> send(HttpServerResponse response, Path path, long offset, long length, int slice,
                             long windowSize) {
        FileChannel file;
        try {
            file = FileChannel.open(path, StandardOpenOption.READ);
            if (file.size() < offset + length) {
                file.close();
                return Future.failedFuture(new IOException(path + " is shorter than " + (offset + length) + " bytes"));
            }
        } catch (IOException e) {
            return Future.failedFuture(e);
        }
        response.setWriteQueueMaxSize(WRITE_QUEUE);
        MappedFileBody body = new MappedFileBody(response, file, offset, length, slice, windowSize);
        body.pump();
        return body.done.future();
    }

    private void pump() {
        try {
            while (!failed && position < end) {
                if (window == null || position == window.end) {
                    release(window);
                    window = new Window(file, position, Math.min(windowSize, end - position));
                }
                int n = (int) Math.min(slice, window.end - position);
                Window current = window;
                current.writes++;
                outstanding++;
                position += n;
                response.write(BufferInternal.buffer(Unpooled.wrappedBuffer(current.slice(position - n, n))))
                        .onComplete(ar -> written(current, ar.failed() ? ar.cause() : null));
                if (response.writeQueueFull()) {
                    response.drainHandler(v -> pump());
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
            return;
        }
        if (!failed) {
            response.end().onComplete(ar -> {
                ended = true;
                if (ar.failed()) {
                    fail(ar.cause());
                } else {
                    finish();
                }
            });
        }
    }

    private void written(Window of, Throwable error) {
        outstanding--;
        of.writes--;
        if (of != window) {
            release(of);
        }
        if (error != null) {
            fail(error);
        } else if (failed || ended) {
            finish();
        }
    }

    private void fail(Throwable error) {
        if (!failed) {
            failed = true;
            done.tryFail(error);
            // The client is gone or the file broke: stop, so nothing is left half-written forever.
            if (!response.ended() && !response.closed()) {
                response.reset();
            }
        }
        finish();
    }

    /** Closes the file and unmaps the last window once no write can still read it. */
    private void finish() {
        if (outstanding > 0 || finished) {
            return;
        }
        finished = true;
        release(window);
        try {
            file.close();
        } catch (IOException ignored) {
            // read-only
        }
        done.tryComplete();
    }

    private static void release(Window w) {
        if (w != null && w.writes == 0) {
            w.unmap();
        }
    }

    /** One mapped window of the file and the writes still reading from it. */
    private static final class Window {
        final long start;
        final long end;
        final MappedByteBuffer map;
        int writes;
        private boolean unmapped;

        Window(FileChannel file, long start, long length) throws IOException {
            this.start = start;
            this.end = start + length;
            this.map = file.map(FileChannel.MapMode.READ_ONLY, start, length);
        }

        java.nio.ByteBuffer slice(long from, int length) {
            return map.slice((int) (from - start), length);
        }

        void unmap() {
            if (!unmapped) {
                unmapped = true;
                Unmapper.unmap(map);
            }
        }
    }

    /** Unmaps at once rather than when the collector gets to it; falls back to the collector. */
    private static final class Unmapper {
        private static final sun.misc.Unsafe UNSAFE = load();

        private static sun.misc.Unsafe load() {
            try {
                Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                return (sun.misc.Unsafe) f.get(null);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        static void unmap(MappedByteBuffer map) {
            if (UNSAFE != null) {
                UNSAFE.invokeCleaner(map);
            }
        }
    }
}
