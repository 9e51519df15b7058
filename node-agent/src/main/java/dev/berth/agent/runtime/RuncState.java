package dev.berth.agent.runtime;

/**
 * The part of {@code runc state} the agent uses.
 *
 * @param status {@code creating}, {@code created}, {@code running}, {@code paused} or {@code stopped}
 * @param pid    the container's init pid (0 once stopped)
 */
public record RuncState(String id, String status, int pid) {
}
