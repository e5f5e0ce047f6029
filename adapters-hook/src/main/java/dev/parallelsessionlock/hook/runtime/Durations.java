package dev.parallelsessionlock.hook.runtime;

import java.time.Duration;

/** Durations as people read them: {@code 9s}, {@code 4m12s}, {@code 2h5m}, {@code 3d4h}. */
public final class Durations {

  private Durations() {}

  public static String human(Duration duration) {
    long seconds = Math.max(0, duration.getSeconds());
    if (seconds >= 86400) {
      return (seconds / 86400) + "d" + (seconds % 86400 / 3600) + "h";
    }
    if (seconds >= 3600) {
      return (seconds / 3600) + "h" + (seconds % 3600 / 60) + "m";
    }
    return seconds >= 60 ? (seconds / 60) + "m" + (seconds % 60) + "s" : seconds + "s";
  }
}
