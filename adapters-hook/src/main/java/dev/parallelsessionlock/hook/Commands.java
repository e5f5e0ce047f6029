package dev.parallelsessionlock.hook;

import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonWriter;
import dev.parallelsessionlock.core.Liveness;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStatus;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.core.WriteOutcome;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.fs.ProcessTableLiveness;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The commands for people: install, uninstall, status, list, release, prune, doctor, demo, help, version. */
final class Commands {

  static final String HELP = String.join("\n",
      "session-lock - stops parallel AI coding sessions from colliding in one workspace",
      "",
      "Usage:",
      "  session-lock install [--agent claude|copilot|codex|gemini] [--scope project|local|user] [--dir DIR] [--trust]",
      "      copy the executable to a stable place and register the hooks (default: claude, project scope);",
      "      --trust (codex): record the trust Codex asks for in /hooks",
      "  session-lock uninstall [--agent ...] [--scope ...] [--dir DIR] [--purge]",
      "      remove exactly what install added; --purge also removes the installed copy when nothing uses it",
      "  session-lock doctor [--dir DIR]            is protection really on here? one line per problem",
      "  session-lock status [--json] [--dir DIR]   who holds the workspace lock, alive or not, time left",
      "  session-lock list [--json]                 every lock in the lock directory",
      "  session-lock release --force [--dir DIR]   remove the workspace lock, whoever holds it",
      "  session-lock prune                         remove locks of dead holders and long-expired leases",
      "  session-lock demo                          two sessions contending, through the real hook",
      "  session-lock hook [--agent NAME] [EVENT]   run as an agent hook: one event as JSON on stdin",
      "  session-lock --help | --version",
      "",
      "DIR must be an existing directory; it defaults to $CLAUDE_PROJECT_DIR, else the current directory; the",
      "workspace is the git work tree around it.",
      "",
      "Exit codes:",
      "  0   success; in hook mode the tool call proceeds (also on any internal error: the hook fails open)",
      "  2   hook mode only: the tool call is denied, another live session holds the workspace",
      "  3   doctor: protection is not fully on (one line per problem)",
      "  64  usage error (unknown command or option, a --dir that is no directory)",
      "  65  a settings file is malformed; it was left untouched",
      "  69  the lock directory or the install location cannot be used",
      "  70  internal error",
      "",
      "Environment:",
      "  CLAUDE_FILE_LOCK=0        opt out: the hook allows everything and touches nothing",
      "  SESSION_LOCK_DIR          lock records (default ~/.claude/runtime)",
      "  SESSION_LOCK_TTL_MS       lease length (default 300000, at most 86400000)",
      "  SESSION_LOCK_DEADLINE_MS  the hook allows if it has not decided by then (default 1000)",
      "  SESSION_LOCK_OWNER        process (default) or session: what makes two events the same owner",
      "  SESSION_LOCK_HOME         install location (default ~/.local/share/parallel-session-lock)",
      "  SESSION_LOCK_JAVA         install: the java the hook runs on (default: the one running install;",
      "                            with Java 25+ install builds an AOT cache, else a CDS archive)",
      "");

  /** The options each command takes; those in {@link #WITH_VALUE} take a value. */
  private static final Map<String, Set<String>> OPTIONS = Map.of(
      "install", Set.of("--agent", "--scope", "--dir", "--trust"),
      "uninstall", Set.of("--agent", "--scope", "--dir", "--purge"),
      "doctor", Set.of("--dir"),
      "status", Set.of("--json", "--dir"),
      "list", Set.of("--json"),
      "release", Set.of("--force", "--dir"),
      "prune", Set.of(),
      "demo", Set.of());
  private static final Set<String> WITH_VALUE = Set.of("--dir", "--agent", "--scope");

  /** Records whose lease ended longer ago than this are pruned even when their holder cannot be probed. */
  static final Duration PRUNE_AFTER = Duration.ofDays(1);
  /** Unreadable records kept aside are pruned after this long. */
  static final Duration PRUNE_KEPT_ASIDE_AFTER = Duration.ofDays(7);

  private final Map<String, String> env;
  private final Path cwd;
  private final PrintStream out;
  private final PrintStream err;
  private final Clock clock;

  Commands(Map<String, String> env, Path cwd, PrintStream out, PrintStream err, Clock clock) {
    this.env = env;
    this.cwd = cwd;
    this.out = out;
    this.err = err;
    this.clock = clock;
  }

  /** Runs one command line; returns the exit code. */
  int run(String[] args) {
    if (args.length == 0) {
      out.print(HELP);
      return ExitCodes.USAGE;
    }
    if (args[0].equals("--version") || args[0].equals("version")) {
      out.println("session-lock " + Version.TEXT);
      return ExitCodes.OK;
    }
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h") || arg.equals("help")) {
        out.print(HELP);
        return ExitCodes.OK;
      }
    }
    if (!OPTIONS.containsKey(args[0])) {
      return usage("unknown command '" + args[0] + "'");
    }
    Either<String, Map<String, String>> options = options(args[0], args);
    if (options.isLeft()) {
      return usage(options.getLeft());
    }
    Map<String, String> flags = options.get();
    if (flags.containsKey("--dir")) {
      Path dir = cwd.resolve(flags.get("--dir"));
      if (!Files.isDirectory(dir)) {
        return usage("--dir " + flags.get("--dir") + (Files.exists(dir) ? " is not a directory" : " does not exist"));
      }
    }
    switch (args[0]) {
      case "install":
      case "uninstall":
        return installOrUninstall(args[0].equals("install"), flags);
      case "doctor":
        return new Doctor(installer(flags), workspace(flags), env, out).run();
      case "status":
        return status(flags);
      case "list":
        return list(flags);
      case "release":
        return release(flags);
      case "prune":
        return prune();
      default:
        return Demo.run(out, err, clock);
    }
  }

  /** {@code --name value} and {@code --name=value}; only the options {@code command} takes. */
  private static Either<String, Map<String, String>> options(String command, String[] args) {
    Map<String, String> flags = new HashMap<>();
    Set<String> allowed = OPTIONS.get(command);
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value = null;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        name = arg.substring(0, equals);
        value = arg.substring(equals + 1);
      }
      if (!allowed.contains(name)) {
        return Either.left((name.startsWith("-") ? "" + command + " takes no option '" + name + "'"
            : "unexpected argument '" + arg + "'"));
      }
      if (WITH_VALUE.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.length) {
            return Either.left(name + " needs a value");
          }
          value = args[++i];
        }
        flags.put(name, value);
      } else if (value != null) {
        return Either.left(name + " takes no value");
      } else {
        flags.put(name, "");
      }
    }
    return Either.right(flags);
  }

  private int usage(String problem) {
    err.println("session-lock: " + problem + " (see session-lock --help)");
    return ExitCodes.USAGE;
  }

  private Path workspace(Map<String, String> flags) {
    Option<String> dir = Option.of(flags.get("--dir")).map(d -> cwd.resolve(d).toString())
        .orElse(Option.of(env.get("CLAUDE_PROJECT_DIR")).filter(d -> !d.isBlank()));
    return Workspaces.resolve(dir, Option.none(), cwd);
  }

  private Installer installer(Map<String, String> flags) {
    Path home = HookConfig.home(env);
    return new Installer(workspace(flags), home, Installer.defaultInstallHome(env, home, cwd), env);
  }

  private int installOrUninstall(boolean install, Map<String, String> flags) {
    Option<Agent> agent = Agent.parse(flags.getOrDefault("--agent", "claude"));
    Installer.Scope scope;
    try {
      scope = Installer.Scope.valueOf(flags.getOrDefault("--scope", "project").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return usage("--scope takes project, local or user");
    }
    if (agent.isEmpty()) {
      return usage("--agent takes claude, copilot, codex or gemini");
    }
    if (flags.containsKey("--trust") && agent.get() != Agent.CODEX) {
      return usage("--trust is for --agent codex");
    }
    Installer installer = installer(flags);
    Either<Installer.Failure, List<String>> result;
    if (install) {
      Option<Path> jar = runningJar();
      if (jar.isEmpty()) {
        err.println("session-lock: install runs from the packaged jar (adapters-hook/target/session-lock.jar)");
        return ExitCodes.UNAVAILABLE;
      }
      String chosenJava = env.get("SESSION_LOCK_JAVA");
      Path java = chosenJava != null && !chosenJava.isBlank()
          ? Path.of(chosenJava)
          : Path.of(System.getProperty("java.home"), "bin", "java");
      result = installer.install(agent.get(), scope, jar.get(), java, flags.containsKey("--trust"));
    } else {
      result = installer.uninstall(agent.get(), scope);
      if (result.isRight() && flags.containsKey("--purge")) {
        Either<Installer.Failure, List<String>> purged = installer.purge();
        result = purged.isLeft() ? Either.left(purged.getLeft()) : Either.right(result.get().appendAll(purged.get()));
      }
    }
    if (result.isLeft()) {
      err.println("session-lock: " + result.getLeft().message());
      return result.getLeft().exitCode();
    }
    result.get().forEach(out::println);
    return ExitCodes.OK;
  }

  static Option<Path> runningJar() {
    try {
      Path location = Path.of(Commands.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return location.toString().endsWith(".jar") ? Option.some(location) : Option.none();
    } catch (Exception e) {
      return Option.none();
    }
  }

  private Either<Integer, FileLockStore> openStore() {
    HookConfig config = HookConfig.from(env);
    config.warnings().forEach(w -> err.println("session-lock: " + w));
    Either<StoreFailure, FileLockStore> store = FileLockStore.open(config.lockDir());
    if (store.isLeft()) {
      err.println("session-lock: " + store.getLeft().describe());
      return Either.left(ExitCodes.UNAVAILABLE);
    }
    return Either.right(store.get());
  }

  private Either<Integer, ParallelSessionLock> openLock() {
    HookConfig config = HookConfig.from(env);
    return openStore().map(store ->
        ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), clock).withTtl(config.ttl()));
  }

  private int failed(LockFailure failure) {
    err.println("session-lock: " + failure.describe());
    return ExitCodes.UNAVAILABLE;
  }

  private int status(Map<String, String> flags) {
    Either<Integer, ParallelSessionLock> lock = openLock();
    if (lock.isLeft()) {
      return lock.getLeft();
    }
    Path workspace = workspace(flags);
    LockKey key = LockKey.workspace(WorkspaceHash.of(workspace.toString()));
    Either<LockFailure, LockStatus> status = lock.get().status(key);
    if (status.isLeft()) {
      return failed(status.getLeft());
    }
    if (flags.containsKey("--json")) {
      JsonObject json = json(status.get());
      json.put("workspace", workspace.toString());
      out.println(JsonWriter.string(json));
    } else {
      out.println("workspace  " + workspace);
      out.println("lock       " + key.name());
      out.println("state      " + describe(status.get()));
    }
    return ExitCodes.OK;
  }

  private int list(Map<String, String> flags) {
    Either<Integer, ParallelSessionLock> lock = openLock();
    if (lock.isLeft()) {
      return lock.getLeft();
    }
    Either<LockFailure, List<LockStatus>> all = lock.get().list();
    if (all.isLeft()) {
      return failed(all.getLeft());
    }
    if (flags.containsKey("--json")) {
      JsonArray array = new JsonArray();
      for (LockStatus status : all.get()) {
        array.add(json(status));
      }
      out.println(JsonWriter.string(array));
    } else if (all.get().isEmpty()) {
      out.println("no locks");
    } else {
      StringBuilder text = new StringBuilder();
      for (LockStatus status : all.get()) {
        text.append(status.key().name()).append("  ").append(describe(status)).append('\n');
      }
      out.print(text);
    }
    return ExitCodes.OK;
  }

  private int release(Map<String, String> flags) {
    if (!flags.containsKey("--force")) {
      return usage("release removes whatever lock is there, even another session's: confirm with --force");
    }
    Either<Integer, ParallelSessionLock> lock = openLock();
    if (lock.isLeft()) {
      return lock.getLeft();
    }
    Path workspace = workspace(flags);
    Either<LockFailure, Option<Slot>> removed = lock.get().forceRelease(LockKey.workspace(WorkspaceHash.of(workspace.toString())));
    if (removed.isLeft()) {
      return failed(removed.getLeft());
    }
    if (removed.get().isEmpty()) {
      out.println("no lock on " + workspace);
    } else if (removed.get().get() instanceof Slot.Held held) {
      LockRecord record = held.record();
      out.println("removed the lock of session " + record.sessionId() + " (pid " + record.pid() + ") on " + workspace);
    } else {
      out.println("removed an unreadable lock record on " + workspace + " (its bytes are kept aside as *.corrupt-*)");
    }
    return ExitCodes.OK;
  }

  /**
   * Removes records whose holder is provably dead, or whose lease ended more than {@link #PRUNE_AFTER} ago, each
   * with a conditional delete (a record that changed meanwhile stays), and kept-aside copies older than
   * {@link #PRUNE_KEPT_ASIDE_AFTER}; prints what it removed.
   */
  private int prune() {
    Either<Integer, FileLockStore> store = openStore();
    if (store.isLeft()) {
      return store.getLeft();
    }
    Either<StoreFailure, List<Slot>> slots = store.get().list();
    if (slots.isLeft()) {
      err.println("session-lock: " + slots.getLeft().describe());
      return ExitCodes.UNAVAILABLE;
    }
    ProcessTableLiveness liveness = ProcessTableLiveness.forThisHost();
    Instant now = clock.instant();
    int removed = 0;
    for (Slot slot : slots.get()) {
      if (!(slot instanceof Slot.Held held)) {
        continue;
      }
      LockRecord record = held.record();
      boolean dead = liveness.of(record.holder()) == Liveness.DEAD;
      boolean expiredLongAgo = now.isAfter(record.expiresAt().plus(PRUNE_AFTER));
      if (!dead && !expiredLongAgo) {
        continue;
      }
      Either<StoreFailure, WriteOutcome> deleted = store.get().delete(slot);
      if (deleted.isRight() && deleted.get() == WriteOutcome.WRITTEN) {
        removed++;
        out.println("removed " + slot.key().name() + ": session " + record.sessionId() + " (pid " + record.pid() + ", "
            + (dead ? "dead" : "lease ended " + human(Duration.between(record.expiresAt(), now)) + " ago") + ")"
            + (record.details().path().isDefined() ? " " + record.details().path().get() : ""));
      }
    }
    Either<StoreFailure, List<Path>> kept = store.get().keptAside();
    if (kept.isRight()) {
      for (Path aside : kept.get()) {
        try {
          if (Files.getLastModifiedTime(aside).toInstant().plus(PRUNE_KEPT_ASIDE_AFTER).isBefore(now)) {
            Files.delete(aside);
            removed++;
            out.println("removed " + aside.getFileName() + ": an unreadable record kept aside more than "
                + PRUNE_KEPT_ASIDE_AFTER.toDays() + " days");
          }
        } catch (IOException e) {
          err.println("session-lock: cannot remove " + aside + ": " + Installer.describe(e));
        }
      }
    }
    out.println(removed == 0 ? "nothing to prune" : "pruned " + removed);
    return ExitCodes.OK;
  }

  static String describe(LockStatus status) {
    if (status instanceof LockStatus.Free) {
      return "free";
    }
    if (status instanceof LockStatus.Unreadable unreadable) {
      return "unreadable record (" + unreadable.problem() + "), counted as held until " + unreadable.freeAt();
    }
    LockStatus.Held held = (LockStatus.Held) status;
    LockRecord record = held.record();
    String process = record.holder().isKnown()
        ? "pid " + record.pid() + ", " + (held.liveness() == Liveness.DEAD ? "DEAD" : held.liveness().name().toLowerCase(Locale.ROOT))
        : "no agent process known, session id only";
    return "held by session " + record.sessionId() + " (" + process + ") for " + human(held.age()) + ", "
        + (held.remaining().isZero() ? "lease expired" : human(held.remaining()) + " left")
        + (held.takeable() ? "; another session may take it over" : "")
        + (record.details().path().isDefined() ? "; " + record.details().path().get() : "");
  }

  static JsonObject json(LockStatus status) {
    JsonObject json = new JsonObject();
    json.put("key", status.key().name());
    if (status instanceof LockStatus.Free) {
      json.put("state", "free");
    } else if (status instanceof LockStatus.Unreadable unreadable) {
      json.put("state", "unreadable");
      json.put("problem", unreadable.problem());
      json.put("free_at", unreadable.freeAt().toString());
    } else {
      LockStatus.Held held = (LockStatus.Held) status;
      LockRecord record = held.record();
      json.put("state", "held");
      json.put("session_id", record.sessionId());
      json.put("pid", record.pid());
      if (record.holder().host().isDefined()) {
        json.put("host", record.holder().host().get());
      }
      if (record.details().path().isDefined()) {
        json.put("path", record.details().path().get());
      }
      if (record.details().takenOverFrom().isDefined()) {
        json.put("taken_over_from", record.details().takenOverFrom().get());
      }
      if (record.generation() != 0) {
        json.put("generation", record.generation());
      }
      json.put("liveness", held.liveness().name().toLowerCase(Locale.ROOT));
      json.put("held_for_ms", held.age().toMillis());
      json.put("remaining_ms", held.remaining().toMillis());
      json.put("takeable", held.takeable());
    }
    return json;
  }

  static String human(Duration duration) {
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
