package dev.berth.infra;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one node) running inside this
 * JVM, from the {@code kafka_2.13} artifact. Its data lives under {@code dataDir}: the
 * {@code server.properties} it runs with and the log directory, so a broker started again on the
 * same directory finds its topics, records and committed consumer offsets. Listens on 127.0.0.1
 * only, plaintext, no authentication.
 */
public final class KafkaBroker implements AutoCloseable {

  private static final int NODE_ID = 1;

  private final Path dataDir;
  private final int port;
  private final int controllerPort;
  private KafkaRaftServer server;

  private KafkaBroker(Path dataDir, int port, int controllerPort) {
    this.dataDir = dataDir;
    this.port = port;
    this.controllerPort = controllerPort;
  }

  /**
   * Starts a broker with its data in {@code dataDir} (created, and formatted on first use; an
   * existing one is reused). {@code port} 0 picks a free port, which then stays the same across
   * {@link #stop()} and {@link #restart()} so clients can reconnect to it.
   */
  public static KafkaBroker start(Path dataDir, int port) throws IOException {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
    Path dir = dataDir.toAbsolutePath();
    Files.createDirectories(dir);
    KafkaBroker broker = new KafkaBroker(dir, port == 0 ? freePort() : port, freePort());
    broker.restart();
    return broker;
  }

  /** {@code 127.0.0.1:<port>}, for the clients' {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  public synchronized boolean isRunning() {
    return server != null;
  }

  /**
   * Starts the broker again after {@link #stop()}, on the same data and port. Clients that kept
   * retrying meanwhile reconnect on their own. Does nothing when it is running.
   */
  public synchronized void restart() throws IOException {
    if (server != null) {
      return;
    }
    Properties props = serverProperties();
    writeServerProperties(props);
    formatOnFirstStart();
    KafkaRaftServer started = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
    try {
      started.startup();
    } catch (RuntimeException e) {
      shutdownQuietly(started);
      throw new IOException("Kafka did not start on " + dataDir + " (port " + port + "): "
          + e.getMessage(), e);
    }
    server = started;
  }

  /**
   * Stops the broker gracefully (it syncs its logs and writes a clean-shutdown marker) and waits
   * until it is down. The data stays; {@link #restart()} brings it back. Does nothing when stopped.
   */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    KafkaRaftServer stopping = server;
    server = null;
    stopping.shutdown();
    stopping.awaitShutdown();
  }

  /** Stops the broker if it runs; the data directory stays. */
  @Override
  public void close() {
    stop();
  }

  private Properties serverProperties() {
    String controller = "127.0.0.1:" + controllerPort;
    Properties props = new Properties();
    props.setProperty("process.roles", "broker,controller");
    props.setProperty("node.id", Integer.toString(NODE_ID));
    // A static quorum of this one node: the voters come from this file on every start, so the
    // controller port may change between runs without touching the stored metadata.
    props.setProperty("controller.quorum.voters", NODE_ID + "@" + controller);
    props.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://" + controller);
    props.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    props.setProperty("controller.listener.names", "CONTROLLER");
    props.setProperty("inter.broker.listener.name", "PLAINTEXT");
    props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.setProperty("log.dirs", dataDir.resolve("log").toString());
    // One node cannot hold more than one replica of anything.
    props.setProperty("offsets.topic.replication.factor", "1");
    props.setProperty("transaction.state.log.replication.factor", "1");
    props.setProperty("transaction.state.log.min.isr", "1");
    props.setProperty("share.coordinator.state.topic.replication.factor", "1");
    props.setProperty("share.coordinator.state.topic.min.isr", "1");
    // Internal topics with few partitions come up fast on a laptop and in tests; one node gains
    // nothing from spreading group coordination over Kafka's default 50.
    props.setProperty("offsets.topic.num.partitions", "4");
    props.setProperty("transaction.state.log.num.partitions", "4");
    // A group's first join would otherwise wait 3 s for more members that never come.
    props.setProperty("group.initial.rebalance.delay.ms", "0");
    props.setProperty("num.partitions", "1");
    props.setProperty("auto.create.topics.enable", "true");
    return props;
  }

  /** Written for people and for the Kafka CLI tools; the broker itself runs from {@code props}. */
  private void writeServerProperties(Properties props) throws IOException {
    try (Writer out = Files.newBufferedWriter(dataDir.resolve("server.properties"))) {
      props.store(out, "written by Berth's KafkaBroker on every start");
    }
  }

  private void formatOnFirstStart() throws IOException {
    if (Files.exists(dataDir.resolve("log").resolve("meta.properties"))) {
      return;
    }
    String clusterId = readOrCreateClusterId();
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int exit;
    try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      exit = StorageTool.execute(new String[] {"format", "--cluster-id", clusterId,
          "--config", dataDir.resolve("server.properties").toString(), "--ignore-formatted"}, print);
    } catch (Exception e) {
      throw new IOException("could not format Kafka storage in " + dataDir + ": " + e.getMessage(), e);
    }
    if (exit != 0) {
      throw new IOException("could not format Kafka storage in " + dataDir + " (exit " + exit + "): "
          + output.toString(StandardCharsets.UTF_8).trim());
    }
  }

  // Kept beside the data so a format interrupted half-way is retried with the same cluster id.
  private String readOrCreateClusterId() throws IOException {
    Path file = dataDir.resolve("cluster.id");
    if (Files.exists(file)) {
      return Files.readString(file).trim();
    }
    String clusterId = Uuid.randomUuid().toString();
    Files.writeString(file, clusterId + "\n");
    return clusterId;
  }

  private static void shutdownQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException ignored) {
      // the startup failure is what gets reported
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  @Override
  public String toString() {
    return "KafkaBroker[" + bootstrapServers() + ", " + dataDir + "]";
  }
}
