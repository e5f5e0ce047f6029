package dev.parallelsessionlock.hook;

import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.fs.LocalProcesses;
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
    int code;
    try {
      code = new Commands(System.getenv(), Path.of("").toAbsolutePath(), System.out, System.err, Clock.systemUTC())
          .run(args);
    } catch (RuntimeException | Error e) {
      System.err.println("session-lock: internal error: " + e);
      code = ExitCodes.INTERNAL;
    }
    System.out.flush();
    System.exit(code);
  }

  private static void hook(String[] args) {
    try {
      Map<String, String> env = System.getenv();
      HookConfig config = HookConfig.from(env);
      startWatchdog(config.deadline().toMillis());
      Option<String> event = args.length > 1 ? Option.some(args[1]) : Option.none();
      HookResult result = HookRunner.run(System.in, event, config, Path.of("").toAbsolutePath(), Clock.systemUTC(),
          new Supplier<ProcessRef>() {
            @Override
            public ProcessRef get() {
              LocalProcesses table = LocalProcesses.system();
              return AgentProcess.of(table, table.selfPid(), config.claudePid());
            }
          });
      finish(result.exitCode(), result.stdout(), String.join("\n", result.stderr()));
    } catch (Throwable t) {
      finish(ExitCodes.OK, "", "session-lock: internal error, allowing: " + t);
    }
  }

  /** Allows the tool call if nothing was decided within {@code deadlineMs}. */
  private static void startWatchdog(long deadlineMs) {
    Thread watchdog = new Thread(new Runnable() {
      @Override
      public void run() {
        try {
          Thread.sleep(deadlineMs);
        } catch (InterruptedException e) {
          return;
        }
        finish(ExitCodes.OK, "", "session-lock: no decision within " + deadlineMs + " ms; allowing");
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
