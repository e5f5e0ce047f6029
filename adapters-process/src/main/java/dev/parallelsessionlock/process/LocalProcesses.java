package dev.parallelsessionlock.process;

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
 * Identities of processes on this host, as {@link ProcessRef}s: pid plus an exact {@link ProcessRef.Identity}
 * that no clock step moves, and host and start time for people.
 *
 * <p>On Linux it reads {@code /proc} directly ({@code ProcessHandle} costs 4-5 ms of every cold hook start,
 * shared/PERF-NOTES.md; a file read well under one). The identity is the kernel's boot id
 * ({@code /proc/sys/kernel/random/boot_id}), this process's pid namespace ({@code /proc/self/ns/pid}) and the
 * raw start time in clock ticks ({@code /proc/<pid>/stat} field 22). The wall-clock start time is derived from
 * {@code btime}, which moves with the clock, so it is only shown, never compared for new records.
 *
 * <p>Without {@code /proc} (macOS, Windows) it uses {@code ProcessHandle}: the identity's boot part is the
 * start instant of pid 1 (launchd; it starts at boot), its start the process's start instant in milliseconds,
 * both kept by the kernel when the process started; where pid 1 cannot be read there is no identity and the
 * older rule (host and start time) applies.
 *
 * <p>{@link #system()} reads the real {@code /proc}; {@link #at(Path)} reads a fixture tree of the same shape,
 * so tests can step the clock, change boot ids and namespaces, and name processes oddly.
 */
public final class LocalProcesses {

  /** USER_HZ: the unit of {@code starttime} in {@code /proc/<pid>/stat}; 100 on every mainstream Linux. */
  static final long TICKS_PER_SECOND = 100;

  private static final LocalProcesses SYSTEM = new LocalProcesses(Path.of("/proc"), "/proc/");

  private final Path root;
  private final String rootPrefix;
  private volatile Option<String> hostName;
  private volatile Option<Long> bootMillis;
  private volatile Option<String> bootId;
  private volatile Option<String> pidNamespace;
  private volatile Boolean procFs;

  private LocalProcesses(Path root, String rootPrefix) {
    this.root = root;
    this.rootPrefix = rootPrefix;
  }

  /** The real process table of this host. */
  public static LocalProcesses system() {
    return SYSTEM;
  }

  /** A process table read from {@code procRoot}, a tree shaped like {@code /proc} (for tests). */
  public static LocalProcesses at(Path procRoot) {
    return new LocalProcesses(procRoot, procRoot.toString() + "/");
  }

  /**
   * What {@code /proc/<pid>/stat} says of one process.
   *
   * @param name the program name ({@code comm}; a {@code #!} script is named after its file)
   * @param state one letter; {@code Z} is a zombie: exited, not yet reaped
   * @param startTicks start time in clock ticks since boot
   */
  public record Stat(long pid, String name, char state, long parentPid, long startTicks, Option<Instant> startedAt) {}

  /** This JVM, in the real process table. */
  public static ProcessRef current() {
    return SYSTEM.ref(SYSTEM.selfPid());
  }

  /** This JVM's pid. */
  public static long currentPid() {
    return SYSTEM.selfPid();
  }

  /** The process with {@code pid} in the real process table. */
  public static ProcessRef of(long pid) {
    return SYSTEM.ref(pid);
  }

  /** The process behind {@code handle}. */
  public static ProcessRef of(ProcessHandle handle) {
    return SYSTEM.ref(handle.pid());
  }

  /** This process's pid, as this table counts them. */
  public long selfPid() {
    Option<Stat> self = stat("self");
    return self.isDefined() ? self.get().pid() : ProcessHandle.current().pid();
  }

  /** The process with {@code pid}, with its identity and start time when it runs. */
  public ProcessRef ref(long pid) {
    if (hasProcFs()) {
      Option<Stat> stat = stat(Long.toString(pid));
      return stat.isDefined() ? refOf(stat.get()) : new ProcessRef(pid, hostName(), Option.none(), Option.none());
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    Option<Instant> started = handle.isPresent() ? Option.ofOptional(handle.get().info().startInstant()) : Option.none();
    Option<ProcessRef.Identity> identity = Option.none();
    Option<String> boot = bootId();
    if (boot.isDefined() && started.isDefined()) {
      identity = Option.some(new ProcessRef.Identity(boot.get(), "", started.get().toEpochMilli()));
    }
    return new ProcessRef(pid, hostName(), started, identity);
  }

  /** The process a {@code /proc} entry describes, as a lock holder. */
  public ProcessRef refOf(Stat stat) {
    Option<String> boot = bootId();
    Option<String> namespace = pidNamespace();
    Option<ProcessRef.Identity> identity = boot.isDefined() && namespace.isDefined()
        ? Option.some(new ProcessRef.Identity(boot.get(), namespace.get(), stat.startTicks()))
        : Option.none();
    return new ProcessRef(stat.pid(), hostName(), stat.startedAt(), identity);
  }

  // Plain conditionals below, and in the whole hook path: see HookStartupTest.

  /** The parent of {@code pid}, when it has one that still runs. */
  public Option<Long> parentPid(long pid) {
    if (hasProcFs()) {
      Option<Stat> stat = stat(Long.toString(pid));
      return stat.isDefined() && stat.get().parentPid() > 0 ? Option.some(stat.get().parentPid()) : Option.none();
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    Optional<ProcessHandle> parent = handle.isPresent() ? handle.get().parent() : Optional.empty();
    return parent.isPresent() ? Option.some(parent.get().pid()) : Option.none();
  }

  /** The program name of {@code pid}, lower case, without directory or {@code .exe}; empty when unknown. */
  public String name(long pid) {
    String name;
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

  /** {@code pid} when it runs: a zombie (exited, not yet reaped) does not. */
  Option<Stat> running(long pid) {
    Option<Stat> stat = stat(Long.toString(pid));
    return stat.isDefined() && stat.get().state() != 'Z' && stat.get().state() != 'X' ? stat : Option.none();
  }

  /** Whether this table has {@code /proc/<pid>/stat} (Linux). */
  public boolean hasProcFs() {
    Boolean known = procFs;
    if (known == null) {
      known = Files.isDirectory(root);
      procFs = known;
    }
    return known;
  }

  /** {@code /proc/<pid>/stat} of {@code pid}; none without procfs or when the process is gone. */
  public Option<Stat> stat(long pid) {
    return hasProcFs() ? stat(Long.toString(pid)) : Option.none();
  }

  Option<Stat> stat(String pid) {
    String text;
    try {
      text = new String(read(pid + "/stat"), StandardCharsets.UTF_8);
    } catch (IOException | SecurityException gone) {
      return Option.none();
    }
    return parseStat(text, bootMillis());
  }

  /**
   * Parses one {@code /proc/<pid>/stat} line: {@code "pid (comm) state ppid ..."}, where comm may itself hold
   * spaces and parentheses, so it ends at the <em>last</em> {@code ')'}.
   */
  static Option<Stat> parseStat(String text, Option<Long> bootMillis) {
    int open = text.indexOf('(');
    int close = text.lastIndexOf(')');
    if (open < 0 || close < open || close + 2 >= text.length()) {
      return Option.none();
    }
    String[] fields = text.substring(close + 2).trim().split(" ");
    if (fields.length < 20 || fields[0].isEmpty()) {
      return Option.none();
    }
    try {
      long ownPid = Long.parseLong(text.substring(0, open).trim());
      long startTicks = Long.parseLong(fields[19]);
      Option<Instant> started = bootMillis.isDefined()
          ? Option.some(Instant.ofEpochMilli(bootMillis.get() + startTicks * 1000 / TICKS_PER_SECOND))
          : Option.none();
      return Option.some(new Stat(ownPid, text.substring(open + 1, close), fields[0].charAt(0),
          Long.parseLong(fields[1]), startTicks, started));
    } catch (NumberFormatException e) {
      return Option.none();
    }
  }

  /** Boot time by the wall clock ({@code btime}); it moves when the clock is stepped, so it is shown only. */
  private Option<Long> bootMillis() {
    Option<Long> known = bootMillis;
    if (known == null) {
      known = Option.none();
      try {
        // Bytes and indexOf, not readAllLines: no charset decoder to initialise on the hook path.
        String text = new String(read("stat"), StandardCharsets.ISO_8859_1);
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

  /** The kernel's boot id; elsewhere the start of pid 1. None when neither can be read. */
  public Option<String> bootId() {
    Option<String> known = bootId;
    if (known == null) {
      known = Option.none();
      if (hasProcFs()) {
        try {
          String id = new String(read("sys/kernel/random/boot_id"), StandardCharsets.ISO_8859_1).trim();
          known = id.isEmpty() ? Option.none() : Option.some(id);
        } catch (IOException | SecurityException e) {
          known = Option.none();
        }
      } else {
        Optional<ProcessHandle> init = ProcessHandle.of(1);
        Optional<Instant> boot = init.isPresent() ? init.get().info().startInstant() : Optional.empty();
        known = boot.isPresent() ? Option.some("pid1-started-" + boot.get().toEpochMilli()) : Option.none();
      }
      bootId = known;
    }
    return known;
  }

  /** This process's pid namespace, e.g. {@code pid:[4026531836]}; none without {@code /proc}. */
  public Option<String> pidNamespace() {
    Option<String> known = pidNamespace;
    if (known == null) {
      known = Option.none();
      if (hasProcFs()) {
        try {
          known = Option.some(Files.readSymbolicLink(root.resolve("self/ns/pid")).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
          known = Option.none();
        }
      }
      pidNamespace = known;
    }
    return known;
  }

  /** A small {@code /proc} file, through java.io: measurably lighter than NIO channels on a cold start. */
  private byte[] read(String relative) throws IOException {
    try (FileInputStream in = new FileInputStream(rootPrefix + relative)) {
      return in.readAllBytes();
    }
  }

  /**
   * This host's name, read from the kernel rather than through {@code InetAddress}, which may wait on DNS.
   * None when it cannot be told.
   */
  public Option<String> hostName() {
    Option<String> known = hostName;
    if (known == null) {
      try {
        String kernel = new String(read("sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
        known = kernel.isEmpty() ? Option.none() : Option.some(kernel);
      } catch (IOException | SecurityException noProcFs) {
        known = Option.none();
      }
      if (known.isEmpty() && this == SYSTEM) {
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
