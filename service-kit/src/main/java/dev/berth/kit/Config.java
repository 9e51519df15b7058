package dev.berth.kit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A service's configuration: an optional YAML file whose every key can be overridden by an
 * environment variable. Key {@code registry.storage.root-dir} is the YAML path
 * {@code registry: storage: root-dir:} and the env var {@code BERTH_REGISTRY_STORAGE_ROOT_DIR}.
 *
 * <p>Precedence, highest first: {@link #with} overrides, environment, YAML ({@link #withDefault}
 * writes here), the caller's default. A blank env var counts as unset. Instances are immutable.
 */
public final class Config {

  private static final String ENV_PREFIX = "BERTH_";

  private final Map<String, Object> yaml;
  private final Map<String, String> env;
  private final Map<String, Object> overrides;

  private Config(Map<String, Object> yaml, Map<String, String> env, Map<String, Object> overrides) {
    this.yaml = yaml;
    this.env = env;
    this.overrides = overrides;
  }

  /** Loads {@code yamlFileOrNull} (null = no file) with the process environment on top. */
  public static Config load(Path yamlFileOrNull) {
    return of(readYaml(yamlFileOrNull), System.getenv());
  }

  /** A config from an already parsed YAML tree and an explicit environment, for tests. */
  public static Config of(Map<String, Object> yamlTree, Map<String, String> env) {
    return new Config(
        yamlTree == null ? Map.of() : Collections.unmodifiableMap(stringKeys(yamlTree)),
        Map.copyOf(env), Map.of());
  }

  private static Map<String, Object> readYaml(Path file) {
    if (file == null) {
      return Map.of();
    }
    try (InputStream in = Files.newInputStream(file)) {
      Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      if (root == null) {
        return Map.of();
      }
      if (!(root instanceof Map<?, ?> map)) {
        throw new IllegalArgumentException("config file " + file + " must hold a YAML mapping at the top");
      }
      return Collections.unmodifiableMap(stringKeys(map));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read config file " + file, e);
    } catch (YAMLException e) {
      throw new IllegalArgumentException("config file " + file + " is not valid YAML: " + e.getMessage(), e);
    }
  }

  // YAML allows keys like 5000 or true; config keys are always looked up as strings.
  private static Map<String, Object> stringKeys(Map<?, ?> map) {
    Map<String, Object> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(String.valueOf(k), v instanceof Map<?, ?> m ? stringKeys(m) : v));
    return out;
  }

  /** The environment variable that overrides {@code key}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** A copy where {@code key} is {@code value} whatever the environment or YAML say. */
  public Config with(String key, Object value) {
    Objects.requireNonNull(value, () -> "override for " + key + " is null");
    Map<String, Object> copy = new LinkedHashMap<>(overrides);
    copy.put(key, value);
    return new Config(yaml, env, Map.copyOf(copy));
  }

  /** A copy where {@code key} is {@code value} unless the environment sets it (acts like YAML). */
  public Config withDefault(String key, Object value) {
    Map<String, Object> tree = deepCopy(yaml);
    Map<String, Object> node = tree;
    String[] parts = key.split("\\.");
    for (int i = 0; i < parts.length - 1; i++) {
      Object child = node.get(parts[i]);
      if (!(child instanceof Map<?, ?>)) {
        child = new LinkedHashMap<String, Object>();
        node.put(parts[i], child);
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> next = (Map<String, Object>) child;
      node = next;
    }
    node.put(parts[parts.length - 1], value);
    return new Config(Collections.unmodifiableMap(tree), env, overrides);
  }

  private static Map<String, Object> deepCopy(Map<String, Object> map) {
    Map<String, Object> out = new LinkedHashMap<>();
    map.forEach((k, v) -> {
      @SuppressWarnings("unchecked")
      Object copy = v instanceof Map<?, ?> m ? deepCopy((Map<String, Object>) m) : v;
      out.put(k, copy);
    });
    return out;
  }

  /** True when an override, the environment or the YAML sets {@code key}. */
  public boolean has(String key) {
    return raw(key) != null;
  }

  public String string(String key, String defaultValue) {
    Object value = raw(key);
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof Map<?, ?> || value instanceof Collection<?>) {
      throw bad(key, "a single value", "a " + (value instanceof Map<?, ?> ? "mapping" : "list"));
    }
    return String.valueOf(value);
  }

  public int integer(String key, int defaultValue) {
    long value = longValue(key, defaultValue);
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      throw bad(key, "an integer", String.valueOf(value));
    }
    return (int) value;
  }

  public long longValue(String key, long defaultValue) {
    Object value = raw(key);
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    try {
      return Long.parseLong(string(key, null).trim());
    } catch (NumberFormatException e) {
      throw bad(key, "an integer", string(key, null));
    }
  }

  public boolean bool(String key, boolean defaultValue) {
    Object value = raw(key);
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    String text = string(key, null).trim().toLowerCase(Locale.ROOT);
    return switch (text) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw bad(key, "true or false", text);
    };
  }

  /** A YAML list, or a comma-separated string (from the environment or YAML). */
  public List<String> list(String key, List<String> defaultValue) {
    Object value = raw(key);
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof Collection<?> items) {
      List<String> out = new ArrayList<>();
      for (Object item : items) {
        if (item instanceof Map<?, ?> || item instanceof Collection<?>) {
          throw bad(key, "a list of plain values", "a nested structure");
        }
        out.add(String.valueOf(item));
      }
      return List.copyOf(out);
    }
    return Arrays.stream(string(key, "").split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  private Object raw(String key) {
    if (overrides.containsKey(key)) {
      return overrides.get(key);
    }
    String fromEnv = env.get(envName(key));
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    return lookup(yaml, key);
  }

  // Walks the nested YAML tree; a literal dotted key ("storage.root-dir": x) also matches.
  private static Object lookup(Map<String, Object> node, String key) {
    if (node.containsKey(key)) {
      return node.get(key);
    }
    int dot = key.indexOf('.');
    while (dot > 0) {
      Object child = node.get(key.substring(0, dot));
      if (child instanceof Map<?, ?> map) {
        @SuppressWarnings("unchecked")
        Object found = lookup((Map<String, Object>) map, key.substring(dot + 1));
        if (found != null) {
          return found;
        }
      }
      dot = key.indexOf('.', dot + 1);
    }
    return null;
  }

  private IllegalArgumentException bad(String key, String expected, String actual) {
    return new IllegalArgumentException("config key '" + key + "' (env " + envName(key)
        + ") must be " + expected + ", got '" + actual + "'");
  }

  @Override
  public String toString() {
    // Values may be secrets: show only which keys are set, never their values.
    return "Config[yaml keys=" + yaml.keySet() + ", overrides=" + overrides.keySet() + "]";
  }
}
