package dev.berth.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

  private static final Map<String, Object> YAML = Map.of(
      "registry", Map.of(
          "storage", Map.of("root-dir", "/var/lib/berth", "driver", "filesystem"),
          "port", 5001,
          "gc", Map.of("enabled", true),
          "origins", List.of("a.example", "b.example"),
          "limits", Map.of("max-blob-bytes", 10_000_000_000L)));

  @Test
  void envBeatsYamlBeatsDefault() {
    Config config = Config.of(YAML, Map.of("BERTH_REGISTRY_STORAGE_ROOT_DIR", "/srv/blobs"));

    assertThat(config.string("registry.storage.root-dir", "/tmp")).isEqualTo("/srv/blobs");
    assertThat(config.string("registry.storage.driver", "s3")).isEqualTo("filesystem");
    assertThat(config.string("registry.storage.bucket", "berth")).isEqualTo("berth");
    assertThat(config.integer("registry.port", 5000)).isEqualTo(5001);
    assertThat(config.longValue("registry.limits.max-blob-bytes", 1)).isEqualTo(10_000_000_000L);
    assertThat(config.bool("registry.gc.enabled", false)).isTrue();
  }

  @Test
  void envNameIsUppercasedWithDotsAndDashesAsUnderscores() {
    assertThat(Config.envName("registry.storage.root-dir")).isEqualTo("BERTH_REGISTRY_STORAGE_ROOT_DIR");
  }

  @Test
  void envValuesAreParsedForEveryType() {
    Config config = Config.of(Map.of(), Map.of(
        "BERTH_GATEWAY_PORT", " 7000 ",
        "BERTH_GATEWAY_MAX_BYTES", "5000000000",
        "BERTH_GATEWAY_TLS", "yes",
        "BERTH_GATEWAY_ORIGINS", "x.example, y.example,,",
        "BERTH_GATEWAY_NAME", ""));

    assertThat(config.integer("gateway.port", 1)).isEqualTo(7000);
    assertThat(config.longValue("gateway.max-bytes", 1)).isEqualTo(5_000_000_000L);
    assertThat(config.bool("gateway.tls", false)).isTrue();
    assertThat(config.list("gateway.origins", List.of())).containsExactly("x.example", "y.example");
    // A blank env var counts as unset.
    assertThat(config.string("gateway.name", "edge")).isEqualTo("edge");
    assertThat(config.has("gateway.name")).isFalse();
    assertThat(config.has("gateway.port")).isTrue();
  }

  @Test
  void listsComeFromYamlListsOrCommaSeparatedStrings() {
    Config config = Config.of(YAML, Map.of());
    assertThat(config.list("registry.origins", List.of())).containsExactly("a.example", "b.example");
    assertThat(config.list("registry.storage.driver", List.of())).containsExactly("filesystem");
    assertThat(config.list("registry.nothing", List.of("d"))).containsExactly("d");

    Config fromEnv = Config.of(YAML, Map.of("BERTH_REGISTRY_ORIGINS", "c.example"));
    assertThat(fromEnv.list("registry.origins", List.of())).containsExactly("c.example");
  }

  @Test
  void badValuesNameTheKeyAndTheEnvVar() {
    Config config = Config.of(YAML, Map.of("BERTH_REGISTRY_PORT", "abc", "BERTH_REGISTRY_GC_ENABLED", "maybe"));

    assertThatThrownBy(() -> config.integer("registry.port", 5000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("registry.port")
        .hasMessageContaining("BERTH_REGISTRY_PORT")
        .hasMessageContaining("abc");
    assertThatThrownBy(() -> config.bool("registry.gc.enabled", false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BERTH_REGISTRY_GC_ENABLED");
    assertThatThrownBy(() -> config.integer("registry.limits.max-blob-bytes", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("registry.limits.max-blob-bytes");
    assertThatThrownBy(() -> config.string("registry.storage", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mapping");
  }

  @Test
  void withOverridesEverythingAndWithDefaultOnlyTheYaml() {
    Config config = Config.of(YAML, Map.of("BERTH_REGISTRY_PORT", "6000"));

    Config overridden = config.with("registry.port", 7000);
    assertThat(overridden.integer("registry.port", 1)).isEqualTo(7000);
    assertThat(config.integer("registry.port", 1)).as("original unchanged").isEqualTo(6000);

    Config defaulted = config.withDefault("registry.port", 8000).withDefault("registry.db.host", "db");
    assertThat(defaulted.integer("registry.port", 1)).isEqualTo(6000);
    assertThat(defaulted.string("registry.db.host", "x")).isEqualTo("db");
    assertThat(defaulted.string("registry.storage.driver", "x")).isEqualTo("filesystem");
  }

  @Test
  void loadsAYamlFileWithEnvironmentOnTop(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("registry.yml");
    Files.writeString(file, """
        registry:
          db:
            host: db.internal
            port: 5433
          "storage.root-dir": /data
        """);

    Config config = Config.load(file);

    assertThat(config.string("registry.db.host", "x")).isEqualTo("db.internal");
    assertThat(config.integer("registry.db.port", 1)).isEqualTo(5433);
    assertThat(config.string("registry.storage.root-dir", "x")).as("dotted literal key").isEqualTo("/data");
    assertThat(Config.load(null).string("registry.db.host", "local")).isEqualTo("local");
  }

  @Test
  void rejectsAFileThatIsNotAMapping(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.yml");
    Files.writeString(file, "- just\n- a list\n");
    assertThatThrownBy(() -> Config.load(file)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mapping");
  }

  @Test
  void databaseConfigReadsItsKeysUnderAPrefix() {
    Config config = Config.of(Map.of("registry", Map.of("db", Map.of("host", "pg", "name", "reg"))),
        Map.of("BERTH_REGISTRY_DB_POOL_SIZE", "3", "BERTH_REGISTRY_DB_PASSWORD", "s3cret"));

    DatabaseConfig db = DatabaseConfig.from(config, "registry.db");

    assertThat(db).isEqualTo(new DatabaseConfig("pg", 5432, "reg", "postgres", "s3cret", 3));
    assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://pg:5432/reg");
    assertThat(db.toString()).doesNotContain("s3cret");
  }
}
