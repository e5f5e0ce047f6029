package dev.parallelsessionlock.hook.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a hook payload of up to {@link #MAX_INPUT_BYTES} from a stream in one pass and keeps it small: every
 * JSON string longer than {@link #MAX_KEPT_STRING_BYTES} (the content of a large Write, a long patch) is
 * replaced by {@code ""} while the bytes stream past, so a 64 MiB payload costs one scan and a few hundred
 * kilobytes of heap, never a 64 MiB string. It only tracks where strings begin and end (quotes and
 * backslash escapes); the JSON parser validates what it keeps.
 */
public final class JsonSkim {

  /** Larger input is not parsed; the hook fails open on it. */
  public static final int MAX_INPUT_BYTES = 64 * 1024 * 1024;

  /** Longer strings are dropped: no field the hook reads comes near this. */
  static final int MAX_KEPT_STRING_BYTES = 256 * 1024;

  /** Deeper nesting is no hook event (and would exhaust the parser's stack). */
  static final int MAX_DEPTH = 256;

  /**
   * What was read.
   *
   * @param json the payload with long strings emptied
   * @param tooLarge the input went past {@link #MAX_INPUT_BYTES}; {@code json} is then incomplete
   * @param tooDeep objects and arrays nest deeper than {@link #MAX_DEPTH}
   */
  record Result(byte[] json, boolean tooLarge, boolean tooDeep) {}

  private JsonSkim() {}

  static Result read(InputStream in) throws IOException {
    return read(in, MAX_INPUT_BYTES, MAX_KEPT_STRING_BYTES);
  }

  static Result read(InputStream in, int maxInput, int maxKeptString) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    byte[] out = new byte[8 * 1024];
    int length = 0;
    long total = 0;
    boolean inString = false;
    boolean escaped = false;
    boolean dropping = false;
    int stringStart = 0;
    int depth = 0;
    boolean tooDeep = false;
    for (int read = in.read(chunk); read >= 0; read = in.read(chunk)) {
      total += read;
      if (total > maxInput) {
        return new Result(Arrays.copyOf(out, length), true, tooDeep);
      }
      if (length + read > out.length) {
        out = Arrays.copyOf(out, Math.max(out.length * 2, length + read));
      }
      for (int i = 0; i < read; i++) {
        byte b = chunk[i];
        if (!inString) {
          if (b == '"') {
            inString = true;
            stringStart = length;
          } else if (b == '{' || b == '[') {
            tooDeep |= ++depth > MAX_DEPTH;
          } else if (b == '}' || b == ']') {
            depth--;
          }
          out[length++] = b;
        } else if (escaped) {
          escaped = false;
          if (!dropping) {
            out[length++] = b;
          }
        } else if (b == '"') {
          inString = false;
          dropping = false;
          out[length++] = b;
        } else {
          escaped = b == '\\';
          if (!dropping) {
            out[length++] = b;
            if (length - stringStart > maxKeptString) {
              length = stringStart + 1;
              dropping = true;
            }
          }
        }
      }
    }
    return new Result(Arrays.copyOf(out, length), false, tooDeep);
  }
}
