package dev.berth.clients;

import static dev.berth.infra.TopicReader.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.testing.EventStream;
import dev.berth.testing.RegistryAddress;
import dev.berth.testing.RegistryUnderTest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What skopeo pushes through the gateway is announced on Kafka: once per tagged push. */
@ExtendWith(RegistryUnderTest.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PushEventsTest {

    @TempDir
    Path work;

    private static List<ConsumerRecord<String, byte[]>> pushes(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().filter(r -> "dev.berth.image.pushed".equals(header(r, "ce_type"))).toList();
    }

    @Test
    void skopeoPushYieldsExactlyOneImagePushedEvent(RegistryAddress registry, EventStream events) {
        Skopeo skopeo = Skopeo.require(registry);
        OciLayout source = BusyboxImages.image(work.resolve("source"), "v1", "amd64");
        skopeo.copy(Skopeo.oci(source.root(), "v1"), Skopeo.docker(registry.reference("events/single:v1")), false);

        List<ConsumerRecord<String, byte[]>> pushes = pushes(events.read("events/single", 2));
        assertThat(pushes).hasSize(1);
        ConsumerRecord<String, byte[]> pushed = pushes.get(0);
        assertThat(header(pushed, "ce_specversion")).isEqualTo("1.0");
        assertThat(header(pushed, "ce_source")).isEqualTo("/berth/registry");
        assertThat(header(pushed, "ce_subject")).isEqualTo("events/single");
        assertThat(header(pushed, "ce_id")).isNotBlank();
        assertThat(header(pushed, "ce_time")).isNotBlank();
        JsonObject data = new JsonObject(new String(pushed.value(), StandardCharsets.UTF_8));
        assertThat(data.getString("repository")).isEqualTo("events/single");
        assertThat(data.getJsonArray("tags")).containsExactly("v1");
        assertThat(data.getString("digest")).isEqualTo(source.digest("v1"));
        assertThat(data.getString("requestId")).isNotBlank();
        // The actor is the subject of the token the push carried.
        assertThat(data.getString("actor")).isEqualTo(registry.authenticated() ? registry.username() : "anonymous");
    }

    @Test
    void multiArchPushYieldsOneEventForTheIndex(RegistryAddress registry, EventStream events) {
        Skopeo skopeo = Skopeo.require(registry);
        BusyboxImages.TwoPlatformIndex built = BusyboxImages.twoPlatformIndex(work.resolve("source"), "multi");
        skopeo.copy(Skopeo.oci(work.resolve("source"), "multi"), Skopeo.docker(registry.reference("events/multi:multi")), true);

        List<ConsumerRecord<String, byte[]>> pushes = pushes(events.read("events/multi", 2));
        assertThat(pushes).hasSize(1);
        JsonObject data = new JsonObject(new String(pushes.get(0).value(), StandardCharsets.UTF_8));
        assertThat(data.getString("digest")).isEqualTo(built.indexDigest());
        assertThat(data.getJsonArray("platforms")).hasSize(2);
    }
}
