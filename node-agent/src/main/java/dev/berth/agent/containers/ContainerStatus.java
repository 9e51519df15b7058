package dev.berth.agent.containers;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the agent knows about one container; kept on disk as {@code status.json} and returned by the API.
 *
 * @param exitCode      of the last run, null before the first exit
 * @param oomKilled     the last run's cgroup hit its memory limit and the kernel killed a process
 * @param restartCount  restarts made by the restart policy
 * @param stopRequested a client stopped or killed it: the restart policy no longer applies
 * @param backoffStep   consecutive quick failures, the exponent of the next restart delay
 * @param error         why the agent lost track of the last run (conmon vanished, restart failed), or null
 */
public record ContainerStatus(String id, String name, ContainerState state, String imageDigest, String stopSignal,
                              Map<String, String> labels, int pid, Integer exitCode, boolean oomKilled,
                              Instant createdAt, Instant startedAt, Instant finishedAt, int restartCount,
                              boolean stopRequested, int backoffStep, String error) {

    public ContainerStatus {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    public static ContainerStatus creating(String id, String name, Map<String, String> labels, Instant now) {
        return new ContainerStatus(id, name, ContainerState.CREATING, null, "SIGTERM", labels, 0, null, false,
                now, null, null, 0, false, 0, null);
    }

    public ContainerStatus created(String digest, String signal, int newPid) {
        return new ContainerStatus(id, name, ContainerState.CREATED, digest, signal, labels, newPid, exitCode,
                oomKilled, createdAt, startedAt, finishedAt, restartCount, stopRequested, backoffStep, null);
    }

    public ContainerStatus running(Instant now) {
        return new ContainerStatus(id, name, ContainerState.RUNNING, imageDigest, stopSignal, labels, pid, exitCode,
                oomKilled, createdAt, now, null, restartCount, stopRequested, backoffStep, null);
    }

    /** A new run of the same container: created again, by the restart policy when {@code counted}. */
    public ContainerStatus recreated(int newPid, boolean counted, int nextBackoffStep) {
        return new ContainerStatus(id, name, ContainerState.CREATED, imageDigest, stopSignal, labels, newPid, exitCode,
                oomKilled, createdAt, startedAt, finishedAt, counted ? restartCount + 1 : restartCount,
                false, nextBackoffStep, null);
    }

    public ContainerStatus exited(Integer code, boolean oom, Instant now, String why) {
        return new ContainerStatus(id, name, ContainerState.STOPPED, imageDigest, stopSignal, labels, 0, code, oom,
                createdAt, startedAt, now, restartCount, stopRequested, backoffStep, why);
    }

    public ContainerStatus withStopRequested() {
        return new ContainerStatus(id, name, state, imageDigest, stopSignal, labels, pid, exitCode, oomKilled,
                createdAt, startedAt, finishedAt, restartCount, true, backoffStep, error);
    }

    public ContainerStatus withError(String why) {
        return new ContainerStatus(id, name, state, imageDigest, stopSignal, labels, pid, exitCode, oomKilled,
                createdAt, startedAt, finishedAt, restartCount, stopRequested, backoffStep, why);
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("id", id)
                .put("name", name)
                .put("state", state.json())
                .put("imageDigest", imageDigest)
                .put("stopSignal", stopSignal)
                .put("labels", new JsonObject(new TreeMap<String, Object>(labels)))
                .put("pid", pid)
                .put("exitCode", exitCode)
                .put("oomKilled", oomKilled)
                .put("createdAt", text(createdAt))
                .put("startedAt", text(startedAt))
                .put("finishedAt", text(finishedAt))
                .put("restartCount", restartCount)
                .put("stopRequested", stopRequested)
                .put("backoffStep", backoffStep)
                .put("error", error);
    }

    public static ContainerStatus fromJson(JsonObject json) {
        Map<String, String> labels = new TreeMap<>();
        json.getJsonObject("labels", new JsonObject()).forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
        return new ContainerStatus(json.getString("id"), json.getString("name"),
                ContainerState.fromJson(json.getString("state")), json.getString("imageDigest"),
                json.getString("stopSignal", "SIGTERM"), labels, json.getInteger("pid", 0),
                json.getInteger("exitCode"), json.getBoolean("oomKilled", false), instant(json, "createdAt"),
                instant(json, "startedAt"), instant(json, "finishedAt"), json.getInteger("restartCount", 0),
                json.getBoolean("stopRequested", false), json.getInteger("backoffStep", 0), json.getString("error"));
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static Instant instant(JsonObject json, String key) {
        String value = json.getString(key);
        return value == null ? null : Instant.parse(value);
    }
}
