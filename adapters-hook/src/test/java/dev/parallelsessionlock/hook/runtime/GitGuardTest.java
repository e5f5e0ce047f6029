package dev.parallelsessionlock.hook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.hook.install.GitHooks;
import dev.parallelsessionlock.git.Git;
import dev.parallelsessionlock.git.MergeQueue;
import dev.parallelsessionlock.git.QueueProcessor;
import io.vavr.control.Option;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reference-transaction guard in a real repository, with the agents' variables and without. */
final class GitGuardTest {

  @TempDir
  Path temp;

  private Path repo;

  private record Run(int exit, String err) {}

  private Run git(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
    builder.environment().keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("COPILOT")
        || name.startsWith("GEMINI") || name.startsWith("CODEX") || name.startsWith("SESSION_LOCK"));
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getInputStream().readAllBytes();
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(process.waitFor(), err);
  }

  @BeforeEach
  void setUp() throws Exception {
    repo = Files.createDirectories(temp.resolve("repo"));
    git(Map.of(), "init", "-q", "-b", "main");
    git(Map.of(), "config", "user.email", "t@example.com");
    git(Map.of(), "config", "user.name", "t");
    Files.writeString(repo.resolve("a.txt"), "a\n");
    git(Map.of(), "add", "-A");
    git(Map.of(), "commit", "-qm", "base");
    git(Map.of(), "checkout", "-q", "-b", "feature");
    Files.writeString(repo.resolve("b.txt"), "b\n");
    git(Map.of(), "add", "-A");
    git(Map.of(), "commit", "-qm", "feature");
    git(Map.of(), "checkout", "-q", "main");
    assertThat(GitHooks.install(repo, "/opt/session-lock", List.of()).isRight()).isTrue();
  }

  @Test
  void rightAfterInstall_anAgentSessionsMergeIntoTheDefaultBranch_isRefused_andAPersonsIsNot() throws Exception {
    assertThat(Files.exists(repo.resolve(".git/session-lock/queue/entries"))
        && Files.list(repo.resolve(".git/session-lock/queue/entries")).findAny().isPresent())
        .as("nothing was ever enqueued").isFalse();

    Run agent = git(Map.of("CLAUDECODE", "1"), "merge", "-q", "--no-edit", "feature");
    assertThat(agent.exit()).isNotZero();
    assertThat(agent.err()).contains("refs/heads/main is updated only by the merge queue");
    Run person = git(Map.of(), "merge", "-q", "--ff-only", "feature");
    assertThat(person.exit()).as(person.err()).isZero();
  }

  /**
   * Files mode: sessions share a checkout of main and commit their own files there. A commit made on the tip is
   * their own work, not a landing, and passes; a fast-forward to another branch's one commit (the same shape, but
   * already on a ref), a merge, a reset and an amend land or rewrite, and only the queue does that.
   */
  @Test
  void anAgentsOwnCommitOnMain_passes_butAFastForwardResetOrAmend_isRefused() throws Exception {
    Map<String, String> agent = Map.of("CLAUDECODE", "1", "CLAUDE_CODE_SESSION_ID", "s1");
    Files.writeString(repo.resolve("a.txt"), "a, by the session\n");

    Run commit = git(agent, "commit", "-q", "-am", "the session's own work");
    assertThat(commit.exit()).as(commit.err()).isZero();
    assertThat(commit.err()).isEmpty();

    git(Map.of(), "checkout", "-q", "-b", "one", "main");
    git(Map.of(), "commit", "-q", "--allow-empty", "-m", "one commit on a branch");
    git(Map.of(), "checkout", "-q", "main");
    Run fastForward = git(agent, "merge", "-q", "--ff-only", "one");
    assertThat(fastForward.exit()).as("a fast-forward to a branch's single commit lands work").isNotZero();
    assertThat(git(agent, "reset", "-q", "--hard", "HEAD~1").exit()).isNotZero();
    assertThat(git(agent, "commit", "-q", "--amend", "-m", "rewritten").exit()).isNotZero();
  }

  /**
   * git rewrites the work tree before the ref update the guard refuses, so a refused merge would be left behind as
   * staged changes: the hook refuses a landing on a guarded branch before it runs, in both modes, and leaves a
   * reset that moves nothing alone.
   */
  @Test
  void theHook_refusesAMergeOntoAGuardedBranch_beforeItRuns_inBothModes() throws Exception {
    Map<String, String> env = Map.of("SESSION_LOCK_DIR", temp.resolve("locks").toString(), "SESSION_LOCK_WAIT_MS", "0");
    for (String[] mode : new String[][] {{"hook"}, {"hook", "--mode", "files"}}) {
      for (String command : List.of("git merge --no-edit feature", "nice git pull", "git reset --hard feature",
          "git rebase feature", "git commit --amend -m x")) {
        String payload = "{\"hook_event_name\":\"PreToolUse\",\"session_id\":\"s1\",\"cwd\":\"" + repo.toRealPath()
            + "\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"" + command + "\"}}";
        HookResult result = HookRunner.run(new java.io.ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8)),
            HookArgs.parse(mode, 1), HookConfig.from(env), repo, Clock.systemUTC(),
            dev.parallelsessionlock.process.LocalProcesses::current);

        assertThat(result.exitCode()).as(String.join(" ", mode) + ": " + command).isEqualTo(2);
        assertThat(String.join("\n", result.stderr())).contains("would move main, which only the merge queue updates",
            "queue enqueue");
      }
      for (String command : List.of("git reset --hard", "git merge --abort", "git switch -c mine")) {
        String payload = "{\"hook_event_name\":\"PreToolUse\",\"session_id\":\"s1\",\"cwd\":\"" + repo.toRealPath()
            + "\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"" + command + "\"}}";
        assertThat(HookRunner.run(new java.io.ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8)),
            HookArgs.parse(mode, 1), HookConfig.from(env), repo, Clock.systemUTC(),
            dev.parallelsessionlock.process.LocalProcesses::current).exitCode()).as(command).isZero();
      }
    }
    assertThat(git(Map.of("CLAUDECODE", "1"), "reset", "-q", "--hard").exit())
        .as("a reset that moves nothing passes the git guard").isZero();
  }

  @Test
  void install_namesTheGuardedBranches_andGuardsTheOnesGivenToo_fromAnyBranchCheckedOut() throws Exception {
    GitHooks.uninstall(repo);
    git(Map.of(), "checkout", "-q", "feature");
    git(Map.of(), "branch", "release", "main");

    var installed = GitHooks.install(repo, "/opt/session-lock", List.of("release"));

    assertThat(installed.get().mkString("\n")).contains(
        "the merge-queue guard keeps agent sessions from moving main, release");
    Run push = git(Map.of("GEMINI_CLI", "1"), "push", "-q", ".", "feature:release");
    assertThat(push.exit()).isNotZero();
    assertThat(push.err()).contains("refs/heads/release is updated only by the merge queue");
    Run feature = git(Map.of("GEMINI_CLI", "1"), "commit", "-q", "--allow-empty", "-m", "on feature");
    assertThat(feature.exit()).as("the checked-out feature branch is not guarded: %s", feature.err()).isZero();
    assertThat(GitHooks.install(repo, "/opt/session-lock", List.of("no..branch")).getLeft().message())
        .isEqualTo("--guard no..branch is not a branch name");
  }

  @Test
  void anAgentSessionsMergeAndPushIntoMain_areRefused_naming_theQueue() throws Exception {
    Map<String, String> agent = Map.of("CLAUDECODE", "1", "CLAUDE_CODE_SESSION_ID", "s1");

    Run merge = git(agent, "merge", "-q", "--no-edit", "feature");
    assertThat(merge.exit()).isNotZero();
    assertThat(merge.err()).contains("refs/heads/main is updated only by the merge queue", "queue enqueue BRANCH");
    Run push = git(Map.of("COPILOT_CLI", "1"), "push", "-q", ".", "feature:main");
    assertThat(push.exit()).isNotZero();
    assertThat(Git.in(repo).resolve("refs/heads/main").get()).isNotEqualTo(Git.in(repo).resolve("refs/heads/feature").get());

    Run other = git(agent, "branch", "-q", "side");
    assertThat(other.exit()).as("other refs are not guarded: %s", other.err()).isZero();
  }

  @Test
  void aPersonsMerge_andTheQueuesLanding_areAllowed() throws Exception {
    Run person = git(Map.of(), "merge", "-q", "--ff-only", "feature");
    assertThat(person.exit()).as(person.err()).isZero();

    git(Map.of(), "checkout", "-q", "-b", "feature2");
    Files.writeString(repo.resolve("c.txt"), "c\n");
    git(Map.of(), "add", "-A");
    git(Map.of(), "commit", "-qm", "feature2");
    git(Map.of(), "checkout", "-q", "--detach");
    MergeQueue queue = MergeQueue.open(repo, LockDirectoryStores.FILES).get();
    queue.enqueue("feature2", Option.none(), Option.none(), Clock.systemUTC().instant());
    var summary = new QueueProcessor(queue, "true", Duration.ofMinutes(1), 1, Clock.systemUTC(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).process().get();
    assertThat(summary.landed()).isEqualTo(1);
  }

  @Test
  void anExistingReferenceTransactionHook_stillGetsItsInput_andUninstallGivesItBack() throws Exception {
    Path hook = repo.resolve(".git/hooks/reference-transaction");
    GitHooks.uninstall(repo);
    String users = "#!/bin/sh\ncat >> \"$(git rev-parse --git-dir)/seen-refs\"\n";
    Files.writeString(hook, users);
    hook.toFile().setExecutable(true);
    GitHooks.install(repo, "/opt/session-lock", List.of());

    Run branch = git(Map.of("CLAUDECODE", "1"), "branch", "-q", "side2");

    assertThat(branch.exit()).isZero();
    assertThat(Files.readString(repo.resolve(".git/seen-refs"))).contains("refs/heads/side2");
    GitHooks.uninstall(repo);
    assertThat(Files.readString(hook)).isEqualTo(users);
  }
}
