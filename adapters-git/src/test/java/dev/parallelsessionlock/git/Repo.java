package dev.parallelsessionlock.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real git repository in a temp folder, driven through the real git CLI. */
final class Repo {

  final Path dir;
  final Git git;

  Repo(Path parent) throws IOException {
    dir = Files.createDirectories(parent.resolve("repo"));
    git = Git.in(dir);
    ok("init", "-q", "-b", "main");
    ok("config", "user.email", "test@example.com");
    ok("config", "user.name", "test");
    ok("config", "commit.gpgsign", "false");
    write("base.txt", "base\n");
    commitAll("base");
  }

  Git.Result ok(String... args) {
    Git.Result result = git.run(args);
    assertThat(result.ok()).as("git %s: %s", String.join(" ", args), result.problem()).isTrue();
    return result;
  }

  void write(String file, String text) throws IOException {
    Path path = dir.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, text);
  }

  String commitAll(String message) {
    ok("add", "-A");
    ok("commit", "-q", "-m", message);
    return head();
  }

  String head() {
    return ok("rev-parse", "HEAD").line();
  }

  String tip(String branch) {
    return ok("rev-parse", "refs/heads/" + branch).line();
  }

  /** A branch from main that adds (or changes) {@code file}; main stays checked out... or detached. */
  String branch(String name, String file, String text) throws IOException {
    ok("checkout", "-q", "-b", name, "main");
    write(file, text);
    String head = commitAll(name);
    ok("checkout", "-q", "--detach", "main");
    return head;
  }

  /** Whether {@code commit} is in {@code branch}'s history. */
  boolean contains(String branch, String commit) {
    return git.isAncestor(commit, "refs/heads/" + branch);
  }

  void fsckClean() {
    Git.Result fsck = git.run("fsck", "--no-progress", "--no-dangling");
    assertThat(fsck.ok()).as("git fsck: %s", fsck.problem()).isTrue();
  }
}
