package dev.parallelsessionlock.hook;

import dev.parallelsessionlock.hook.commands.Commands;
import dev.parallelsessionlock.hook.runtime.Agent;
import dev.parallelsessionlock.hook.runtime.AgentProcess;
import dev.parallelsessionlock.hook.runtime.HookArgs;
import dev.parallelsessionlock.hook.runtime.HookConfig;
import dev.parallelsessionlock.hook.runtime.HookDeadline;
import dev.parallelsessionlock.hook.runtime.OpenStore;
import dev.parallelsessionlock.hook.runtime.HookResult;
import dev.parallelsessionlock.hook.runtime.HookRunner;
import dev.parallelsessionlock.hook.runtime.Notices;
import dev.parallelsessionlock.hook.runtime.Rewake;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.process.LocalProcesses;
import io.vavr.control.Option;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Entry point of {@code session-lock}. The only class that reads stdin and the environment and ends the process.
 *
 * <p>Hook mode ({@code session-lock hook [EVENT]}) must never lock a user out: a watchdog allows the tool call
 * when no decision is ready by the deadline, and any throwable allows it too. Both exit 0 with one line on
 * stderr; Copilot CLI would turn any other failure exit into a deny.
 */
public final class SessionLockMain {

  /** Guarded by the class: a plain flag, since an AtomicBoolean's VarHandle costs start-up time. */
  private static boolean finished;

  private SessionLockMain() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("hook")) {
      hook(args);
      return;
    }
    if (args.length == 1 && args[0].equals("store-helper")) { // hidden: started by a hook, never by people
      System.exit(dev.parallelsessionlock.hook.runtime.resident.StoreHelper.run(System.getenv(), System.err));
      return;
    }
    int code;
    try {
      code = new Commands(System.getenv(), Path.of("").toAbsolutePath(), System.out, System.err, Clock.systemUTC())
          .withInput(System.in).run(args);
    } catch (RuntimeException | Error e) {
      System.err.println("session-lock: internal error, please report it: " + (e.getMessage() == null
          ? "no detail" : e.getMessage()) + " (set SESSION_LOCK_DEBUG=1 for the trace)");
      if ("1".equals(System.getenv("SESSION_LOCK_DEBUG"))) {
        e.printStackTrace();
      }
      code = ExitCodes.INTERNAL;
    }
    System.out.flush();
    System.exit(code);
  }

  /** What {@code session-lock hook --help} prints. */
  static final String HOOK_HELP = "Usage: session-lock hook [--mode files] [--agent claude|copilot|codex|gemini] [--wake] [EVENT]\n"
      + "Run by an agent, once per hook event: the event as JSON on stdin, the answer in that agent's form.\n"
      + "install registers it; doctor checks it. Not for people to run.\n"
      + "  --mode files   lock each file an edit tool writes (default: the whole workspace)\n"
      + "  --agent NAME   the agent the registration is for (the client's own variables win)\n"
      + "  --wake         at the end of a turn (Claude Code, in the background): wait until what the session waits\n"
      + "                 for in line is free, then exit 2 with one line that wakes it; exit 0 when it waits for nothing\n"
      + "  EVENT          the event, for Copilot CLI's camelCase hooks (their payload names none)\n"
      + "Exit codes: 0 the tool call proceeds (also whenever the hook cannot check it: it fails open and says so);\n"
      + "  2 the tool call is denied (Claude Code, Codex; Copilot CLI and Gemini CLI get their deny on stdout, exit 0).\n";

  private static void hook(String[] args) {
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--help") || args[i].equals("-h")) {
        System.out.print(HOOK_HELP);
        System.out.flush();
        System.exit(ExitCodes.OK);
      }
    }
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--wake")) {
        wake();
        return;
      }
    }
    try {
      Map<String, String> env = System.getenv();
      HookConfig config = HookConfig.from(env);
      HookArgs hookArgs = HookArgs.parse(args, 1);
      agentSoFar = Agent.detect(config.environmentAgent(), Option.none(), hookArgs.agent());
      agentProcessSoFar = new Supplier<ProcessRef>() {
        @Override
        public ProcessRef get() {
          LocalProcesses table = LocalProcesses.system();
          return AgentProcess.of(table, table.selfPid(), config.claudePid());
        }
      };
      configSoFar = config;
      HookDeadline deadline;
      if (config.enabled() && config.store().isDefined() && config.storeProblem().isEmpty()) {
        // A database store opens while the event is read; the decision's deadline starts when it is open.
        deadline = HookDeadline.opening(config.deadline());
        startWatchdog(deadline, config.deadline().toMillis());
        OpenStore.openAhead(config, config.deadline().multipliedBy(3).dividedBy(4), deadline);
      } else {
        deadline = new HookDeadline(config.deadline());
        startWatchdog(deadline, config.deadline().toMillis());
      }
      HookResult result = HookRunner.run(System.in, hookArgs, config, Path.of("").toAbsolutePath(), Clock.systemUTC(),
          agentProcessSoFar, deadline);
      finish(result.exitCode(), result.stdout(), String.join("\n", result.stderr()));
    } catch (Throwable t) {
      failOpen("internal", "internal error (" + (t.getMessage() == null ? "no detail" : t.getMessage()) + ")");
    }
  }

  /**
   * {@code hook --wake}: the waker Claude Code runs in the background at the end of a turn ({@link Rewake}). No
   * watchdog: it runs for minutes by design, bounded by {@link Rewake#BOUND}; every problem ends it quietly.
   */
  private static void wake() {
    int code = ExitCodes.OK;
    String line = "";
    try {
      if (!Rewake.wakesUnder(System.getenv())) {
        finish(code, "", line);
        return;
      }
      Rewake.Outcome outcome = Rewake.run(System.in, HookConfig.from(System.getenv()), Clock.systemUTC(),
          Rewake.BOUND, Rewake.SLEEP);
      code = outcome.exitCode;
      line = outcome.line;
    } catch (Throwable t) {
      // quiet: a waker that cannot watch wakes nobody
    }
    finish(code, "", line);
  }

  /** Set as soon as they are known, for the watchdog and the last-resort handler. */
  private static volatile Agent agentSoFar = Agent.CLAUDE;
  private static volatile Supplier<ProcessRef> agentProcessSoFar;
  private static volatile HookConfig configSoFar;

  /** Allows, says why on stderr, and tells the user once per session and cause where the agent shows it. */
  private static void failOpen(String cause, String problem) {
    HookConfig config = configSoFar;
    String line = "session-lock: " + problem + "; allowing";
    String stdout = "";
    if (config != null
        && Notices.firstTime(config.noticeDir(), cause, Notices.sessionKey(Option.none(), config, agentProcessSoFar))) {
      stdout = agentSoFar.allowWithNotice(Notices.text(problem, config.program()), java.util.List.of()).stdout();
    }
    finish(ExitCodes.OK, stdout, line);
  }

  /**
   * Allows the tool call if nothing was decided within {@code deadlineMs}. A release of a session's locks is no
   * decision and is let run to the end of its budget ({@link HookDeadline}); if even that runs out, the hook ends
   * quietly: nothing was left unchecked, and what is still locked is freed when its lease ends.
   */
  private static void startWatchdog(HookDeadline deadline, long deadlineMs) {
    Thread watchdog = new Thread(new Runnable() {
      @Override
      public void run() {
        try {
          while (!deadline.expire()) {
            Thread.sleep(Math.max(1, deadline.nanosLeft() / 1_000_000));
          }
        } catch (InterruptedException e) {
          return;
        }
        if (deadline.isReleasing()) {
          finish(ExitCodes.OK, "", "session-lock: stopped releasing the session's locks after "
              + HookDeadline.RELEASE_BUDGET.getSeconds() + " s; the rest stay locked until their lease ends or the"
              + " session's next turn ends");
        } else if (deadline.isOpening()) {
          failOpen("store", "lock store unavailable: it did not open within "
              + HookDeadline.OPEN_BUDGET.getSeconds() + " s");
        } else {
          failOpen("deadline", "no decision within " + deadlineMs + " ms");
        }
      }
    }, "session-lock-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  /** Prints and halts, once: whichever of the hook and the watchdog comes first wins. */
  private static void finish(int exitCode, String stdout, String stderr) {
    synchronized (SessionLockMain.class) {
      if (finished) {
        return;
      }
      finished = true;
    }
    // Raw UTF-8 bytes to the file descriptors: whatever the platform encoding, and no writer to initialise.
    try {
      if (!stdout.isEmpty()) {
        new FileOutputStream(FileDescriptor.out).write(stdout.getBytes(StandardCharsets.UTF_8));
      }
      if (!stderr.isEmpty()) {
        new FileOutputStream(FileDescriptor.err).write((stderr + "\n").getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException agentStoppedReading) {
      // nothing left to tell it; the exit code still counts
    }
    Runtime.getRuntime().halt(exitCode);
  }
}
