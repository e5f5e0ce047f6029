package dev.parallelsessionlock.hook.runtime;

import dev.parallelsessionlock.core.FileLocks;
import dev.parallelsessionlock.core.WorkspaceHash;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Which directory a session works in, resolved the same way by the hook and every command. */
public final class Workspaces {

  private Workspaces() {}

  /**
   * The workspace of an event or a command: the top of the git work tree around the starting directory (a
   * linked worktree, whose {@code .git} is a file, is its own workspace), or the starting directory itself
   * outside git. The starting directory is {@code dir} when given ({@code --dir}, {@code CLAUDE_PROJECT_DIR}),
   * else the payload's {@code cwd}, else the process's. So {@code /repo} and {@code /repo/sub} are one
   * workspace. The result is a real path, so a symlinked checkout and its target are one workspace too.
   */
  public static Path resolve(Option<String> dir, Option<String> cwd, Path processCwd) {
    Path start = real(dir.isDefined() ? Path.of(dir.get()) : cwd.isDefined() ? Path.of(cwd.get()) : processCwd);
    return enclosingWorkTree(start);
  }

  /**
   * The lock target of a file: its canonical path, the real path of its nearest existing ancestor plus the rest
   * (a Write may create the file and its folders), so a symlink or {@code ..} never gives one file two locks;
   * and the work tree around that ancestor.
   */
  public static FileLocks.LockedFile lockedFile(Path absolute) {
    Path canonical = canonical(absolute);
    Path real = canonical;
    while (real.getParent() != null && !real.toFile().exists()) {
      real = real.getParent();
    }
    Path dir = real.equals(canonical) && !Files.isDirectory(real) ? real.getParent() : real;
    Path workspace = enclosingWorkTree(dir == null ? real : dir);
    return new FileLocks.LockedFile(WorkspaceHash.of(workspace.toString()), canonical.toString());
  }

  /** The real path of the nearest existing ancestor of {@code absolute} plus the rest, normalized. */
  public static Path canonical(Path absolute) {
    Path existing = absolute;
    Path real = null;
    java.util.ArrayList<String> rest = new java.util.ArrayList<>();
    while (existing != null) {
      // java.io's exists is one stat; NIO's throws (and fills a stack trace) for every missing path.
      if (existing.toFile().exists()) {
        try {
          real = existing.toRealPath();
          break;
        } catch (IOException | SecurityException raced) {
          // removed meanwhile: go on with its parent
        }
      }
      if (existing.getFileName() != null) {
        rest.add(0, existing.getFileName().toString());
      }
      existing = existing.getParent();
    }
    if (real == null) {
      real = absolute.getRoot() == null ? Path.of("/") : absolute.getRoot();
    }
    Path canonical = real;
    for (String part : rest) {
      canonical = canonical.resolve(part);
    }
    return canonical.normalize();
  }

  /** The work tree a canonical file path ({@link #lockedFile}) belongs to. */
  static Path workTreeOf(String canonicalFile) {
    Path parent = Path.of(canonicalFile).getParent();
    return enclosingWorkTree(parent == null ? Path.of(canonicalFile) : parent);
  }

  /**
   * The git work tree each canonical file path belongs to, by path; a path in none is left out. One walk up the
   * folders per folder, not per file: the files of one folder share it.
   */
  static java.util.Map<String, Path> gitWorkTreesOf(java.util.List<String> canonicalFiles) {
    java.util.Map<String, Path> trees = new java.util.HashMap<>();
    java.util.Map<Path, Path> byFolder = new java.util.HashMap<>();
    for (String file : canonicalFiles) {
      Path parent = Path.of(file).getParent();
      Path folder = parent == null ? Path.of(file) : parent;
      Path tree;
      if (byFolder.containsKey(folder)) {
        tree = byFolder.get(folder);
      } else {
        tree = gitWorkTree(folder);
        byFolder.put(folder, tree);
      }
      if (tree != null) {
        trees.put(file, tree);
      }
    }
    return trees;
  }

  private static Path enclosingWorkTree(Path realDir) {
    Path tree = gitWorkTree(realDir);
    return tree == null ? realDir : tree;
  }

  /** The nearest folder from {@code dir} up that has a {@code .git} (a folder, or a linked worktree's file), or null. */
  static Path gitWorkTree(Path dir) {
    for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
      if (candidate.resolve(".git").toFile().exists()) {
        return candidate;
      }
    }
    return null;
  }

  private static Path real(Path path) {
    try {
      return path.toRealPath();
    } catch (IOException | SecurityException e) {
      return path.toAbsolutePath().normalize();
    }
  }
}
