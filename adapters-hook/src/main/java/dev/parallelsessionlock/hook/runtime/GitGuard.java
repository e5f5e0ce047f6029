package dev.parallelsessionlock.hook.runtime;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FileLocks;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockStatus;
import dev.parallelsessionlock.core.WorkspaceHash;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The files-mode git guard: a session's git call ({@link GitCommands}) is refused when it would rewrite a work tree
 * in which another live session or task holds files, or stage, commit, remove, move or overwrite a file another
 * holds, or while another session holds the whole work tree with a workspace lease (one namespace: every guarded
 * call is refused then). For {@code add} and {@code commit} only held files with changes git would take count (git is asked,
 * {@code git status}, for those files alone); when git cannot tell, they all count. The caller's own files never
 * count: a session commits its own work.
 */
final class GitGuard {

  private static final String PREFIX = "session-lock: ";
  /** How many files a denial names before it says "and N more". */
  private static final int NAMED = 5;

  private GitGuard() {}

  static HookResult check(HookCall call, FileLocks files, Claimant claimant, List<GitCommands.Call> calls,
      Path cwd, Instant now) {
    Map<String, List<LockStatus.Held>> rivalsByTree = new HashMap<>();
    for (GitCommands.Call git : calls) {
      Path dir = git.directory.isDefined() ? cwd.resolve(git.directory.get()) : cwd;
      Path tree = Workspaces.resolve(Option.some(dir.toString()), Option.none(), cwd);
      List<LockStatus.Held> rivals = rivalsByTree.get(tree.toString());
      if (rivals == null) {
        WorkspaceHash hash = WorkspaceHash.of(tree.toString());
        // One namespace: another session's workspace lease holds the whole work tree, every file of it.
        Either<LockFailure, Option<Acquisition.Blocked>> lease = files.workspaceHolder(hash, claimant);
        if (lease.isLeft()) {
          return call.failOpen("store", "the workspace lease is unavailable: " + lease.getLeft().describe());
        }
        if (lease.get().isDefined()) {
          return workspaceHeld(call, git, tree, lease.get().get(), now);
        }
        Either<LockFailure, List<LockStatus.Held>> found = files.rivals(hash, claimant);
        if (found.isLeft()) {
          return call.failOpen("store", "file locks unavailable: " + found.getLeft().describe());
        }
        rivals = found.get();
        rivalsByTree.put(tree.toString(), rivals);
      }
      if (rivals.isEmpty()) {
        continue;
      }
      if (git.tree) {
        return deny(call, PREFIX + "git " + git.subcommand + " would rewrite the work tree " + tree
            + " under other sessions that are editing files in it:", rivals,
            "Wait until they have finished, or work in a worktree of your own (git worktree add).");
      }
      List<LockStatus.Held> touched = under(rivals, git.pathspecs, Workspaces.canonical(dir.toAbsolutePath()));
      if (!touched.isEmpty() && git.needsStatus()) {
        touched = changed(tree, touched, git, call.config.deadline().dividedBy(2).toMillis());
      }
      if (!touched.isEmpty()) {
        return deny(call, PREFIX + "git " + git.subcommand + " would " + verb(git) + " files another session is "
            + "editing (its work, not yours):", touched, advice(git));
      }
    }
    return call.allow();
  }

  /**
   * A git call that would land work on a branch only the merge queue updates (the checked-out branch is one of the
   * queue guard's branches, {@code install --git-hooks}): merge, pull, rebase, a reset to a commit, an amend. Denied
   * before it runs, in both modes: git's own reference-transaction guard refuses the ref update too, but only after
   * git has already rewritten the work tree and index, which would leave the refused merge looking like staged
   * changes. {@code program} is the launcher for the hint.
   */
  static Option<String> landing(List<GitCommands.Call> calls, Path cwd, String program) {
    for (GitCommands.Call git : calls) {
      if (!git.movesBranch) {
        continue;
      }
      Path dir = git.directory.isDefined() ? cwd.resolve(git.directory.get()) : cwd;
      String branch = guardedBranch(dir.toAbsolutePath().normalize());
      if (branch != null) {
        return Option.some(PREFIX + "git " + git.subcommand + " would move " + branch + ", which only the merge "
            + "queue updates in this repository (install --git-hooks); nothing was changed. Land your branch with "
            + Hints.command(program, "queue", "enqueue") + " BRANCH, then " + Hints.command(program, "queue",
            "process", "--validate") + " CMD; or work on a branch of your own (git switch -c NAME).");
      }
    }
    return Option.none();
  }

  /** The branch checked out in the work tree around {@code dir} when the queue's guard protects it, else null. */
  static String guardedBranch(Path dir) {
    Path top = Workspaces.gitWorkTree(dir);
    if (top == null) {
      return null;
    }
    try {
      java.io.File dotGit = top.resolve(".git").toFile();
      java.io.File gitDir = dotGit;
      if (dotGit.isFile()) { // a linked worktree: "gitdir: PATH"
        String pointer = readFirstLine(dotGit);
        if (pointer == null || !pointer.startsWith("gitdir:")) {
          return null;
        }
        gitDir = top.resolve(pointer.substring("gitdir:".length()).strip()).toFile();
      }
      String head = readFirstLine(new java.io.File(gitDir, "HEAD"));
      if (head == null || !head.startsWith("ref: ")) {
        return null;
      }
      String ref = head.substring(5).strip();
      java.io.File common = gitDir;
      java.io.File commonPointer = new java.io.File(gitDir, "commondir");
      if (commonPointer.isFile()) {
        String relative = readFirstLine(commonPointer);
        if (relative != null) {
          common = gitDir.toPath().resolve(relative.strip()).normalize().toFile();
        }
      }
      java.io.File targets = new java.io.File(common, "session-lock/queue/targets");
      if (!targets.isFile()) {
        return null;
      }
      for (String line : java.nio.file.Files.readAllLines(targets.toPath(), StandardCharsets.UTF_8)) {
        if (line.strip().equals(ref)) {
          return ref.startsWith("refs/heads/") ? ref.substring("refs/heads/".length()) : ref;
        }
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null; // the reference-transaction guard still refuses the ref update
    }
  }

  private static String readFirstLine(java.io.File file) throws IOException {
    if (!file.isFile()) {
      return null;
    }
    try (java.io.BufferedReader reader = new java.io.BufferedReader(new java.io.InputStreamReader(
        new java.io.FileInputStream(file), StandardCharsets.UTF_8))) {
      return reader.readLine();
    }
  }

  /** The denial of a git call in a work tree another session holds whole, in workspace mode. */
  private static HookResult workspaceHeld(HookCall call, GitCommands.Call git, Path tree,
      Acquisition.Blocked lease, Instant now) {
    String reason = PREFIX + "git " + git.subcommand + " would " + (git.tree ? "rewrite the work tree " + tree
        : verb(git) + " files in the work tree " + tree) + ", which "
        + (lease.holder().isDefined() ? FilesHook.holder(lease.holder().get()) + " holds in workspace mode (for "
            + Durations.human(Duration.between(lease.holder().get().heldSince(), now)) + ", lease ends in "
            : "a session holds in workspace mode (lease ends in ")
        + Durations.human(Duration.between(now, lease.freeAt())) + ").\nWait until that session has finished its "
        + "turn. If it is gone: " + call.config.releaseHint(tree);
    return call.deny(reason);
  }

  private static String verb(GitCommands.Call git) {
    switch (git.subcommand) {
      case "add":
        return "stage";
      case "commit":
        return "commit";
      case "rm":
        return "remove";
      case "mv":
        return "move";
      default:
        return "overwrite";
    }
  }

  private static String advice(GitCommands.Call git) {
    if (git.subcommand.equals("add") || git.subcommand.equals("commit")) {
      return "Stage and commit your own files by name (git add FILE..., git commit FILE... -m MSG); "
          + "the other session commits its own.";
    }
    return "Leave those files to that session, or wait until it has finished its turn.";
  }

  private static HookResult deny(HookCall call, String head, List<LockStatus.Held> held, String advice) {
    StringBuilder reason = new StringBuilder(head);
    int named = 0;
    for (LockStatus.Held one : held) {
      if (named++ == NAMED) {
        reason.append("\n  and ").append(held.size() - NAMED).append(" more");
        break;
      }
      reason.append("\n  ").append(FilesHook.pathOf(one.record(), one.key().name())).append(" - ")
          .append(FilesHook.holder(one.record())).append(", for ").append(Durations.human(one.age()));
    }
    reason.append('\n').append(advice);
    return call.deny(reason.toString());
  }

  /** The held files under any of {@code pathspecs} (relative to {@code dir}); an unknown or glob pathspec: all. */
  static List<LockStatus.Held> under(List<LockStatus.Held> held, List<String> pathspecs, Path dir) {
    List<String> bases = new ArrayList<>();
    for (String spec : pathspecs) {
      if (spec.equals(GitCommands.ANY_PATH) || spec.indexOf(ShellWords.SUBSTITUTION) >= 0 || spec.startsWith(":")
          || spec.indexOf('*') >= 0 || spec.indexOf('?') >= 0 || spec.indexOf('[') >= 0) {
        return held;
      }
      bases.add(Workspaces.canonical(dir.resolve(spec)).toString());
    }
    List<LockStatus.Held> touched = new ArrayList<>();
    for (LockStatus.Held one : held) {
      if (one.record().details().path().isEmpty()) {
        touched.add(one); // an old record without its path: cannot tell, so it counts
        continue;
      }
      String path = one.record().details().path().get();
      for (String base : bases) {
        if (path.equals(base) || path.startsWith(base.endsWith("/") ? base : base + "/")) {
          touched.add(one);
          break;
        }
      }
    }
    return touched;
  }

  /**
   * The held files git would take for {@code git}: asks {@code git status} about them alone. When git cannot be
   * asked, or does not answer within {@code budgetMs}, every one counts.
   */
  private static List<LockStatus.Held> changed(Path tree, List<LockStatus.Held> held, GitCommands.Call git,
      long budgetMs) {
    List<String> paths = new ArrayList<>();
    for (LockStatus.Held one : held) {
      if (one.record().details().path().isDefined()) {
        paths.add(one.record().details().path().get());
      }
    }
    Option<Map<String, GitStatus.Entry>> status = GitStatus.of(tree, paths, budgetMs);
    if (status.isEmpty()) {
      return held;
    }
    List<LockStatus.Held> touched = new ArrayList<>();
    for (LockStatus.Held one : held) {
      GitStatus.Entry entry = one.record().details().path().isDefined()
          ? status.get().get(one.record().details().path().get()) : null;
      if (one.record().details().path().isEmpty() || (entry != null && ((git.staged && entry.stagedChange())
          || (git.worktreeChanges && entry.worktreeChange()) || (git.untracked && entry.untracked())))) {
        touched.add(one);
      }
    }
    return touched;
  }
}
