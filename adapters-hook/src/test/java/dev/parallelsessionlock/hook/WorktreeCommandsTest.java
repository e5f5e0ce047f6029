package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.testkit.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code worktree create} and {@code remove}, as commands and as Claude Code's hooks, in a real repository. */
final class WorktreeCommandsTest {

  @TempDir
  Path temp;

  private Path repo;
  private final Map<String, String> env = new HashMap<>();
  private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  private final ProcessRef agent = LocalProcesses.current();
  private ByteArrayOutputStream out;
  private ByteArrayOutputStream err;

  private void git(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("git", "-C", repo.toString()));
    command.addAll(List.of(args));
    assertThat(new ProcessBuilder(command).redirectErrorStream(true).start().waitFor()).isZero();
  }

  @BeforeEach
  void setUp() throws Exception {
    repo = Files.createDirectories(temp.resolve("repo")).toRealPath();
    git("init", "-q", "-b", "main");
    git("config", "user.email", "t@example.com");
    git("config", "user.name", "t");
    Files.writeString(repo.resolve("package.json"), "{\"name\":\"tiny\",\"version\":\"1.0.0\",\"private\":true}\n");
    Files.writeString(repo.resolve(".gitignore"), ".env*\nnode_modules/\n.claude/\n");
    git("add", "-A");
    git("commit", "-qm", "base");
    Files.writeString(repo.resolve(".env"), "SECRET=1\n");
    Files.writeString(repo.resolve(".env.local"), "LOCAL=1\n");
    env.put("SESSION_LOCK_DIR", temp.resolve("locks").toString());
  }

  private int run(String stdin, String... args) {
    out = new ByteArrayOutputStream();
    err = new ByteArrayOutputStream();
    return new Commands(env, repo, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), clock, () -> agent)
        .withInput(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))).run(args);
  }

  @Test
  void createAsClaudesHook_printsOnlyThePathLast_linksTheEnvFiles_andRunsTheInstallStep() throws Exception {
    boolean npm = new ProcessBuilder("sh", "-c", "command -v npm").start().waitFor() == 0;
    if (!npm && "true".equals(System.getenv("CI"))) {
      org.junit.jupiter.api.Assertions.fail("npm is needed in CI (.ci/run installs it)");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(npm, "no npm on this machine for the install step");
    int exit = run("{\"session_id\":\"s\",\"cwd\":\"" + repo + "\",\"hook_event_name\":\"WorktreeCreate\",\"name\":\"fix-1\"}",
        "worktree", "create", "--hook");

    Path created = repo.resolve(".claude/worktrees/fix-1");
    assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(created + "\n");
    assertThat(Files.isSymbolicLink(created.resolve(".env"))).isTrue();
    assertThat(Files.readString(created.resolve(".env.local"))).isEqualTo("LOCAL=1\n");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("linked .env", "running the install step: npm install");
    assertThat(created.resolve("package-lock.json")).as("npm install ran there").isRegularFile();
  }

  @Test
  void aBadName_orAnExistingPath_failsCleanly_leavingNothingBehind() throws Exception {
    assertThat(run("", "worktree", "create", "../escape", "--no-install")).isEqualTo(64);
    assertThat(run("", "worktree", "create", "twice", "--no-install")).isZero();
    assertThat(run("", "worktree", "create", "twice", "--no-install")).isEqualTo(73);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("exists already");
    assertThat(run("", "worktree", "create", "broken", "--install", "exit 9")).isEqualTo(73);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(repo.resolve(".claude/worktrees/broken")).doesNotExist();
    Process branches = new ProcessBuilder("git", "-C", repo.toString(), "branch", "--list", "worktree-broken").start();
    assertThat(new String(branches.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isBlank();
  }

  @Test
  void remove_releasesOnlyThatWorktreesFileLocks_andWhatCreateAdded() throws Exception {
    run("", "worktree", "create", "a", "--no-install");
    run("", "worktree", "create", "b", "--no-install");
    Path a = repo.resolve(".claude/worktrees/a");
    Path b = repo.resolve(".claude/worktrees/b");
    run("", "files", "acquire", "--session", "in-a", a + "/x.txt");
    run("", "files", "acquire", "--session", "in-b", b + "/x.txt");

    int exit = run("{\"hook_event_name\":\"WorktreeRemove\",\"worktree_path\":\"" + a + "\"}", "worktree", "remove", "--hook");

    assertThat(exit).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("released 1 file locks under " + a, "unlinked .env");
    assertThat(a.resolve(".env")).doesNotExist();
    run("", "files", "list");
    assertThat(out.toString(StandardCharsets.UTF_8)).contains(b + "/x.txt").doesNotContain(a + "/x.txt");

    assertThat(run("", "worktree", "remove", b.toString())).isZero();
    assertThat(b).doesNotExist();
  }

  @Test
  void remove_ofAnythingButALinkedWorktree_isRefusedWithOneLine_andTouchesNoLock() throws Exception {
    run("", "worktree", "create", "a", "--no-install");
    Path a = repo.resolve(".claude/worktrees/a");
    Path src = Files.createDirectories(repo.resolve("src"));
    Files.createDirectories(a.resolve("sub"));
    run("", "files", "acquire", "--session", "in-main", src + "/x.txt");
    run("", "files", "acquire", "--session", "in-a", a + "/sub/x.txt");

    for (Path path : List.of(repo, src, repo.resolve("nowhere"), a.resolve("sub"))) {
      assertThat(run("", "worktree", "remove", path.toString())).as(path.toString()).isEqualTo(66);
      assertThat(err.toString(StandardCharsets.UTF_8)).as(path.toString()).isEqualTo("session-lock: " + path
          + " is not a linked worktree of the repository at " + repo + " (git worktree list shows them); nothing was "
          + "released or removed\n");
    }
    int hook = run("{\"hook_event_name\":\"WorktreeRemove\",\"worktree_path\":\"" + repo + "\"}",
        "worktree", "remove", "--hook");

    assertThat(hook).as("the hook form never fails loudly").isZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("is not a linked worktree").doesNotContain("released 0");
    run("", "files", "list");
    assertThat(out.toString(StandardCharsets.UTF_8)).contains(src + "/x.txt", a + "/sub/x.txt");
    assertThat(a.resolve(".env")).as("what create added stays").exists();
  }
}
