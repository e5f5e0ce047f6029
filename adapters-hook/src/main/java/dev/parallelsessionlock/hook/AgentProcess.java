package dev.parallelsessionlock.hook;

import dev.parallelsessionlock.fs.LocalProcesses;
import dev.parallelsessionlock.core.ProcessRef;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the agent process behind a hook: the hook process itself lives for milliseconds, so a lease must name
 * the long-lived agent (Claude Code's or Copilot's node process), or a dead agent could never be detected.
 */
final class AgentProcess {

  /** Processes that only pass a hook command on: shells, the launcher, exec wrappers. */
  private static final Set<String> WRAPPERS = Set.of(
      "sh", "bash", "dash", "zsh", "ksh", "mksh", "fish", "busybox", "env", "timeout", "nice", "nohup",
      "cmd", "powershell", "pwsh", "session-lock");

  private static final int MAX_DEPTH = 8;

  private AgentProcess() {}

  /** The first ancestor of {@code hook} that is not a wrapper; the direct parent when none is found. */
  static ProcessRef of(ProcessHandle hook) {
    Optional<ProcessHandle> candidate = hook.parent();
    Optional<ProcessHandle> firstParent = candidate;
    for (int depth = 0; candidate.isPresent() && depth < MAX_DEPTH; depth++) {
      ProcessHandle process = candidate.get();
      if (!WRAPPERS.contains(name(process))) {
        return LocalProcesses.of(process);
      }
      candidate = process.parent();
    }
    return LocalProcesses.of(firstParent.orElse(hook));
  }

  static String name(ProcessHandle process) {
    String command = process.info().command().orElse("");
    String base = command.substring(Math.max(command.lastIndexOf('/'), command.lastIndexOf('\\')) + 1)
        .toLowerCase(Locale.ROOT);
    return base.endsWith(".exe") ? base.substring(0, base.length() - 4) : base;
  }
}
