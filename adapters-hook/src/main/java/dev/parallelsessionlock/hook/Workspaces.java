package dev.parallelsessionlock.hook;

import io.vavr.control.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Which directory a session works in, resolved the same way by the hook and every command. */
final class Workspaces {

  private Workspaces() {}

  /**
   * The workspace of an event or a command: the top of the git work tree around the starting directory (a
   * linked worktree, whose {@code .git} is a file, is its own workspace), or the starting directory itself
   * outside git. The starting directory is {@code dir} when given ({@code --dir}, {@code CLAUDE_PROJECT_DIR}),
   * else the payload's {@code cwd}, else the process's. So {@code /repo} and {@code /repo/sub} are one
   * workspace. The result is a real path, so a symlinked checkout and its target are one workspace too.
   */
  static Path resolve(Option<String> dir, Option<String> cwd, Path processCwd) {
    Path start = real(dir.isDefined() ? Path.of(dir.get()) : cwd.isDefined() ? Path.of(cwd.get()) : processCwd);
    for (Path candidate = start; candidate != null; candidate = candidate.getParent()) {
      if (Files.exists(candidate.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
        return candidate;
      }
    }
    return start;
  }

  private static Path real(Path path) {
    try {
      return path.toRealPath();
    } catch (IOException | SecurityException e) {
      return path.toAbsolutePath().normalize();
    }
  }
}
