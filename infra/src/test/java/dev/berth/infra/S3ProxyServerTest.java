package dev.berth.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(S3ProxyExtension.class)
class S3ProxyServerTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void answersTheS3ApiOnLoopbackAndRefusesUnsignedRequests(S3Bucket bucket) throws Exception {
    assertThat(bucket.endpoint()).startsWith("http://127.0.0.1:");
    assertThat(bucket.bucket()).startsWith("t-s3proxyservertest-");
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create(bucket.endpoint() + "/" + bucket.bucket() + "/")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.body()).contains("<Code>AccessDenied</Code>");
    assertThat(bucket.toString()).doesNotContain(bucket.secretKey());
  }

  @Test
  void theSameClassSharesOneBucketAndAnInMemoryServerStartsAndStops(S3Bucket bucket) {
    assertThat(bucket.bucket()).startsWith("t-s3proxyservertest-");
    try (S3ProxyServer server = S3ProxyServer.startInMemory()) {
      S3Bucket other = server.createBucket("another-bucket");
      assertThat(other.endpoint()).isNotEqualTo(bucket.endpoint());
      assertThat(other.accessKey()).isNotEqualTo(bucket.accessKey());
    }
  }
}
