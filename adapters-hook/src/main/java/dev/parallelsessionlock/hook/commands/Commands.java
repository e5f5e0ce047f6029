package dev.parallelsessionlock.hook.commands;

import dev.parallelsessionlock.hook.ExitCodes;
import dev.parallelsessionlock.hook.Version;
import dev.parallelsessionlock.hook.runtime.AgentProcess;
import dev.parallelsessionlock.hook.runtime.Hints;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.process.LocalProcesses;
import io.vavr.control.Option;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The commands for people, on picocli: one class per group ({@link SetupCommands}, {@link LockCommands},
 * {@link FilesCommands}). The hook ({@code session-lock hook}) never comes here: {@link SessionLockMain} sends it
 * to {@link HookRunner} before any picocli class loads (HookStartupIT checks it).
 */
public final class Commands {

  static final String HELP = String.join("\n",
      "session-lock - stops parallel AI coding sessions from colliding in one workspace",
      "",
      "Usage:",
      "  session-lock install [--agent claude|copilot|codex|gemini] [--scope project|local|user] [--mode workspace|files]",
      "                       [--dir DIR] [--trust]",
      "      copy the executable to a stable place and register the hooks (default: claude, project scope, workspace",
      "      mode: one session edits at a time; files mode: sessions edit at once, never the same file);",
      "      --trust (codex): record the trust Codex asks for in /hooks",
      "  session-lock uninstall [--agent ...] [--scope ...] [--dir DIR] [--purge]",
      "      remove exactly what install added; --purge also removes the installed copy when nothing uses it",
      "  session-lock doctor [--dir DIR]            is protection really on here? one line per problem",
      "  session-lock status [--json] [--dir DIR]   who is working here: the workspace lock and every file lock holder",
      "  session-lock list [--json]                 every lock in the lock directory",
      "  session-lock watch [--dir DIR] [--once] [--json] [--items DIR]   live: sessions, holds, lines, claims, queue;",
      "      q quits; --once / --json print one frame",
      "  session-lock release --force [--dir DIR]   remove the workspace lock, whoever holds it",
      "  session-lock files acquire (--session S | --task T) [--agent NAME] [--ttl SEC] [--wait SEC] FILE...",
      "  session-lock files release (--session S | --task T) [FILE...]   no FILE: all of that holder's file locks",
      "  session-lock files release --force FILE...                     whoever holds them",
      "  session-lock files list [--session S | --task T] [--json]",
      "  session-lock claim ITEM [--session S] [--stale-after DURATION] [--items DIR]",
      "      claim a markdown work item (locked_by, locked_at in its frontmatter); ITEM is a file or an id",
      "  session-lock unclaim ITEM [--session S] [--force] [--items DIR]",
      "  session-lock claims [--items DIR] [--json]   every work item with its claim: holder, age, stale or dead",
      "  session-lock shell-init                    bash functions claim_wrk / release_wrk: source <(session-lock shell-init)",
      "  session-lock overlap PLAN.json [--json] [--locks]   critical overlaps of a parallel plan (exit 6)",
      "  session-lock snapshot --task T [--session S] FILE...  record a baseline of a task's files",
      "  session-lock check (--task T | --session-tasks) [--json]   stale-check against it (exit 5)",
      "  session-lock task done T [--force]         stale-check, then release the task's file locks and snapshot",
      "  session-lock install --git-hooks | uninstall --git-hooks   git hooks: the stale-check, the merge-queue guard",
      "  session-lock queue enqueue BRANCH [--onto TARGET]   the merge queue; then:",
      "  session-lock queue process --validate CMD [--timeout SEC] [--batch N] | queue status [--json] | queue remove BRANCH",
      "  session-lock worktree create NAME [--install CMD | --no-install] | worktree remove PATH",
      "  session-lock install --worktrees           Claude Code's WorktreeCreate/WorktreeRemove hooks",
      "  session-lock prune                         remove locks of dead holders and long-expired leases",
      "  session-lock demo                          two sessions contending, through the real hook",
      "  session-lock hook [--mode files] [--agent NAME] [EVENT]   run as an agent hook: one event as JSON on stdin",
      "  session-lock COMMAND --help | session-lock --help | --version",
      "",
      "DIR must be an existing directory; it defaults to $CLAUDE_PROJECT_DIR, else the current directory; the",
      "workspace is the git work tree around it. --session defaults to $CLAUDE_CODE_SESSION_ID.",
      "",
      "Exit codes:",
      "  0   success; in hook mode the tool call proceeds (also on any internal error: the hook fails open)",
      "  2   hook mode only: the tool call is denied, another live session holds the workspace or the file",
      "  3   doctor: protection is not fully on (one line per problem)",
      "  4   held by another: a file (files; one line per file: path, holder, age, time left) or a work item",
      "      (claim, unclaim), by another session or task",
      "  5   check, task done: a file of the task changed outside it since its snapshot",
      "  6   overlap: two tasks of one wave can touch the same file",
      "  7   queue process: another processor holds this queue",
      "  8   queue process stopped: the target is checked out with uncommitted changes",
      "  64  usage error (unknown command or option, a --dir that is no directory)",
      "  65  a settings file, a work item or a plan is malformed (no frontmatter, bad YAML, a locked_by that is no",
      "      string); one line with file and line; it was left untouched",
      "  66  a work item that is no file, or an id that matches no item or several (claim, unclaim, claims);",
      "      a plan that is no file; a task without a baseline (check)",
      "  69  the lock store or the install location cannot be used (or SESSION_LOCK_STORE names no store)",
      "  73  worktree create: the worktree could not be made (nothing is left behind)",
      "  70  internal error",
      "",
      "Environment:",
      "  CLAUDE_FILE_LOCK=0        opt out: the hook allows everything and touches nothing",
      "  SESSION_LOCK_DIR          lock records (default ~/.claude/runtime)",
      "  SESSION_LOCK_TTL_MS       lease length (default 300000, at most 86400000)",
      "  SESSION_LOCK_DEADLINE_MS  the hook allows if it has not decided by then (default 1000)",
      "  SESSION_LOCK_WAIT_MS      how long a tool call that meets a held lock waits in line (default 20000,",
      "                            at most 25000; 0: deny at once)",
      "  SESSION_LOCK_OWNER        process (default) or session: what makes two events the same owner",
      "  SESSION_LOCK_STORE        jdbc:sqlite:/path or jdbc:postgresql://host/db: the records in a database",
      "  SESSION_LOCK_STORE_USER, SESSION_LOCK_STORE_PASSWORD, SESSION_LOCK_STORE_CREDENTIALS (a 0600 file)",
      "  SESSION_LOCK_STORE_CLOCK  database: judge leases by the database's clock (default local)",
      "  SESSION_LOCK_ITEMS        claim, unclaim, claims: where work items live (for ITEM given by id)",
      "  SESSION_LOCK_HOME         install location (default ~/.local/share/parallel-session-lock)",
      "  SESSION_LOCK_JAVA         install: the java the hook runs on (default: the one running install;",
      "                            with Java 25+ install builds an AOT cache, else a CDS archive)",
      "");

  @Command(name = "session-lock")
  static final class Root {}

  private final CommandContext context;

  public Commands(Map<String, String> env, Path cwd, PrintStream out, PrintStream err, Clock clock) {
    this(env, cwd, out, err, clock, new Supplier<ProcessRef>() {
      @Override
      public ProcessRef get() {
        LocalProcesses table = LocalProcesses.system();
        String claudePid = env.get("CLAUDE_PID");
        return AgentProcess.of(table, table.selfPid(),
            claudePid == null || claudePid.isBlank() ? Option.none() : Option.some(claudePid));
      }
    });
  }

  Commands(Map<String, String> env, Path cwd, PrintStream out, PrintStream err, Clock clock,
      Supplier<ProcessRef> agentProcess) {
    this.context = new CommandContext(env, cwd, out, err, clock, agentProcess);
  }

  /** The commands read {@code in} where an agent's hook feeds them an event. */
  public Commands withInput(java.io.InputStream in) {
    context.in = in;
    return this;
  }

  /** Runs one command line; returns the exit code. */
  public int run(String[] args) {
    if (args.length == 0) {
      context.out.print(HELP);
      return ExitCodes.USAGE;
    }
    if (args[0].equals("--version") || args[0].equals("version")) {
      context.out.println("session-lock " + Version.TEXT);
      return ExitCodes.OK;
    }
    if (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      context.out.print(HELP);
      return ExitCodes.OK;
    }
    Object command = command(args[0]);
    if (command == null) {
      return context.usage("unknown command '" + args[0] + "'");
    }
    return commandLine(command).execute(args);
  }

  /**
   * The one command group asked for: picocli builds its model by reflection, so a root with every group costs
   * about a hundred milliseconds more on every run than a root with the one that runs (BENCHMARKS.md).
   */
  private Object command(String name) {
    switch (name) {
      case "install":
        return new SetupCommands.Install(context);
      case "uninstall":
        return new SetupCommands.Uninstall(context);
      case "doctor":
        return new SetupCommands.DoctorCommand(context);
      case "status":
        return new LockCommands.Status(context);
      case "list":
        return new LockCommands.ListLocks(context);
      case "release":
        return new LockCommands.ReleaseWorkspace(context);
      case "prune":
        return new LockCommands.Prune(context);
      case "files":
        return new FilesCommands(context);
      case "demo":
        return new SetupCommands.DemoCommand(context);
      case "claim":
        return new ClaimCommands.Claim(context);
      case "unclaim":
        return new ClaimCommands.Unclaim(context);
      case "claims":
        return new ClaimCommands.Claims(context);
      case "shell-init":
        return new ClaimCommands.ShellInit(context);
      case "overlap":
        return new PlanCommands.Overlap(context);
      case "snapshot":
        return new PlanCommands.Snapshot(context);
      case "check":
        return new PlanCommands.Check(context);
      case "task":
        return new PlanCommands.Task(context);
      case "queue":
        return new QueueCommands.Queue(context);
      case "worktree":
        return new QueueCommands.Worktree(context);
      case "watch":
        return new WatchCommand(context);
      default:
        return null;
    }
  }

  private CommandLine commandLine(Object command) {
    CommandLine cli = new CommandLine(new Root()).addSubcommand(command);
    cli.setOut(new PrintWriter(context.out, true));
    cli.setErr(new PrintWriter(context.err, true));
    cli.setParameterExceptionHandler((problem, args) -> {
      CommandLine where = problem.getCommandLine();
      String qualified = where.getCommandSpec().qualifiedName(" ");
      String words = qualified.startsWith("session-lock") ? qualified.substring("session-lock".length()).strip()
          : qualified;
      context.err.println("session-lock: " + oneLine(problem.getMessage()) + " (see "
          + Hints.command(context.program(), words.isEmpty() ? new String[0] : words.split(" ")) + " --help)");
      return ExitCodes.USAGE;
    });
    cli.setExecutionExceptionHandler((failure, where, parsed) -> {
      throw failure; // SessionLockMain reports an internal error, exit 70
    });
    return cli;
  }

  private static String oneLine(String message) {
    return message == null ? "bad arguments" : message.replace('\n', ' ').replace('\r', ' ').strip();
  }
}
