package dev.parallelsessionlock.hook.install;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The launcher's shared body, the same text the build puts into {@code target/session-lock}. */
final class LauncherBody {

  static final String TEXT = read();

  private LauncherBody() {}

  private static String read() {
    try (InputStream in = LauncherBody.class.getResourceAsStream("/dev/parallelsessionlock/hook/launcher-body.sh")) {
      if (in == null) {
        throw new IllegalStateException("launcher-body.sh is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
