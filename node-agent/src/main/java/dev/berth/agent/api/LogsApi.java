package dev.berth.agent.api;

import dev.berth.agent.containers.ContainerDir;
import dev.berth.agent.containers.ContainerEvents;
import dev.berth.agent.containers.ContainerException;
import dev.berth.agent.containers.ContainerManager;
import dev.berth.agent.logs.LogCursor;
import dev.berth.agent.logs.LogLine;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * {@code GET /v1/containers/:id/logs?tail=N&follow=true&timestamps=true&stream=stdout|stderr}: plain text, one
 * line per record. Read in batches of {@link #BATCH_BYTES} off the event loop, written with back-pressure;
 * {@code follow} polls the file until the container has exited and the log is drained, or the client goes; the
 * container's exit event ends a poll wait early.
 */
final class LogsApi {

    static final int BATCH_BYTES = 256 * 1024;
    static final long MAX_TAIL = 100_000;
    private static final long FOLLOW_POLL_MILLIS = 200;

    private final ContainerManager manager;

    LogsApi(ContainerManager manager) {
        this.manager = manager;
    }

    void mount(Router router) {
        router.get("/v1/containers/:id/logs").handler(this::logs);
    }

    private void logs(RoutingContext ctx) {
        Long tail;
        boolean follow;
        boolean timestamps;
        String stream;
        ContainerDir dir;
        try {
            tail = QueryParams.nonNegative(ctx, "tail", null);
            if (tail != null && tail > MAX_TAIL) {
                throw new Replies.BadRequest("INVALID_PARAMETER", "tail must be at most " + MAX_TAIL);
            }
            follow = QueryParams.bool(ctx, "follow", false);
            timestamps = QueryParams.bool(ctx, "timestamps", false);
            stream = QueryParams.single(ctx, "stream");
            if (stream == null || stream.isEmpty() || stream.equals("all")) {
                stream = null;
            } else if (!stream.equals("stdout") && !stream.equals("stderr")) {
                throw new Replies.BadRequest("INVALID_PARAMETER", "stream must be stdout, stderr or all, got " + stream);
            }
            dir = manager.dir(ctx.pathParam("id"));
        } catch (RuntimeException e) {
            Replies.error(ctx, e);
            return;
        }
        String id = ctx.pathParam("id");
        LogCursor cursor = LogCursor.fromStart(dir.files().logFile(), manager.settings().logKeep());
        Session session = new Session(ctx, id, cursor, stream, timestamps, follow);
        ctx.response().setChunked(true).putHeader("Content-Type", "text/plain; charset=utf-8");
        ctx.response().closeHandler(v -> session.gone = true);
        if (follow) {
            session.wakeOnExit(); // before the first read: an exit during a read is not missed
        }
        Future<Batch> first = tail == null ? session.readBatch()
                : ctx.vertx().executeBlocking(() -> {
                    boolean exited = follow && manager.exited(id);
                    return new Batch(lastLines(cursor, tail.intValue(), session.stream, timestamps), exited, 0);
                }, false);
        first.onComplete(done -> session.deliver(done, tail != null));
    }

    private static String lastLines(LogCursor cursor, int n, String stream, boolean timestamps) throws IOException {
        Deque<LogLine> last = new ArrayDeque<>();
        List<LogLine> batch;
        while (!(batch = cursor.next(BATCH_BYTES, stream)).isEmpty()) {
            for (LogLine line : batch) {
                last.addLast(line);
                if (last.size() > n) {
                    last.removeFirst();
                }
            }
        }
        StringBuilder out = new StringBuilder();
        last.forEach(line -> out.append(line.render(timestamps)));
        return out.toString();
    }

    /**
     * Lines read, and whether the container's run was already over before they were read: then they reach the end
     * of its output, and an empty batch ends a follow.
     */
    private record Batch(String text, boolean exitedBefore, int wakesBefore) {
    }

    private final class Session {
        final RoutingContext ctx;
        final String id;
        final LogCursor cursor;
        final String stream;
        final boolean timestamps;
        final boolean follow;
        volatile boolean gone;
        boolean exitSeen;
        long pollTimer = -1;
        int wakes;
        MessageConsumer<JsonObject> exits;

        Session(RoutingContext ctx, String id, LogCursor cursor, String stream, boolean timestamps, boolean follow) {
            this.ctx = ctx;
            this.id = id;
            this.cursor = cursor;
            this.stream = stream;
            this.timestamps = timestamps;
            this.follow = follow;
        }

        Future<Batch> readBatch() {
            int wakesBefore = wakes;
            return ctx.vertx().executeBlocking(() -> {
                boolean exited = follow && !exitSeen && manager.exited(id);
                StringBuilder out = new StringBuilder();
                for (LogLine line : cursor.next(BATCH_BYTES, stream)) {
                    out.append(line.render(timestamps));
                }
                return new Batch(out.toString(), exited, wakesBefore);
            }, false);
        }

        /** Writes a batch, then decides: read on, wait for more, or end. {@code tailDone}: the tail is out. */
        void deliver(io.vertx.core.AsyncResult<Batch> done, boolean tailDone) {
            HttpServerResponse response = ctx.response();
            if (done.failed()) {
                finish();
                if (!response.headWritten()) {
                    Replies.error(ctx, done.cause());
                } else {
                    response.reset();
                }
                return;
            }
            if (gone) {
                finish();
                return;
            }
            String text = done.result().text();
            exitSeen |= done.result().exitedBefore();
            if (!text.isEmpty()) {
                response.write(text);
            } else if (!response.headWritten()) {
                response.write(""); // send the head now: a follower should see 200 before the first line
            }
            boolean more = !text.isEmpty() && !tailDone;
            if (more) {
                whenWritable(() -> readBatch().onComplete(next -> deliver(next, false)));
            } else if (follow && !exitSeen && wakes != done.result().wakesBefore()) {
                readAgain(); // the exit came while this batch was read
            } else if (follow && !exitSeen) {
                pollTimer = ctx.vertx().setTimer(FOLLOW_POLL_MILLIS, t -> readAgain());
            } else if (follow && !text.isEmpty()) {
                whenWritable(() -> readBatch().onComplete(next -> deliver(next, false)));
            } else {
                finish();
                response.end();
            }
        }

        /** The next read, at the poll timer or as soon as the container exits, whichever comes first. */
        private void readAgain() {
            pollTimer = -1;
            whenWritable(() -> readBatch().onComplete(next -> deliver(next, false)));
        }

        /** An exit (or delete) event for this container cuts the poll wait short: the follower ends at once. */
        void wakeOnExit() {
            exits = ctx.vertx().eventBus().<JsonObject>localConsumer(ContainerEvents.ADDRESS, message -> {
                JsonObject event = message.body();
                String type = event.getString("type");
                if (ours(event.getString("id")) || id.equals(event.getString("name"))) {
                    if (type.equals("exited") || type.equals("deleted")) {
                        wake();
                    }
                }
            });
        }

        private boolean ours(String containerId) {
            if (id.equals(containerId)) {
                return true;
            }
            try {
                return manager.get(id).id().equals(containerId); // followed by name
            } catch (ContainerException gone) {
                return false;
            }
        }

        private void wake() {
            wakes++;
            if (pollTimer != -1 && ctx.vertx().cancelTimer(pollTimer)) {
                readAgain();
            }
        }

        private void whenWritable(Runnable next) {
            HttpServerResponse response = ctx.response();
            if (response.writeQueueFull()) {
                response.drainHandler(v -> next.run());
            } else {
                next.run();
            }
        }

        private void finish() {
            if (exits != null) {
                exits.unregister();
            }
            ctx.vertx().executeBlocking(() -> {
                cursor.close();
                return null;
            }, false);
        }
    }
}
