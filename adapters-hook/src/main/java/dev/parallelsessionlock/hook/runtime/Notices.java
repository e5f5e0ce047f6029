package dev.parallelsessionlock.hook.runtime;

import dev.parallelsessionlock.core.WorkspaceHash;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import dev.parallelsessionlock.core.ProcessRef;
import io.vavr.control.Option;
import java.util.function.Supplier;

/**
 * At most one notice per session and cause: when the hook fails open, the user is told once (agents show a
 * {@code systemMessage}, never stderr on exit 0), not on every tool call. A marker file per session and cause
 * in a private directory under the temp directory, so it works when the lock directory is what is broken.
 */
public final class Notices {

  private Notices() {}

  /**
   * What the user is told when the hook could not check a call because of {@code problem}; {@code program} is
   * how to run this executable ({@link Hints#program}).
   */
  public static String text(String problem, String program) {
    return "session-lock: the workspace lock could not check this tool call (" + problem
        + "); protection is OFF until this is fixed. Run: " + Hints.command(program, "doctor");
  }

  /**
   * Whose notices these are: the session id when the payload gave one, else the agent's variable
   * ({@code CLAUDE_CODE_SESSION_ID}, {@code GEMINI_SESSION_ID}), else the agent process.
   */
  public static String sessionKey(Option<String> session, HookConfig config, Supplier<ProcessRef> agentProcess) {
    if (session.isDefined()) {
      return session.get();
    }
    if (config.sessionFromEnvironment().isDefined()) {
      return config.sessionFromEnvironment().get();
    }
    try {
      return "agent-pid-" + agentProcess.get().pid();
    } catch (RuntimeException unknown) {
      return "";
    }
  }

  /** True the first time {@code cause} is seen for {@code session}; true also when no marker can be written. */
  public static boolean firstTime(Path directory, String cause, String session) {
    File dir = directory.toFile();
    if (!dir.isDirectory() && !(dir.mkdirs() && restrict(dir))) {
      return true;
    }
    String name = cause + "-" + WorkspaceHash.of(session).hex();
    try {
      return new File(dir, name).createNewFile();
    } catch (IOException | SecurityException e) {
      return true;
    }
  }

  private static boolean restrict(File dir) {
    return dir.setReadable(false, false) && dir.setWritable(false, false) && dir.setExecutable(false, false)
        && dir.setReadable(true, true) && dir.setWritable(true, true) && dir.setExecutable(true, true);
  }
}
