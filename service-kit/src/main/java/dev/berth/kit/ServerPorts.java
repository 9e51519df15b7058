package dev.berth.kit;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports for servers that several verticle instances share. Vert.x lets servers that ask for the same
 * negative port share one random port; every service in this JVM must take its group from here, or
 * two services asking for "a random port" would end up on the same one.
 */
public final class ServerPorts {

  private static final AtomicInteger GROUPS = new AtomicInteger(-1000);

  private ServerPorts() {}

  /** {@code port} itself when fixed; for 0, a random-port group no other service in this JVM uses. */
  public static int shareable(int port) {
    return port == 0 ? GROUPS.decrementAndGet() : port;
  }
}
