package dev.parallelsessionlock.hook.runtime;

import dev.parallelsessionlock.core.ParallelSessionLock;
import io.vavr.control.Option;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Map;

/**
 * Settings from the environment, each with a default; a bad value falls back to the default with a warning.
 *
 * <ul>
 *   <li>{@code CLAUDE_FILE_LOCK=0}: opt out; the hook allows everything and touches nothing.</li>
 *   <li>{@code SESSION_LOCK_DIR}: where lock records live, an absolute path; default {@code ~/.claude/runtime}.</li>
 *   <li>{@code SESSION_LOCK_TTL_MS}: lease length; default 300000 (5 minutes).</li>
 *   <li>{@code SESSION_LOCK_DEADLINE_MS}: the hook gives up and allows after this long; default 1000.</li>
 *   <li>{@code SESSION_LOCK_OWNER}: {@code process} (default: the same agent process is the same owner even
 *       when its session id changes) or {@code session} (only the session id counts).</li>
 *   <li>{@code CLAUDE_PID}: Claude Code's own pid, the agent process when it is an ancestor of the hook.</li>
 *   <li>{@code COPILOT_CLI}, {@code GEMINI_SESSION_ID}, {@code CLAUDECODE}: which client runs the hook.</li>
 *   <li>{@code SESSION_LOCK_LAUNCHER}: set by the launcher to its own path, for the hints people get
 *       ({@link Hints#program}).</li>
 *   <li>{@code SESSION_LOCK_STORE}: {@code jdbc:sqlite:/path} or {@code jdbc:postgresql://host/db}: the lock records
 *       in a database instead of the lock directory; credentials from {@code SESSION_LOCK_STORE_USER} and
 *       {@code SESSION_LOCK_STORE_PASSWORD} or the file {@code SESSION_LOCK_STORE_CREDENTIALS};
 *       {@code SESSION_LOCK_STORE_CLOCK=database} judges leases by the database's clock;
 *       {@code SESSION_LOCK_HELPER=off} turns its resident helper off.</li>
 *   <li>{@code SESSION_LOCK_WAIT_MS}: how long a tool call that meets a held key waits in line before it is denied;
 *       default 20000, at most 25000; {@code 0}: no wait, denied at once (its place in line is kept all the same).</li>
 * </ul>
 */
public record HookConfig(
    boolean enabled, Path lockDir, Duration ttl, Duration deadline, boolean ownerIsProcess, Option<String> projectDir,
    Option<String> claudePid, Option<Agent> environmentAgent, Option<String> sessionFromEnvironment,
    Path noticeDir, String program, List<String> warnings, Option<String> store, Option<String> storeProblem,
    boolean databaseClock, Map<String, String> storeCredentials, Duration lineWait) {

  static final Duration DEFAULT_DEADLINE = Duration.ofMillis(1000);
  /**
   * How long a tool call that meets a held key waits in line by default: well inside the 30 s that install registers
   * for the events before a tool (and Copilot CLI's own default), with room for the JVM's start and the decision.
   */
  public static final Duration DEFAULT_LINE_WAIT = Duration.ofSeconds(20);
  /** The longest wait {@code SESSION_LOCK_WAIT_MS} may set: a hook the agent kills lets the tool run. */
  public static final long MAX_LINE_WAIT_MS = 25_000L;
  /** A lease longer than a day is a mistake: a dead holder on another host would block for that long. */
  public static final long MAX_TTL_MS = 86_400_000L;

  public static HookConfig from(Map<String, String> env) {
    // java.util, not vavr, collections on the hook path: vavr's List hierarchy is slow to initialise.
    List<String> warnings = new ArrayList<>();
    boolean enabled = !"0".equals(env.get("CLAUDE_FILE_LOCK"));
    Path home = home(env);
    Option<String> lockDirVariable = nonBlank(env, "SESSION_LOCK_DIR");
    if (lockDirVariable.isDefined() && !Path.of(lockDirVariable.get()).isAbsolute()) {
      // A relative directory would differ per workspace, and sessions would stop seeing each other's locks.
      warnings.add("SESSION_LOCK_DIR=" + lockDirVariable.get() + " is not an absolute path; using ~/.claude/runtime");
      lockDirVariable = Option.none();
    }
    Path lockDir = lockDirVariable.isDefined() ? Path.of(lockDirVariable.get()) : home.resolve(".claude").resolve("runtime");
    Option<Long> ttlMs = positiveMillis(env, "SESSION_LOCK_TTL_MS");
    if (ttlMs.isDefined() && ttlMs.get() > MAX_TTL_MS) {
      ttlMs = Option.none();
    }
    if (env.containsKey("SESSION_LOCK_TTL_MS") && ttlMs.isEmpty()) {
      warnings.add("SESSION_LOCK_TTL_MS=" + env.get("SESSION_LOCK_TTL_MS") + " is not a number of milliseconds from 1 to "
          + MAX_TTL_MS + " (a day); using 300000");
    }
    Option<Long> deadlineMs = positiveMillis(env, "SESSION_LOCK_DEADLINE_MS");
    if (env.containsKey("SESSION_LOCK_DEADLINE_MS") && deadlineMs.isEmpty()) {
      warnings.add("SESSION_LOCK_DEADLINE_MS=" + env.get("SESSION_LOCK_DEADLINE_MS") + " is not a positive number of milliseconds; using 1000");
    }
    Duration lineWait = DEFAULT_LINE_WAIT;
    String rawWait = env.get("SESSION_LOCK_WAIT_MS");
    if (rawWait != null) {
      long waitMs = -1;
      try {
        waitMs = Long.parseLong(rawWait.trim());
      } catch (NumberFormatException e) {
        waitMs = -1;
      }
      if (waitMs < 0 || waitMs > MAX_LINE_WAIT_MS) {
        warnings.add("SESSION_LOCK_WAIT_MS=" + rawWait + " is not a number of milliseconds from 0 to " + MAX_LINE_WAIT_MS
            + "; using " + DEFAULT_LINE_WAIT.toMillis());
      } else {
        lineWait = Duration.ofMillis(waitMs);
      }
    }
    String owner = env.getOrDefault("SESSION_LOCK_OWNER", "process");
    if (!owner.equals("process") && !owner.equals("session")) {
      warnings.add("SESSION_LOCK_OWNER=" + owner + " is neither process nor session; using process");
    }
    Option<String> store = nonBlank(env, "SESSION_LOCK_STORE");
    Option<String> storeProblem = Option.none();
    if (store.isDefined() && !store.get().startsWith("jdbc:sqlite:") && !store.get().startsWith("jdbc:postgresql:")) {
      // Not the lock directory instead: sessions elsewhere use the store this was meant to name, so a silent
      // fallback would switch protection off between them while it looked on. The store is unusable, as if down.
      storeProblem = Option.some("SESSION_LOCK_STORE=" + shown(store.get()) + " names no lock store: use "
          + "jdbc:postgresql://host/db or jdbc:sqlite:/path, or unset it for the lock directory");
      store = Option.none();
    }
    String clock = env.getOrDefault("SESSION_LOCK_STORE_CLOCK", "local");
    if (!clock.equals("local") && !clock.equals("database")) {
      warnings.add("SESSION_LOCK_STORE_CLOCK=" + clock + " is neither local nor database; using local");
    }
    Map<String, String> credentials = new java.util.HashMap<>();
    // The store's environment: its credentials, and where and whether its resident helper runs (hook.resident).
    for (String name : new String[] {"SESSION_LOCK_STORE_USER", "SESSION_LOCK_STORE_PASSWORD", "SESSION_LOCK_STORE_CREDENTIALS",
        "SESSION_LOCK_HELPER", "XDG_RUNTIME_DIR", "HOME", "SESSION_LOCK_LAUNCHER"}) {
      if (env.get(name) != null) {
        credentials.put(name, env.get(name));
      }
    }
    return new HookConfig(enabled, lockDir,
        ttlMs.isDefined() ? Duration.ofMillis(ttlMs.get()) : ParallelSessionLock.DEFAULT_TTL,
        deadlineMs.isDefined() ? Duration.ofMillis(deadlineMs.get()) : DEFAULT_DEADLINE,
        !owner.equals("session"),
        nonBlank(env, "CLAUDE_PROJECT_DIR"),
        nonBlank(env, "CLAUDE_PID"),
        Agent.fromEnvironment(env),
        nonBlank(env, "CLAUDE_CODE_SESSION_ID").orElse(nonBlank(env, "GEMINI_SESSION_ID")),
        Path.of(System.getProperty("java.io.tmpdir"), "session-lock-" + System.getProperty("user.name"), "notices"),
        Hints.program(env, Path.of("").toAbsolutePath()),
        List.copyOf(warnings), store, storeProblem, clock.equals("database") && store.isDefined(),
        Map.copyOf(credentials), lineWait);
  }

  /** The start of a store URL, up to its host or path: what a person needs to see, without credentials. */
  private static String shown(String url) {
    int end = url.length();
    for (String stop : new String[] {"//", "/", "?", "@", ";"}) {
      int at = url.indexOf(stop);
      if (at >= 0 && at < end) {
        end = at;
      }
    }
    return url.substring(0, Math.min(end, 40)) + (end < url.length() ? "..." : "");
  }

  /** This configuration, with hints that name {@code program} (sh words) as the way to run this executable. */
  public HookConfig withProgram(String program) {
    return new HookConfig(enabled, lockDir, ttl, deadline, ownerIsProcess, projectDir, claudePid, environmentAgent,
        sessionFromEnvironment, noticeDir, program, warnings, store, storeProblem, databaseClock, storeCredentials,
        lineWait);
  }

  /** The command that frees a workspace, for a deny reason ({@link Hints}: it runs as printed). */
  String releaseHint(Path workspace) {
    return Hints.command(program, "release", "--force", "--dir", workspace.toString());
  }

  /** The user's home: {@code HOME}, else the JVM's {@code user.home}. */
  public static Path home(Map<String, String> env) {
    Option<String> homeVariable = nonBlank(env, "HOME");
    return Path.of(homeVariable.isDefined() ? homeVariable.get() : System.getProperty("user.home"));
  }

  private static Option<String> nonBlank(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? Option.none() : Option.some(value);
  }

  private static Option<Long> positiveMillis(Map<String, String> env, String name) {
    String raw = env.get(name);
    if (raw == null) {
      return Option.none();
    }
    try {
      long value = Long.parseLong(raw.trim());
      return value > 0 ? Option.some(value) : Option.none();
    } catch (NumberFormatException e) {
      return Option.none();
    }
  }
}
