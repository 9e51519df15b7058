package dev.berth.registry.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure rules: globs, address classes, retry waits, secrets. */
class WebhookRulesTest {

    private final WebhookSettings settings = new WebhookSettings(false,
            List.of(Duration.ofSeconds(5), Duration.ofSeconds(30)), Duration.ofDays(3), Duration.ofHours(1),
            Duration.ofSeconds(10), Duration.ofSeconds(1));

    @Test
    void globsMatchSegments() {
        RepositoryGlob oneLevel = RepositoryGlob.parse("team/*");
        assertThat(oneLevel.matches("team/app")).isTrue();
        assertThat(oneLevel.matches("team/app/db")).isFalse();
        assertThat(oneLevel.matches("other/app")).isFalse();
        assertThat(RepositoryGlob.parse("team/**").matches("team/app/db")).isTrue();
        assertThat(RepositoryGlob.parse("**").matches("anything/at/all")).isTrue();
        assertThat(RepositoryGlob.parse("team/app-*").matches("team/app-web")).isTrue();
        assertThat(RepositoryGlob.parse("team/a.b").matches("team/axb")).isFalse();
        assertThatThrownBy(() -> RepositoryGlob.parse("/team")).hasMessageContaining("empty path segment");
        assertThatThrownBy(() -> RepositoryGlob.parse("team/a**")).hasMessageContaining("exactly '**'");
    }

    @Test
    void privateAddressesAreRecognised() throws Exception {
        for (String a : List.of("127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "::1",
                "fc00::1", "fd12:3456::1", "fe80::1", "0.0.0.0", "::ffff:10.0.0.1", "100.64.0.1")) {
            assertThat(TargetGuard.isPrivate(InetAddress.getByName(a))).as(a).isTrue();
        }
        for (String a : List.of("8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "172.32.0.1")) {
            assertThat(TargetGuard.isPrivate(InetAddress.getByName(a))).as(a).isFalse();
        }
    }

    @Test
    void retriesFollowTheScheduleWithJitterThenStop() {
        RetryPolicy policy = new RetryPolicy(settings);
        assertThat(policy.afterFailure(1)).isBetween(Duration.ofMillis(4000), Duration.ofMillis(6000));
        assertThat(policy.afterFailure(2)).isBetween(Duration.ofSeconds(24), Duration.ofSeconds(36));
        assertThat(policy.afterFailure(3)).isNull();
    }

    @Test
    void retryAfterTakesSecondsOrADateAndIsCapped() {
        RetryPolicy policy = new RetryPolicy(settings);
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(policy.retryAfter("120", now)).isEqualTo(Duration.ofSeconds(120));
        assertThat(policy.retryAfter("Thu, 01 Jan 2026 00:10:00 GMT", now)).isEqualTo(Duration.ofMinutes(10));
        assertThat(policy.retryAfter("999999", now)).isEqualTo(Duration.ofHours(1));
        assertThat(policy.retryAfter("soon", now)).isNull();
        assertThat(policy.retryAfter(null, now)).isNull();
    }

    @Test
    void generatedSecretsAreStandardWebhooksSecrets() {
        String secret = WebhookSecret.generate();
        assertThat(secret).startsWith("whsec_");
        assertThat(WebhookSecret.key(secret)).hasSize(32);
        assertThatThrownBy(() -> WebhookSecret.key("whsec_c2hvcnQ=")).hasMessageContaining("24 to 64 bytes");
    }
}
