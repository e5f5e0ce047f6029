package dev.parallelsessionlock.core;

import java.nio.charset.StandardCharsets;

/**
 * MD5 (RFC 1321), written out because {@code MessageDigest.getInstance("MD5")} loads the security providers
 * and costs 16-20 ms of every cold hook start (shared/PERF-NOTES.md). Checked against {@code MessageDigest}
 * and {@code md5sum} vectors in the tests. Not used for anything security-related.
 */
final class Md5 {

  private static final int[] SHIFT = {
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21
  };

  private static final int[] K = new int[64];

  static {
    for (int i = 0; i < 64; i++) {
      K[i] = (int) (long) StrictMath.floor(StrictMath.abs(StrictMath.sin(i + 1)) * 4294967296.0);
    }
  }

  private Md5() {}

  /** Lower-case hex MD5 of the UTF-8 bytes of {@code text}. */
  static String hex(String text) {
    byte[] digest = digest(text.getBytes(StandardCharsets.UTF_8));
    char[] out = new char[32];
    final String digits = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
      out[2 * i] = digits.charAt((digest[i] >> 4) & 0xf);
      out[2 * i + 1] = digits.charAt(digest[i] & 0xf);
    }
    return new String(out);
  }

  static byte[] digest(byte[] message) {
    int paddedLength = ((message.length + 8) / 64 + 1) * 64;
    byte[] padded = new byte[paddedLength];
    System.arraycopy(message, 0, padded, 0, message.length);
    padded[message.length] = (byte) 0x80;
    long bits = (long) message.length * 8;
    for (int i = 0; i < 8; i++) {
      padded[paddedLength - 8 + i] = (byte) (bits >>> (8 * i));
    }
    int a0 = 0x67452301;
    int b0 = 0xefcdab89;
    int c0 = 0x98badcfe;
    int d0 = 0x10325476;
    int[] words = new int[16];
    for (int block = 0; block < paddedLength; block += 64) {
      for (int j = 0; j < 16; j++) {
        int at = block + 4 * j;
        words[j] = (padded[at] & 0xff) | (padded[at + 1] & 0xff) << 8
            | (padded[at + 2] & 0xff) << 16 | (padded[at + 3] & 0xff) << 24;
      }
      int a = a0;
      int b = b0;
      int c = c0;
      int d = d0;
      for (int i = 0; i < 64; i++) {
        int f;
        int g;
        if (i < 16) {
          f = (b & c) | (~b & d);
          g = i;
        } else if (i < 32) {
          f = (d & b) | (~d & c);
          g = (5 * i + 1) % 16;
        } else if (i < 48) {
          f = b ^ c ^ d;
          g = (3 * i + 5) % 16;
        } else {
          f = c ^ (b | ~d);
          g = (7 * i) % 16;
        }
        int rotated = a + f + K[i] + words[g];
        a = d;
        d = c;
        c = b;
        b = b + Integer.rotateLeft(rotated, SHIFT[i]);
      }
      a0 += a;
      b0 += b;
      c0 += c;
      d0 += d;
    }
    byte[] out = new byte[16];
    int[] state = {a0, b0, c0, d0};
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        out[4 * i + j] = (byte) (state[i] >>> (8 * j));
      }
    }
    return out;
  }
}
