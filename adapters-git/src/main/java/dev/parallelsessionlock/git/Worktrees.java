package dev.parallelsessionlock.git;

import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Worktree lifecycle (seed 001): create a worktree for a session, link the main checkout's {@code .env*} files
 * into it and run the project's install step; on removal, take away what creation added that git does not.
 * What creation added is listed in {@code <git common dir>/session-lock/worktrees/<name>}, so removal removes
 * exactly that.
 */
public final class Worktrees {

  /** {@code SESSION_LOCK_WORKTREE_INSTALL}: the install command, or {@code none}; default: by the project's files. */
  public static final String INSTALL_VARIABLE = "SESSION_LOCK_WORKTREE_INSTALL";

  private final Git git;
  private final Path mainTree;
  private final Path records;

  private Worktrees(Git git, Path mainTree, Path records) {
    this.git = git;
    this.mainTree = mainTree;
    this.records = records;
  }

  /** The worktrees of the repository around {@code dir}. */
  public static Either<String, Worktrees> of(Path dir) {
    Git git = Git.in(dir);
    Option<Path> common = git.commonDir();
    if (common.isEmpty()) {
      return Either.left(dir + " is not in a git repository");
    }
    Git.Result list = git.run("worktree", "list", "--porcelain");
    String first = list.out().lines().findFirst().orElse("");
    if (!first.startsWith("worktree ")) {
      return Either.left("git worktree list says nothing usable: " + list.problem());
    }
    return Either.right(new Worktrees(git, Path.of(first.substring("worktree ".length())),
        common.get().resolve("session-lock").resolve("worktrees")));
  }

  /** The main work tree of the repository (the first {@code git worktree list} names). */
  public Path mainTree() {
    return mainTree;
  }

  /**
   * Whether {@code path} (absolute, symlinks resolved) is one of the repository's linked worktrees, as {@code git
   * worktree list} names them: not the main work tree, not a folder inside a worktree; a worktree whose folder is
   * gone but that git still lists counts.
   */
  public boolean isLinked(Path path) {
    Git.Result list = git.run("worktree", "list", "--porcelain");
    if (!list.ok()) {
      return false;
    }
    boolean first = true;
    for (String line : list.out().split("\n")) {
      if (line.startsWith("worktree ")) {
        if (!first && real(Path.of(line.substring("worktree ".length()))).equals(path)) {
          return true;
        }
        first = false;
      }
    }
    return false;
  }

  private static Path real(Path path) {
    try {
      return path.toRealPath();
    } catch (IOException gone) {
      return path.toAbsolutePath().normalize();
    }
  }

  /** Whether {@code name} may name a worktree: a slug, no path. */
  static boolean validName(String name) {
    if (name.isEmpty() || name.length() > 100 || name.startsWith("-") || name.startsWith(".")) {
      return false;
    }
    for (char c : name.toCharArray()) {
      if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-' && c != '_' && c != '.') {
        return false;
      }
    }
    return true;
  }

  /**
   * Creates the worktree {@code name} on a new branch {@code worktree-<name>} from the current commit, at
   * {@code <main checkout>/.claude/worktrees/<name>}; links the {@code .env*} files; runs the install step (output
   * to {@code log}). Returns its absolute path. On any failure, nothing is left behind.
   */
  public Either<String, Path> create(String name, Option<String> install, PrintStream log) {
    if (!validName(name)) {
      return Either.left("'" + name + "' is not a worktree name (letters, digits, '-', '_', '.'; not starting with '-' or '.')");
    }
    Path path = mainTree.resolve(".claude").resolve("worktrees").resolve(name);
    if (Files.exists(path)) {
      return Either.left(path + " exists already");
    }
    String branch = "worktree-" + name;
    if (git.resolve("refs/heads/" + branch).isDefined()) {
      return Either.left("the branch " + branch + " exists already");
    }
    Git.Result added = git.run("worktree", "add", "-b", branch, path.toString(), "HEAD");
    if (!added.ok()) {
      return Either.left("git worktree add failed: " + added.problem());
    }
    List<String> made = new ArrayList<>();
    try {
      try (DirectoryStream<Path> envs = Files.newDirectoryStream(mainTree, ".env*")) {
        for (Path env : envs) {
          Path link = path.resolve(env.getFileName());
          if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(link, env);
            made.add(env.getFileName().toString());
            log.println("linked " + env.getFileName());
          }
        }
      }
      Files.createDirectories(records);
      Files.write(records.resolve(name), made, StandardCharsets.UTF_8);
      Option<String> step = installStep(path, install);
      if (step.isDefined()) {
        log.println("running the install step: " + step.get());
        Process run = new ProcessBuilder("sh", "-c", step.get()).directory(path.toFile())
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        run.getInputStream().transferTo(log);
        if (!run.waitFor(30, TimeUnit.MINUTES) || run.exitValue() != 0) {
          throw new IOException("the install step '" + step.get() + "' failed"
              + (run.isAlive() ? " (timed out)" : " (exit " + run.exitValue() + ")"));
        }
      }
      return Either.right(path);
    } catch (IOException | InterruptedException e) {
      undo(name, path, branch);
      return Either.left(e.getMessage() == null ? "creating the worktree failed" : e.getMessage());
    }
  }

  /** The install step: the variable's command ({@code none}: no step), else npm's when there is a package.json. */
  static Option<String> installStep(Path worktree, Option<String> configured) {
    if (configured.isDefined()) {
      return configured.get().isBlank() || configured.get().equals("none") ? Option.none() : configured;
    }
    if (Files.isRegularFile(worktree.resolve("package.json"))) {
      return Option.some(Files.isRegularFile(worktree.resolve("package-lock.json"))
          ? "npm ci --no-audit --no-fund" : "npm install --no-audit --no-fund");
    }
    return Option.none();
  }

  private void undo(String name, Path path, String branch) {
    git.run("worktree", "remove", "--force", "--force", path.toString());
    git.run("worktree", "prune");
    git.run("branch", "-D", branch);
    try {
      Files.deleteIfExists(records.resolve(name));
    } catch (IOException ignored) {
      // nothing more to undo
    }
  }

  /**
   * Removes what {@link #create} added to the worktree at {@code path} that git does not track (its {@code .env}
   * links), and with {@code gitToo} the worktree itself. Returns what it did, never failing loudly.
   */
  public List<String> remove(Path path, boolean gitToo) {
    List<String> done = new ArrayList<>();
    String name = path.getFileName().toString();
    Path record = records.resolve(name);
    try {
      if (Files.isRegularFile(record)) {
        for (String link : Files.readAllLines(record, StandardCharsets.UTF_8)) {
          if (!link.isBlank() && Files.deleteIfExists(path.resolve(link))) {
            done.add("unlinked " + link);
          }
        }
        Files.deleteIfExists(record);
      }
    } catch (IOException e) {
      done.add("could not clean " + path + ": " + e.getMessage());
    }
    if (gitToo && Files.exists(path)) {
      Git.Result removed = git.run("worktree", "remove", "--force", path.toString());
      done.add(removed.ok() ? "removed the worktree " + path : "git worktree remove failed: " + removed.problem());
      git.run("worktree", "prune");
    }
    return done;
  }
}
