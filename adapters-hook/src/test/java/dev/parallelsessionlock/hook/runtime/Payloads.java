package dev.parallelsessionlock.hook.runtime;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Collections;

/** Hook payloads too large to hold in memory, generated as they are read. */
final class Payloads {

  private Payloads() {}

  /** {@code prefix}, then {@code fillerBytes} of 'x', then {@code suffix}, as one stream. */
  static InputStream stream(String prefix, long fillerBytes, String suffix) {
    InputStream filler = new InputStream() {
      long left = fillerBytes;

      @Override
      public int read() {
        return left-- > 0 ? 'x' : -1;
      }

      @Override
      public int read(byte[] buffer, int offset, int length) {
        if (left <= 0) {
          return -1;
        }
        int n = (int) Math.min(length, left);
        Arrays.fill(buffer, offset, offset + n, (byte) 'x');
        left -= n;
        return n;
      }
    };
    List<InputStream> parts = List.of(new ByteArrayInputStream(prefix.getBytes(StandardCharsets.UTF_8)), filler,
        new ByteArrayInputStream(suffix.getBytes(StandardCharsets.UTF_8)));
    return new SequenceInputStream(Collections.enumeration(parts));
  }
}
