package dev.parallelsessionlock.hook.install;

import dev.parallelsessionlock.hook.ExitCodes;
import dev.parallelsessionlock.hook.runtime.LockDirectoryStores;
import dev.parallelsessionlock.hook.runtime.ShellCommands;
import dev.parallelsessionlock.git.Git;
import dev.parallelsessionlock.git.MergeQueue;
import io.vavr.collection.List;
import io.vavr.control.Either;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * The git hooks of {@code install --git-hooks}, each a marked block kept beside an existing shell hook of the same
 * name (right after its first line) and removed exactly by {@code uninstall --git-hooks}, which deletes a file only
 * when install created it and nothing else is in it:
 *
 * <ul>
 *   <li>{@code pre-commit}: the stale-check of the tasks bound to the committing agent session; blocks the commit
 *       (exit 1) only when one is stale (exit 5); any other outcome, a missing launcher, or no agent session at all
 *       lets the commit through.</li>
 *   <li>{@code reference-transaction}: the merge queue's guard. In an agent session (the variables the agents
 *       set: {@code CLAUDECODE}, {@code CLAUDE_CODE_SESSION_ID}, {@code COPILOT_CLI}, {@code GEMINI_SESSION_ID},
 *       {@code GEMINI_CLI}, {@code CODEX_MANAGED_BY_NPM}), an update of a queue's target branch is refused unless
 *       the queue's processor makes it; a person's git commands are never blocked. It reads the ref list once
 *       and hands it on to the rest of the hook, so an existing hook still gets its input.</li>
 * </ul>
 */
public final class GitHooks {

  static final String BEGIN = "# >>> parallel-session-lock: stale-check of the session's tasks (uninstall --git-hooks removes it) >>>";
  static final String GUARD_BEGIN = "# >>> parallel-session-lock: merge-queue guard (uninstall --git-hooks removes it) >>>";
  static final String END = "# <<< parallel-session-lock <<<";
  static final String CREATED = "# created by parallel-session-lock install --git-hooks";
  static final String AGENT_VARIABLES = "${CLAUDECODE:-}${CLAUDE_CODE_SESSION_ID:-}${COPILOT_CLI:-}${GEMINI_SESSION_ID:-}"
      + "${GEMINI_CLI:-}${CODEX_MANAGED_BY_NPM:-}";

  private GitHooks() {}

  /** The reference-transaction guard. */
  static String guard(String launcher) {
    return GUARD_BEGIN + "\n"
        + "if [ \"$1\" = prepared ] && [ -z \"${SESSION_LOCK_QUEUE_PROCESSOR:-}${SESSION_LOCK_GUARD_DONE:-}\" ] \\\n"
        + "    && [ -n \"" + AGENT_VARIABLES + "\" ]; then\n"
        + "  session_lock_refs=$(cat)\n"
        + "  session_lock_targets=\"$(git rev-parse --path-format=absolute --git-common-dir)/session-lock/queue/targets\"\n"
        + "  if [ -f \"$session_lock_targets\" ]; then\n"
        + "    session_lock_landing=$(printf '%s\\n' \"$session_lock_refs\" | while read -r session_lock_old session_lock_new session_lock_ref; do\n"
        + "      [ -n \"$session_lock_ref\" ] && grep -qxF \"$session_lock_ref\" \"$session_lock_targets\" || continue\n"
        // A commit made on the tip (one parent: the old tip; on no other ref yet) is the session's own work, not a
        // landing: let it through. Anything else that moves a guarded ref lands work, and only the queue lands.
        + "      [ \"$session_lock_old\" = \"$session_lock_new\" ] && continue\n"
        + "      case $session_lock_old in *[!0]*)\n"
        + "        if [ \"$(git rev-list --parents -n 1 \"$session_lock_new\" 2>/dev/null)\" = \"$session_lock_new $session_lock_old\" ] \\\n"
        + "            && [ -z \"$(git for-each-ref --count=1 --contains \"$session_lock_new\" --format='%(refname)' 2>/dev/null)\" ]; then\n"
        + "          continue\n"
        + "        fi;;\n"
        + "      esac\n"
        + "      printf '%s\\n' \"$session_lock_ref\"\n"
        + "    done)\n"
        + "    for session_lock_ref in $session_lock_landing; do\n"
        + "      echo \"session-lock: $session_lock_ref is updated only by the merge queue, not from an agent session: \"\\\n"
        + "\"" + ShellCommands.quote(launcher).replace("\"", "\\\"") + " queue enqueue BRANCH, then queue process --validate CMD\" >&2\n"
        + "      exit 1\n"
        + "    done\n"
        + "  fi\n"
        + "  printf '%s\\n' \"$session_lock_refs\" | SESSION_LOCK_GUARD_DONE=1 exec \"$0\" \"$@\"\n"
        + "fi\n"
        + END + "\n";
  }

  /**
   * The pre-commit block, with the launcher by absolute path. It ends with status 0 unless it blocks, so a hook
   * that is only this block lets the commit through; the check runs as {@code cmd || status=$?}, so a hook under
   * {@code sh -e} does not end on the check's own failure.
   */
  static String block(String launcher) {
    String quoted = ShellCommands.quote(launcher);
    return BEGIN + "\n"
        + "session_lock=" + quoted + "\n"
        + "session_lock_hint=" + ShellCommands.quote(quoted) + "\n"
        + "if [ -x \"$session_lock\" ]; then\n"
        + "  session_lock_status=0\n"
        + "  \"$session_lock\" check --session-tasks || session_lock_status=$?\n"
        + "  if [ \"$session_lock_status\" -eq 5 ]; then\n"
        + "    echo \"session-lock: commit blocked: files of your task changed outside it (above); review them, then\" \\\n"
        + "      \"accept them with: $session_lock_hint snapshot --task TASK FILE...\" >&2\n"
        + "    exit 1\n"
        + "  fi\n"
        + "fi\n"
        + END + "\n";
  }

  /** The repository's hooks folder, as git reports it (core.hooksPath, linked worktrees). */
  static Either<Installer.Failure, Path> hooksDir(Path workspace) {
    try {
      Process git = new ProcessBuilder("git", "-C", workspace.toString(), "rev-parse", "--git-path", "hooks")
          .redirectErrorStream(true).start();
      String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!git.waitFor(30, TimeUnit.SECONDS) || git.exitValue() != 0) {
        return Either.left(new Installer.Failure(ExitCodes.USAGE, workspace + " is not in a git repository (" + out + ")"));
      }
      return Either.right(workspace.resolve(out).normalize());
    } catch (IOException e) {
      return Either.left(new Installer.Failure(ExitCodes.UNAVAILABLE, "cannot run git: " + Installer.describe(e)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Either.left(new Installer.Failure(ExitCodes.UNAVAILABLE, "interrupted"));
    }
  }

  /** Why {@code guards} cannot be guarded (one is no branch name), checked before anything is installed. */
  public static io.vavr.control.Option<Installer.Failure> refuseGuards(Path workspace, java.util.List<String> guards) {
    Git git = Git.in(workspace);
    for (String guard : guards) {
      if (guard.startsWith("-") || !git.run("check-ref-format", "--branch", guard).ok()) {
        return io.vavr.control.Option.some(
            new Installer.Failure(ExitCodes.USAGE, "--guard " + guard + " is not a branch name"));
      }
    }
    return io.vavr.control.Option.none();
  }

  /**
   * Why {@code install --git-hooks} would refuse, checked before anything is written (a refused install changes
   * nothing): not a git repository, or a hook of ours to add to that is not a shell script.
   */
  public static io.vavr.control.Option<Installer.Failure> refusal(Path workspace, String launcher) {
    Either<Installer.Failure, Path> dir = hooksDir(workspace);
    if (dir.isLeft()) {
      return io.vavr.control.Option.some(dir.getLeft());
    }
    for (String name : new String[] {"pre-commit", "reference-transaction"}) {
      Path hook = dir.get().resolve(name);
      try {
        String text = Files.exists(hook) ? Files.readString(hook, StandardCharsets.UTF_8) : "#!/bin/sh\n";
        String shebang = text.lines().findFirst().orElse("");
        if (!shebang.startsWith("#!") || !shebang.contains("sh")) {
          return io.vavr.control.Option.some(new Installer.Failure(ExitCodes.UNAVAILABLE, hook
              + " is not a shell script; nothing was changed; add this to it yourself:\n"
              + (name.equals("pre-commit") ? block(launcher) : guard(launcher))));
        }
      } catch (IOException e) {
        return io.vavr.control.Option.some(new Installer.Failure(ExitCodes.UNAVAILABLE, "cannot read " + hook + ": "
            + Installer.describe(e)));
      }
    }
    return io.vavr.control.Option.none();
  }

  /**
   * Installs both hooks and has the guard protect, from now on, the repository's main branch ({@link
   * Git#mainBranch()}) and {@code guards}. Everything that could refuse is checked first: a refused install
   * changes nothing.
   */
  public static Either<Installer.Failure, List<String>> install(Path workspace, String launcher,
      java.util.List<String> guards) {
    io.vavr.control.Option<Installer.Failure> refused = refusal(workspace, launcher);
    if (refused.isEmpty()) {
      refused = refuseGuards(workspace, guards);
    }
    if (refused.isDefined()) {
      return Either.left(refused.get());
    }
    Git git = Git.in(workspace);
    Either<Installer.Failure, List<String>> commit = install(workspace, "pre-commit", BEGIN, block(launcher));
    if (commit.isLeft()) {
      return commit;
    }
    Either<Installer.Failure, List<String>> hooks = install(workspace, "reference-transaction", GUARD_BEGIN,
        guard(launcher)).map(commit.get()::appendAll);
    if (hooks.isLeft()) {
      return hooks;
    }
    Either<String, MergeQueue> queue = MergeQueue.open(workspace, LockDirectoryStores.FILES);
    if (queue.isLeft()) {
      return Either.left(new Installer.Failure(ExitCodes.UNAVAILABLE, queue.getLeft()));
    }
    java.util.List<String> guarded = new java.util.ArrayList<>();
    guarded.add(git.mainBranch());
    for (String guard : guards) {
      if (!guarded.contains(guard)) {
        guarded.add(guard);
      }
    }
    try {
      for (String branch : guarded) {
        queue.get().protect(branch);
      }
    } catch (IOException e) {
      return Either.left(new Installer.Failure(ExitCodes.UNAVAILABLE, "cannot write "
          + queue.get().targetsFile() + ": " + Installer.describe(e)));
    }
    return Either.right(hooks.get().append("the merge-queue guard keeps agent sessions from moving "
        + String.join(", ", guarded) + " (they land branches with queue enqueue); a person's git commands pass"));
  }

  /** Removes both hooks' blocks. */
  public static Either<Installer.Failure, List<String>> uninstall(Path workspace) {
    Either<Installer.Failure, List<String>> commit = uninstall(workspace, "pre-commit", BEGIN);
    if (commit.isLeft()) {
      return commit;
    }
    return uninstall(workspace, "reference-transaction", GUARD_BEGIN).map(commit.get()::appendAll);
  }

  static Either<Installer.Failure, List<String>> install(Path workspace, String name, String begin, String block) {
    Either<Installer.Failure, Path> dir = hooksDir(workspace);
    if (dir.isLeft()) {
      return Either.left(dir.getLeft());
    }
    Path hook = dir.get().resolve(name);
    try {
      Files.createDirectories(dir.get());
      if (!Files.exists(hook)) {
        Files.writeString(hook, "#!/bin/sh\n" + CREATED + "\n" + block, StandardCharsets.UTF_8);
        makeExecutable(hook);
        return Either.right(List.of("installed the git " + name + " hook " + hook));
      }
      String text = Files.readString(hook, StandardCharsets.UTF_8);
      String without = remove(text, begin);
      int firstLineEnd = without.indexOf('\n');
      String shebang = firstLineEnd < 0 ? without : without.substring(0, firstLineEnd);
      if (!shebang.startsWith("#!") || !(shebang.contains("sh"))) {
        return Either.left(new Installer.Failure(ExitCodes.UNAVAILABLE, hook + " is not a shell script; add this to it "
            + "yourself:\n" + block));
      }
      String wanted = without.substring(0, firstLineEnd + 1) + block + without.substring(firstLineEnd + 1);
      if (wanted.equals(text)) {
        return Either.right(List.of("already up to date: " + hook));
      }
      Files.writeString(hook, wanted, StandardCharsets.UTF_8);
      return Either.right(List.of("added ours to the git " + name + " hook " + hook));
    } catch (IOException e) {
      return Either.left(new Installer.Failure(ExitCodes.UNAVAILABLE, "cannot write " + hook + ": " + Installer.describe(e)));
    }
  }

  static Either<Installer.Failure, List<String>> uninstall(Path workspace, String name, String begin) {
    Either<Installer.Failure, Path> dir = hooksDir(workspace);
    if (dir.isLeft()) {
      return Either.left(dir.getLeft());
    }
    Path hook = dir.get().resolve(name);
    try {
      if (!Files.exists(hook)) {
        return Either.right(List.of("nothing to remove: no " + hook));
      }
      String text = Files.readString(hook, StandardCharsets.UTF_8);
      String without = remove(text, begin);
      if (without.equals(text)) {
        return Either.right(List.of("nothing to remove: " + hook + " has no block of ours"));
      }
      if (without.equals("#!/bin/sh\n" + CREATED + "\n")) {
        Files.delete(hook);
        return Either.right(List.of("removed the git " + name + " hook " + hook));
      }
      Files.writeString(hook, without, StandardCharsets.UTF_8);
      return Either.right(List.of("removed ours from the git " + name + " hook " + hook));
    } catch (IOException e) {
      return Either.left(new Installer.Failure(ExitCodes.UNAVAILABLE, "cannot edit " + hook + ": " + Installer.describe(e)));
    }
  }

  /** {@code text} without our block (the lines from {@code marker} through END). */
  static String remove(String text, String marker) {
    int begin = text.indexOf(marker);
    int end = text.indexOf(END, Math.max(begin, 0));
    if (begin < 0 || end < 0) {
      return text;
    }
    int after = text.indexOf('\n', end);
    return text.substring(0, begin) + (after < 0 ? "" : text.substring(after + 1));
  }

  private static void makeExecutable(Path hook) throws IOException {
    try {
      Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (UnsupportedOperationException notPosix) {
      hook.toFile().setExecutable(true);
    }
  }
}
