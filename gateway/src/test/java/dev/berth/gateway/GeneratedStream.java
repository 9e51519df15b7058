package dev.berth.gateway;

import java.io.InputStream;
import java.security.MessageDigest;

/** A body of any size made up on the fly (and hashed as it is read), so no test holds it whole. */
final class GeneratedStream extends InputStream {

  private final long size;
  private final MessageDigest digest;
  private long position;

  GeneratedStream(long size, MessageDigest digest) {
    this.size = size;
    this.digest = digest;
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) {
    if (position >= size) {
      return -1;
    }
    int n = (int) Math.min(length, size - position);
    for (int i = 0; i < n; i++) {
      buffer[offset + i] = (byte) ((position + i) * 7 + ((position + i) >>> 13));
    }
    digest.update(buffer, offset, n);
    position += n;
    return n;
  }
}
