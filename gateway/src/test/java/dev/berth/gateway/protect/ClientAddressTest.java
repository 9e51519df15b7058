package dev.berth.gateway.protect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

    private final ClientAddress clients = new ClientAddress(List.of("10.0.0.0/8", "192.0.2.7", "fd00::/8"));

    @Test
    void untrustedPeerIsTheClientWhateverItForwards() {
        assertThat(clients.resolve(SocketAddress.inetSocketAddress(4000, "198.51.100.9"), List.of("1.2.3.4")))
                .isEqualTo("198.51.100.9");
    }

    @Test
    void trustedProxyHandsOnTheRightMostUntrustedHop() {
        assertThat(clients.resolve(SocketAddress.inetSocketAddress(4000, "10.1.2.3"),
                List.of("6.6.6.6, 203.0.113.5", "192.0.2.7"))).isEqualTo("203.0.113.5");
        assertThat(clients.resolve(SocketAddress.inetSocketAddress(4000, "fd00::1"), List.of("2001:db8::5")))
                .isEqualTo("2001:db8:0:0:0:0:0:5");
    }

    @Test
    void garbageOrOnlyProxiesEndAtTheLastReadableHop() {
        assertThat(clients.resolve(SocketAddress.inetSocketAddress(4000, "10.1.2.3"), List.of("evil, 10.9.9.9")))
                .isEqualTo("10.9.9.9");
        assertThat(clients.resolve(SocketAddress.inetSocketAddress(4000, "10.1.2.3"), List.of()))
                .isEqualTo("10.1.2.3");
    }

    @Test
    void rejectsBadRanges() {
        assertThatThrownBy(() -> new ClientAddress(List.of("10.0.0.0/33"))).hasMessageContaining("prefix");
        assertThatThrownBy(() -> new ClientAddress(List.of("proxy.example"))).hasMessageContaining("not an IP");
    }
}
