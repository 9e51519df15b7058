package dev.berth.infra;

/**
 * One bucket on a running S3 server, as handed to a test by {@link S3ProxyExtension}: everything a
 * client needs to reach it (path-style addressing, signature v4 with these keys).
 */
public record S3Bucket(String endpoint, String region, String bucket, String accessKey, String secretKey) {

  @Override
  public String toString() {
    // The secret stays out of test logs.
    return "S3Bucket[" + endpoint + "/" + bucket + ", region " + region + ", access key " + accessKey + "]";
  }
}
