package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.ProcessRef;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** Identities of processes on this host, as {@link ProcessRef}s with host and start time filled in. */
public final class LocalProcesses {

  private static volatile Option<String> hostName;

  private LocalProcesses() {}

  /** This JVM. */
  public static ProcessRef current() {
    return of(ProcessHandle.current());
  }

  /** The process with {@code pid}, with its start time when it still runs. */
  public static ProcessRef of(long pid) {
    return ProcessHandle.of(pid).map(LocalProcesses::of).orElseGet(() -> new ProcessRef(pid, hostName(), Option.none()));
  }

  /** The process behind {@code handle}. */
  public static ProcessRef of(ProcessHandle handle) {
    return new ProcessRef(handle.pid(), hostName(), Option.ofOptional(handle.info().startInstant()).map(LocalProcesses::toMillis));
  }

  /**
   * This host's name, read from the kernel rather than through {@code InetAddress}, which may wait on DNS.
   * None when it cannot be told; records then carry no host and are probed as local.
   */
  public static Option<String> hostName() {
    Option<String> known = hostName;
    if (known == null) {
      known = firstLine(Path.of("/proc/sys/kernel/hostname"))
          .orElse(() -> firstLine(Path.of("/etc/hostname")))
          .orElse(() -> Option.of(System.getenv("COMPUTERNAME")).filter(name -> !name.isBlank()));
      hostName = known;
    }
    return known;
  }

  /** Start times are compared at millisecond precision, as records store them. */
  static Instant toMillis(Instant instant) {
    return Instant.ofEpochMilli(instant.toEpochMilli());
  }

  private static Option<String> firstLine(Path path) {
    try {
      String text = new String(Files.readAllBytes(path), StandardCharsets.UTF_8).trim();
      int newline = text.indexOf('\n');
      String line = newline < 0 ? text : text.substring(0, newline).trim();
      return line.isEmpty() ? Option.none() : Option.some(line);
    } catch (IOException | SecurityException e) {
      return Option.none();
    }
  }
}
