package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.ProcessRef;
import io.vavr.control.Option;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Identities of processes on this host, as {@link ProcessRef}s with host and start time filled in.
 *
 * <p>On Linux it reads {@code /proc/<pid>/stat} directly: {@code ProcessHandle} costs 4-5 ms of every cold
 * hook start (shared/PERF-NOTES.md), a file read well under one. Start times are computed as
 * {@code ProcessHandle} computes them (boot time plus start ticks at 100 per second), to the millisecond, so
 * both ways agree. Elsewhere it uses {@code ProcessHandle}.
 */
public final class LocalProcesses {

  private static final Path PROC = Path.of("/proc");
  /** USER_HZ: the unit of {@code starttime} in {@code /proc/<pid>/stat}; 100 on every mainstream Linux. */
  private static final long TICKS_PER_SECOND = 100;

  private static volatile Option<String> hostName;
  private static volatile Option<Long> bootMillis;
  private static volatile Boolean procFs;

  private LocalProcesses() {}

  /**
   * What {@code /proc/<pid>/stat} says of one process.
   *
   * @param name the program name ({@code comm}; a {@code #!} script is named after its file)
   * @param state one letter; {@code Z} is a zombie: exited, not yet reaped
   */
  public record Stat(long pid, String name, char state, long parentPid, Option<Instant> startedAt) {

    /** The process as a lock holder. */
    public ProcessRef toProcessRef() {
      return new ProcessRef(pid, hostName(), startedAt);
    }
  }

  /** This JVM. */
  public static ProcessRef current() {
    return of(currentPid());
  }

  public static long currentPid() {
    Option<Stat> self = stat("self");
    return self.isDefined() ? self.get().pid() : ProcessHandle.current().pid();
  }

  /** The process with {@code pid}, with its start time when it still runs. */
  public static ProcessRef of(long pid) {
    if (hasProcFs()) {
      Option<Stat> stat = stat(Long.toString(pid));
      return new ProcessRef(pid, hostName(), stat.isDefined() ? stat.get().startedAt() : Option.none());
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    return new ProcessRef(pid, hostName(),
        handle.isPresent() ? Option.ofOptional(handle.get().info().startInstant()) : Option.none());
  }

  /** The process behind {@code handle}. */
  public static ProcessRef of(ProcessHandle handle) {
    return of(handle.pid());
  }

  // Plain conditionals below, no lambdas or method references: each lambda call site costs about a
  // millisecond of a cold hook start.

  /** The parent of {@code pid}, when it has one that still runs. */
  public static Option<Long> parentPid(long pid) {
    if (hasProcFs()) {
      Option<Stat> stat = stat(Long.toString(pid));
      return stat.isDefined() && stat.get().parentPid() > 0 ? Option.some(stat.get().parentPid()) : Option.none();
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    Optional<ProcessHandle> parent = handle.isPresent() ? handle.get().parent() : Optional.empty();
    return parent.isPresent() ? Option.some(parent.get().pid()) : Option.none();
  }

  /** The program name of {@code pid}, lower case, without directory or {@code .exe}; empty when unknown. */
  public static String name(long pid) {
    String name = "";
    if (hasProcFs()) {
      Option<Stat> stat = stat(Long.toString(pid));
      name = stat.isDefined() ? stat.get().name() : "";
    } else {
      Optional<ProcessHandle> handle = ProcessHandle.of(pid);
      name = handle.isPresent() ? handle.get().info().command().orElse("") : "";
    }
    return programName(name);
  }

  /** {@code /usr/bin/Node.exe} to {@code node}. */
  public static String programName(String name) {
    String base = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1).toLowerCase(Locale.ROOT);
    return base.endsWith(".exe") ? base.substring(0, base.length() - 4) : base;
  }

  /**
   * Whether {@code pid} runs: a zombie (exited, not yet reaped) does not. None when this host cannot tell
   * without {@code ProcessHandle}.
   */
  static Option<Stat> running(long pid) {
    Option<Stat> stat = stat(Long.toString(pid));
    return stat.isDefined() && stat.get().state() != 'Z' && stat.get().state() != 'X' ? stat : Option.none();
  }

  /** Whether this host has {@code /proc/<pid>/stat} (Linux). */
  public static boolean hasProcFs() {
    Boolean known = procFs;
    if (known == null) {
      known = Files.isDirectory(PROC);
      procFs = known;
    }
    return known;
  }

  /** {@code /proc/<pid>/stat} of {@code pid}; none without procfs or when the process is gone. */
  public static Option<Stat> stat(long pid) {
    return hasProcFs() ? stat(Long.toString(pid)) : Option.none();
  }

  static Option<Stat> stat(String pid) {
    String text;
    try {
      text = new String(readProc(pid + "/stat"), StandardCharsets.UTF_8);
    } catch (IOException | SecurityException gone) {
      return Option.none();
    }
    // "pid (comm) state ppid ..." where comm may itself hold spaces and parentheses.
    int open = text.indexOf('(');
    int close = text.lastIndexOf(')');
    if (open < 0 || close < open || close + 2 >= text.length()) {
      return Option.none();
    }
    String[] fields = text.substring(close + 2).trim().split(" ");
    if (fields.length < 20) {
      return Option.none();
    }
    try {
      long ownPid = Long.parseLong(text.substring(0, open).trim());
      long startTicks = Long.parseLong(fields[19]);
      Option<Long> boot = boot();
      Option<Instant> started = boot.isDefined()
          ? Option.some(Instant.ofEpochMilli(boot.get() + startTicks * 1000 / TICKS_PER_SECOND))
          : Option.none();
      return Option.some(new Stat(ownPid, text.substring(open + 1, close), fields[0].charAt(0),
          Long.parseLong(fields[1]), started));
    } catch (NumberFormatException e) {
      return Option.none();
    }
  }

  private static Option<Long> boot() {
    Option<Long> known = bootMillis;
    if (known == null) {
      known = Option.none();
      try {
        // Bytes and indexOf, not readAllLines: no charset decoder to initialise on the hook path.
        String text = new String(readProc("stat"), StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\nbtime ");
        if (at >= 0) {
          int end = text.indexOf('\n', at + 7);
          known = Option.some(Long.parseLong(text.substring(at + 7, end < 0 ? text.length() : end).trim()) * 1000);
        }
      } catch (IOException | NumberFormatException | SecurityException e) {
        known = Option.none();
      }
      bootMillis = known;
    }
    return known;
  }

  /** A small {@code /proc} file, through java.io: measurably lighter than NIO channels on a cold start. */
  private static byte[] readProc(String relative) throws IOException {
    try (FileInputStream in = new FileInputStream("/proc/" + relative)) {
      return in.readAllBytes();
    }
  }

  /**
   * This host's name, read from the kernel rather than through {@code InetAddress}, which may wait on DNS.
   * None when it cannot be told; records then carry no host and are probed as local.
   */
  public static Option<String> hostName() {
    Option<String> known = hostName;
    if (known == null) {
      try {
        String kernel = new String(readProc("sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
        known = kernel.isEmpty() ? Option.none() : Option.some(kernel);
      } catch (IOException | SecurityException noProcFs) {
        known = Option.none();
      }
      if (known.isEmpty()) {
        known = firstLine(Path.of("/etc/hostname"));
      }
      String windows = System.getenv("COMPUTERNAME");
      if (known.isEmpty() && windows != null && !windows.isBlank()) {
        known = Option.some(windows);
      }
      hostName = known;
    }
    return known;
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
