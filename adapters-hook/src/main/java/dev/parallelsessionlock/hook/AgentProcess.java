package dev.parallelsessionlock.hook;

import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.fs.LocalProcesses;
import io.vavr.control.Option;
import java.util.Set;

/**
 * Finds the agent process behind a hook: the hook process itself lives for milliseconds, so a lease must name
 * the long-lived agent (Claude Code's or Copilot's node process), or a dead agent could never be detected.
 */
final class AgentProcess {

  /**
   * Processes that only pass a hook command on: shells, the launcher (a {@code #!} script is named after its
   * file), exec wrappers.
   */
  private static final Set<String> WRAPPERS = Set.of(
      "sh", "bash", "dash", "zsh", "ksh", "mksh", "fish", "busybox", "env", "timeout", "nice", "nohup",
      "cmd", "powershell", "pwsh", "session-lock");

  private static final int MAX_DEPTH = 8;

  private AgentProcess() {}

  /** The first ancestor of process {@code hookPid} that is not a wrapper; its parent when none is found. */
  static ProcessRef of(long hookPid) {
    if (LocalProcesses.hasProcFs()) {
      return fromProcFs(hookPid);
    }
    Option<Long> firstParent = LocalProcesses.parentPid(hookPid);
    Option<Long> candidate = firstParent;
    for (int depth = 0; candidate.isDefined() && depth < MAX_DEPTH; depth++) {
      long pid = candidate.get();
      if (!WRAPPERS.contains(LocalProcesses.name(pid))) {
        return LocalProcesses.of(pid);
      }
      candidate = LocalProcesses.parentPid(pid);
    }
    return LocalProcesses.of(firstParent.getOrElse(hookPid));
  }

  /** The same walk with one {@code /proc/<pid>/stat} read per ancestor. */
  private static ProcessRef fromProcFs(long hookPid) {
    Option<LocalProcesses.Stat> hook = LocalProcesses.stat(hookPid);
    if (hook.isEmpty()) {
      return LocalProcesses.of(hookPid);
    }
    Option<LocalProcesses.Stat> first = LocalProcesses.stat(hook.get().parentPid());
    Option<LocalProcesses.Stat> candidate = first;
    for (int depth = 0; candidate.isDefined() && depth < MAX_DEPTH; depth++) {
      if (!WRAPPERS.contains(LocalProcesses.programName(candidate.get().name()))) {
        return candidate.get().toProcessRef();
      }
      candidate = candidate.get().parentPid() > 0 ? LocalProcesses.stat(candidate.get().parentPid()) : Option.none();
    }
    return first.isDefined() ? first.get().toProcessRef() : hook.get().toProcessRef();
  }
}
