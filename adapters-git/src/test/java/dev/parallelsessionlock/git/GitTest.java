package dev.parallelsessionlock.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the git CLI tells about a repository, in real repositories. */
final class GitTest {

  @TempDir
  Path temp;

  @Test
  void mainBranch_isInitDefaultBranch_whenThatBranchExists_beforeMainOrMaster() throws Exception {
    Repo repo = new Repo(temp);
    repo.ok("branch", "trunk");
    repo.ok("checkout", "-q", "-b", "feature");
    repo.ok("config", "init.defaultBranch", "trunk");

    assertThat(repo.git.mainBranch()).isEqualTo("trunk");
    repo.ok("config", "init.defaultBranch", "gone");
    assertThat(repo.git.mainBranch()).as("a default that is no branch here").isEqualTo("main");
  }

  @Test
  void mainBranch_isOriginsHead_first() throws Exception {
    Repo repo = new Repo(temp);
    repo.ok("branch", "trunk");
    repo.ok("config", "init.defaultBranch", "main");
    repo.ok("update-ref", "refs/remotes/origin/trunk", "refs/heads/trunk");
    repo.ok("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk");

    assertThat(repo.git.mainBranch()).isEqualTo("trunk");
  }

  @Test
  void mainBranch_withoutMainOrMaster_isTheMainWorkTreesBranch_evenFromALinkedWorktree() throws Exception {
    Repo repo = new Repo(temp);
    repo.ok("branch", "-m", "main", "dev");
    Path linked = temp.resolve("linked");
    repo.ok("worktree", "add", "-q", "-b", "side", linked.toString(), "dev");

    assertThat(Git.in(linked).mainBranch()).isEqualTo("dev");
    assertThat(repo.git.mainBranch()).isEqualTo("dev");
  }

  @Test
  void mainBranch_ofARepositoryWithoutCommits_isItsUnbornBranch() throws Exception {
    Path dir = temp.resolve("empty");
    Git git = Git.in(temp);
    assertThat(git.run("init", "-q", "-b", "trunk", dir.toString()).ok()).isTrue();

    assertThat(Git.in(dir).mainBranch()).isEqualTo("trunk");
  }
}
