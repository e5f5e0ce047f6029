package dev.parallelsessionlock.git;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@code git} CLI, run in one repository. Every call waits for git and returns its exit code and output; none
 * throws for a git failure (a non-zero exit is an outcome the caller reads). The environment gets
 * {@value #PROCESSOR_VARIABLE}{@code =1} when the queue's processor runs git, so the reference-transaction guard
 * lets its landing through.
 */
public final class Git {

  /** Set for git commands the queue's processor runs. */
  public static final String PROCESSOR_VARIABLE = "SESSION_LOCK_QUEUE_PROCESSOR";

  /** What one git command did. */
  public record Result(int exit, String out, String err) {
    public boolean ok() {
      return exit == 0;
    }

    /** The first line of stdout, trimmed. */
    public String line() {
      String trimmed = out.strip();
      int newline = trimmed.indexOf('\n');
      return newline < 0 ? trimmed : trimmed.substring(0, newline);
    }

    /** stderr (else stdout) in one line, for a person. */
    public String problem() {
      String text = (err.isBlank() ? out : err).strip().replace('\n', ' ');
      return text.isEmpty() ? "git exited " + exit : text;
    }
  }

  private final Path dir;
  private final Map<String, String> extraEnv;

  private Git(Path dir, Map<String, String> extraEnv) {
    this.dir = dir;
    this.extraEnv = extraEnv;
  }

  public static Git in(Path dir) {
    return new Git(dir, Map.of());
  }

  /** The same repository, with {@code variable=value} in git's environment. */
  public Git with(String variable, String value) {
    Map<String, String> env = new java.util.HashMap<>(extraEnv);
    env.put(variable, value);
    return new Git(dir, Map.copyOf(env));
  }

  public Path dir() {
    return dir;
  }

  public Result run(String... args) {
    return runWithInput(null, args);
  }

  /** {@code git args...} with {@code stdin} (none when null). */
  public Result runWithInput(String stdin, String... args) {
    List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(extraEnv);
    try {
      Process git = builder.start();
      CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(git.getErrorStream()));
      if (stdin != null) {
        git.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      git.getOutputStream().close();
      byte[] out = git.getInputStream().readAllBytes();
      if (!git.waitFor(10, TimeUnit.MINUTES)) {
        git.destroyForcibly();
        return new Result(-1, "", "git " + String.join(" ", args) + " did not finish within 10 minutes");
      }
      return new Result(git.exitValue(), new String(out, StandardCharsets.UTF_8),
          new String(err.join(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, "", "cannot run git: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "", "interrupted");
    }
  }

  private static byte[] readAll(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  /** The object a revision names, or none. */
  public io.vavr.control.Option<String> resolve(String revision) {
    Result result = run("rev-parse", "--verify", "--quiet", revision + "^{commit}");
    return result.ok() ? io.vavr.control.Option.some(result.line()) : io.vavr.control.Option.none();
  }

  /** The repository's common git directory (shared by every worktree), absolute. */
  public io.vavr.control.Option<Path> commonDir() {
    Result result = run("rev-parse", "--path-format=absolute", "--git-common-dir");
    return result.ok() ? io.vavr.control.Option.some(Path.of(result.line())) : io.vavr.control.Option.none();
  }

  /** The top of this work tree. */
  public io.vavr.control.Option<Path> topLevel() {
    Result result = run("rev-parse", "--show-toplevel");
    return result.ok() ? io.vavr.control.Option.some(Path.of(result.line())) : io.vavr.control.Option.none();
  }

  /**
   * The branch the repository calls its main, the queue's default target and the guard's from install on: origin's
   * HEAD; else {@code init.defaultBranch} when that branch exists here; else {@code main}, else {@code master}, when
   * it exists; else the branch the main work tree has checked out (also when it has no commit yet), whichever
   * worktree asks; else {@code main}.
   */
  public String mainBranch() {
    Result origin = run("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD");
    if (origin.ok() && origin.line().startsWith("origin/")) {
      return origin.line().substring("origin/".length());
    }
    Result configured = run("config", "--get", "init.defaultBranch");
    List<String> candidates = new ArrayList<>();
    if (configured.ok() && !configured.line().isEmpty()) {
      candidates.add(configured.line());
    }
    candidates.add("main");
    candidates.add("master");
    for (String candidate : candidates) {
      if (resolve("refs/heads/" + candidate).isDefined()) {
        return candidate;
      }
    }
    io.vavr.control.Option<Path> common = commonDir();
    Result mainTree = common.isDefined()
        ? run("--git-dir=" + common.get(), "symbolic-ref", "--quiet", "--short", "HEAD")
        : run("symbolic-ref", "--quiet", "--short", "HEAD");
    return mainTree.ok() && !mainTree.line().isEmpty() ? mainTree.line() : "main";
  }

  /** Whether {@code ancestor} is an ancestor of (or equal to) {@code commit}. */
  public boolean isAncestor(String ancestor, String commit) {
    return run("merge-base", "--is-ancestor", ancestor, commit).ok();
  }
}
