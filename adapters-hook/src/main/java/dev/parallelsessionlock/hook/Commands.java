package dev.parallelsessionlock.hook;

import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonWriter;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStatus;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.fs.ProcessTableLiveness;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The commands for people: install, uninstall, status, list, release, demo, help and version. */
final class Commands {

  static final String HELP = String.join("\n",
      "session-lock - stops parallel AI coding sessions from colliding in one workspace",
      "",
      "Usage:",
      "  session-lock install [--agent claude|copilot] [--scope project|local|user] [--dir DIR]",
      "      copy the executable to a stable place and register the hooks (default: claude, project scope)",
      "  session-lock uninstall [--agent claude|copilot] [--scope project|local|user] [--dir DIR]",
      "      remove exactly the hook registrations install added",
      "  session-lock status [--json] [--dir DIR]   who holds the workspace lock, alive or not, time left",
      "  session-lock list [--json]                 every lock in the lock directory",
      "  session-lock release --force [--dir DIR]   remove the workspace lock, whoever holds it",
      "  session-lock demo                          two sessions contending, through the real hook",
      "  session-lock hook [EVENT]                  run as an agent hook: one event as JSON on stdin",
      "  session-lock --help | --version",
      "",
      "DIR defaults to $CLAUDE_PROJECT_DIR, else the git work tree around the current directory.",
      "",
      "Exit codes:",
      "  0   success; in hook mode the tool call proceeds (also on any internal error: the hook fails open)",
      "  2   hook mode only: the tool call is denied, another live session holds the workspace",
      "  64  usage error",
      "  65  a settings file is malformed; it was left untouched",
      "  69  the lock directory or the install location cannot be used",
      "  70  internal error",
      "",
      "Environment:",
      "  CLAUDE_FILE_LOCK=0        opt out: the hook allows everything and touches nothing",
      "  SESSION_LOCK_DIR          lock records (default ~/.claude/runtime)",
      "  SESSION_LOCK_TTL_MS       lease length (default 300000)",
      "  SESSION_LOCK_DEADLINE_MS  the hook allows if it has not decided by then (default 1000)",
      "  SESSION_LOCK_OWNER        process (default) or session: what makes two events the same owner",
      "  SESSION_LOCK_HOME         install location (default ~/.local/share/parallel-session-lock)",
      "  SESSION_LOCK_JAVA         install: the java the hook runs on (default: the one running install;",
      "                            with Java 25+ install builds an AOT cache, else a CDS archive)",
      "");

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
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      out.print(HELP);
      return args.length == 0 ? ExitCodes.USAGE : ExitCodes.OK;
    }
    if (args[0].equals("--version") || args[0].equals("version")) {
      out.println("session-lock " + Version.TEXT);
      return ExitCodes.OK;
    }
    Either<String, Map<String, String>> options = options(args);
    if (options.isLeft()) {
      return usage(options.getLeft());
    }
    Map<String, String> flags = options.get();
    if (flags.containsKey("--help")) {
      out.print(HELP);
      return ExitCodes.OK;
    }
    switch (args[0]) {
      case "install":
      case "uninstall":
        return installOrUninstall(args[0].equals("install"), flags);
      case "status":
        return status(flags);
      case "list":
        return list(flags);
      case "release":
        return release(flags);
      case "demo":
        return Demo.run(out, clock);
      default:
        return usage("unknown command '" + args[0] + "'");
    }
  }

  private static final java.util.Set<String> WITH_VALUE = java.util.Set.of("--dir", "--agent", "--scope");
  private static final java.util.Set<String> SWITCHES = java.util.Set.of("--json", "--force", "--help");

  private static Either<String, Map<String, String>> options(String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (WITH_VALUE.contains(arg)) {
        if (i + 1 >= args.length) {
          return Either.left(arg + " needs a value");
        }
        flags.put(arg, args[++i]);
      } else if (SWITCHES.contains(arg)) {
        flags.put(arg, "");
      } else {
        return Either.left("unknown option '" + arg + "'");
      }
    }
    return Either.right(flags);
  }

  private int usage(String problem) {
    err.println("session-lock: " + problem + " (see session-lock --help)");
    return ExitCodes.USAGE;
  }

  private Path workspace(Map<String, String> flags) {
    Option<String> projectDir = Option.of(flags.get("--dir")).orElse(Option.of(env.get("CLAUDE_PROJECT_DIR")).filter(d -> !d.isBlank()));
    return Workspaces.resolve(projectDir, Option.none(), cwd);
  }

  private int installOrUninstall(boolean install, Map<String, String> flags) {
    Installer.Agent agent;
    Installer.Scope scope;
    try {
      agent = Installer.Agent.valueOf(flags.getOrDefault("--agent", "claude").toUpperCase(Locale.ROOT));
      scope = Installer.Scope.valueOf(flags.getOrDefault("--scope", "project").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return usage("--agent takes claude or copilot, --scope takes project, local or user");
    }
    Path home = HookConfig.home(env);
    Installer installer = new Installer(workspace(flags), home, Installer.defaultInstallHome(env, home));
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
      result = installer.install(agent, scope, jar.get(), java);
    } else {
      result = installer.uninstall(agent, scope);
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

  private Either<Integer, ParallelSessionLock> openLock() {
    HookConfig config = HookConfig.from(env);
    config.warnings().forEach(w -> err.println("session-lock: " + w));
    Either<dev.parallelsessionlock.core.StoreFailure, FileLockStore> store = FileLockStore.open(config.lockDir());
    if (store.isLeft()) {
      err.println("session-lock: " + store.getLeft().describe());
      return Either.left(ExitCodes.UNAVAILABLE);
    }
    return Either.right(ParallelSessionLock.of(store.get(), ProcessTableLiveness.forThisHost(), clock).withTtl(config.ttl()));
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
      out.println(JsonWriter.string(new JsonArray(all.get().map(Commands::json).toJavaList())));
    } else if (all.get().isEmpty()) {
      out.println("no locks");
    } else {
      all.get().forEach(status -> out.println(status.key().name() + "  " + describe(status)));
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
    } else if (removed.get().get() instanceof Slot.Held) {
      LockRecord record = ((Slot.Held) removed.get().get()).record();
      out.println("removed the lock of session " + record.sessionId() + " (pid " + record.pid() + ") on " + workspace);
    } else {
      out.println("removed an unreadable lock record on " + workspace + " (its bytes are kept aside as *.corrupt-*)");
    }
    return ExitCodes.OK;
  }

  static String describe(LockStatus status) {
    if (status instanceof LockStatus.Free) {
      return "free";
    }
    if (status instanceof LockStatus.Unreadable) {
      LockStatus.Unreadable unreadable = (LockStatus.Unreadable) status;
      return "unreadable record (" + unreadable.problem() + "), counted as held until " + unreadable.freeAt();
    }
    LockStatus.Held held = (LockStatus.Held) status;
    LockRecord record = held.record();
    String process = record.holder().isKnown()
        ? "pid " + record.pid() + ", " + held.liveness().name().toLowerCase(Locale.ROOT)
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
    } else if (status instanceof LockStatus.Unreadable) {
      LockStatus.Unreadable unreadable = (LockStatus.Unreadable) status;
      json.put("state", "unreadable");
      json.put("problem", unreadable.problem());
      json.put("free_at", unreadable.freeAt().toString());
    } else {
      LockStatus.Held held = (LockStatus.Held) status;
      json.put("state", "held");
      json.put("session_id", held.record().sessionId());
      json.put("pid", held.record().pid());
      held.record().holder().host().forEach(host -> json.put("host", host));
      held.record().details().path().forEach(path -> json.put("path", path));
      held.record().details().takenOverFrom().forEach(from -> json.put("taken_over_from", from));
      if (held.record().generation() != 0) {
        json.put("generation", held.record().generation());
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
    if (seconds >= 3600) {
      return (seconds / 3600) + "h" + (seconds % 3600 / 60) + "m";
    }
    return seconds >= 60 ? (seconds / 60) + "m" + (seconds % 60) + "s" : seconds + "s";
  }
}
