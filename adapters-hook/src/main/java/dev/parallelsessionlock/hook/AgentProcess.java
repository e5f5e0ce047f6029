package dev.parallelsessionlock.hook;

import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.process.LocalProcesses;
import io.vavr.control.Option;
import java.util.Set;

/**
 * Finds the agent process behind a hook. The hook process lives for milliseconds, so a lease must name the
 * long-lived agent (Claude Code's, Codex's, Copilot's or Gemini's process), or a dead agent could never be told.
 *
 * <ol>
 *   <li>A walk up from the hook's parent passes shells and exec wrappers, which exit with the hook.</li>
 *   <li>Without {@code CLAUDE_PID}, the first other ancestor is the agent: going further up could only reach
 *       processes that several sessions share.</li>
 *   <li>With {@code CLAUDE_PID} (Claude Code's own word), the walk goes on past unknown wrappers (a hook command
 *       run through {@code uv run} or {@code direnv exec}) to that pid, unless a process with a known agent name
 *       comes first: an agent run inside Claude Code's shell inherits the variable, and the nearer agent is the
 *       one whose hook this is.</li>
 *   <li>The walk stops at a process that is the ancestor of many sessions (pid 1, init systems, terminal
 *       multiplexers, sshd, supervisors). If it stops there, or runs out, before finding an agent, there is no
 *       agent process: the holder is its session id alone ({@link ProcessRef#unknown}), which the record says.</li>
 * </ol>
 */
final class AgentProcess {

  /** Processes that only pass a hook command on and exit with it: shells, the launcher, exec wrappers. */
  static final Set<String> WRAPPERS = Set.of(
      "sh", "bash", "dash", "zsh", "ksh", "mksh", "fish", "busybox", "env", "timeout", "nice", "nohup", "stdbuf",
      "cmd", "powershell", "pwsh", "session-lock", "xargs", "flock", "time");

  /** Program names of the agents themselves (a script named after its file, node, the native binaries). */
  static final Set<String> AGENTS = Set.of(
      "claude", "node", "codex", "copilot", "gemini", "bun", "deno", "opencode", "cursor-agent", "aider", "amp");

  /** Ancestors shared by many sessions: never a holder. */
  static final Set<String> SHARED = Set.of(
      "init", "systemd", "launchd", "tini", "dumb-init", "docker-init", "catatonit", "s6-svscan", "s6-supervise",
      "runsv", "runsvdir", "supervisord", "containerd-shim", "containerd-shim-runc-v2", "conmon", "tmux",
      "tmux: server", "screen", "zellij", "mosh-server", "sshd", "login", "su", "sudo", "wsl", "init-systemd(ub",
      "kthreadd", "gnome-terminal-", "konsole", "xterm", "alacritty", "kitty", "wezterm-gui", "iterm2",
      "terminal", "code", "code-server");

  private static final int MAX_DEPTH = 16;

  private AgentProcess() {}

  /** The agent process of hook process {@code hookPid}, or {@link ProcessRef#unknown} when there is none. */
  static ProcessRef of(LocalProcesses table, long hookPid, Option<String> claudePid) {
    Option<Long> said = pidOf(claudePid);
    ProcessRef fallback = null;
    Option<Long> candidate = table.parentPid(hookPid);
    for (int depth = 0; candidate.isDefined() && depth < MAX_DEPTH; depth++) {
      long pid = candidate.get();
      // With /proc, one read per ancestor gives its name, its parent and its identity.
      Option<LocalProcesses.Stat> stat = table.stat(pid);
      if (said.isDefined() && said.get() == pid) {
        return ref(table, pid, stat);
      }
      String name = stat.isDefined() ? LocalProcesses.programName(stat.get().name()) : table.name(pid);
      if (pid <= 1 || SHARED.contains(name)) {
        break;
      }
      if (AGENTS.contains(name)) {
        return ref(table, pid, stat);
      }
      if (!WRAPPERS.contains(name) && fallback == null) {
        fallback = ref(table, pid, stat);
        if (said.isEmpty()) {
          break;
        }
      }
      if (stat.isDefined()) {
        candidate = stat.get().parentPid() > 0 ? Option.some(stat.get().parentPid()) : Option.none();
      } else {
        candidate = table.parentPid(pid);
      }
    }
    return fallback != null ? fallback : ProcessRef.unknown(table.hostName());
  }

  private static ProcessRef ref(LocalProcesses table, long pid, Option<LocalProcesses.Stat> stat) {
    return stat.isDefined() ? table.refOf(stat.get()) : table.ref(pid);
  }

  private static Option<Long> pidOf(Option<String> text) {
    if (text.isEmpty()) {
      return Option.none();
    }
    try {
      long pid = Long.parseLong(text.get().trim());
      return pid > 1 ? Option.some(pid) : Option.none();
    } catch (NumberFormatException e) {
      return Option.none();
    }
  }
}
