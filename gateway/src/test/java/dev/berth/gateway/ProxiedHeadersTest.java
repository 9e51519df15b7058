package dev.berth.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProxiedHeadersTest {

  private final UpstreamPool pool = new UpstreamPool(List.of("http://127.0.0.1:5001", "http://registry-2:80"));

  @Test
  void rewritesLocationsOnAnyUpstreamKeepingPathAndQuery() {
    assertThat(ProxiedHeaders.rewriteLocation("http://127.0.0.1:5001/v2/r/blobs/uploads/u?_state=a%2Fb",
        pool, "https://registry.example")).isEqualTo("https://registry.example/v2/r/blobs/uploads/u?_state=a%2Fb");
    assertThat(ProxiedHeaders.rewriteLocation("http://REGISTRY-2/v2/r/manifests/sha256:ab", pool, "http://gw:5000"))
        .isEqualTo("http://gw:5000/v2/r/manifests/sha256:ab");
  }

  @Test
  void leavesOtherLocationsAlone() {
    assertThat(ProxiedHeaders.rewriteLocation("/v2/r/blobs/uploads/u", pool, "http://gw:5000"))
        .isEqualTo("/v2/r/blobs/uploads/u");
    assertThat(ProxiedHeaders.rewriteLocation("https://s3.example/bucket/blob?sig=1", pool, "http://gw:5000"))
        .isEqualTo("https://s3.example/bucket/blob?sig=1");
    assertThat(ProxiedHeaders.rewriteLocation("http://127.0.0.1:5002/v2/", pool, "http://gw:5000"))
        .isEqualTo("http://127.0.0.1:5002/v2/");
  }

  @Test
  void knowsHopByHopHeaders() {
    assertThat(ProxiedHeaders.isHopByHop("Connection", null)).isTrue();
    assertThat(ProxiedHeaders.isHopByHop("Transfer-Encoding", null)).isTrue();
    assertThat(ProxiedHeaders.isHopByHop("Proxy-Authorization", null)).isTrue();
    assertThat(ProxiedHeaders.isHopByHop("X-Custom", "keep-alive, X-Custom")).isTrue();
    assertThat(ProxiedHeaders.isHopByHop("Content-Length", "keep-alive")).isFalse();
    assertThat(ProxiedHeaders.isHopByHop("Authorization", null)).isFalse();
  }
}
