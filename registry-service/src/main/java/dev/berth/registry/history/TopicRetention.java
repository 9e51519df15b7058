package dev.berth.registry.history;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/** How long a Kafka topic keeps its records ({@code retention.ms}), as its broker says. */
final class TopicRetention {

    private TopicRetention() {
    }

    /**
     * Blocking: asks the brokers at {@code bootstrapServers}, giving up after {@code timeout}.
     *
     * @return the retention, or null when the topic keeps records forever ({@code retention.ms} = -1)
     * @throws Exception when the brokers cannot be reached or the topic does not exist
     */
    static Duration of(String bootstrapServers, String topic, Duration timeout) throws Exception {
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "berth-registry-history",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(resource);
            ConfigEntry entry = config.get(TopicConfig.RETENTION_MS_CONFIG);
            long retention = Long.parseLong(entry.value());
            return retention < 0 ? null : Duration.ofMillis(retention);
        }
    }
}
