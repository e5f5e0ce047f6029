package dev.parallelsessionlock.hook;

import io.vavr.control.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Which directory a session works in, resolved the same way by every session of the machine. */
final class Workspaces {

  private Workspaces() {}

  /**
   * The workspace of an event: {@code CLAUDE_PROJECT_DIR} when the agent sets it (the launch root), else the
   * top of the git work tree around {@code cwd} (a linked worktree is its own workspace), else {@code cwd}.
   * The result is a real path, so a symlinked checkout and its target are one workspace.
   */
  static Path resolve(Option<String> projectDir, Option<String> cwd, Path processCwd) {
    if (projectDir.isDefined()) {
      return real(Path.of(projectDir.get()));
    }
    Path start = real(cwd.isDefined() ? Path.of(cwd.get()) : processCwd);
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
        return dir;
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
