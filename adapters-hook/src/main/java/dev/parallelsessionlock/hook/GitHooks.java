package dev.parallelsessionlock.hook;

import io.vavr.collection.List;
import io.vavr.control.Either;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * The git {@code pre-commit} hook of {@code install --git-hooks}: a marked block that runs the stale-check of the
 * tasks bound to the committing agent session and blocks the commit (exit 1) only when one is stale (exit 5); any
 * other outcome, a missing launcher, or no agent session at all lets the commit through. Kept beside an existing
 * shell pre-commit hook (the block goes right after its first line); removed exactly by {@code uninstall
 * --git-hooks}, which deletes the file only when install created it and nothing else is in it.
 */
final class GitHooks {

  static final String BEGIN = "# >>> parallel-session-lock: stale-check of the session's tasks (uninstall --git-hooks removes it) >>>";
  static final String END = "# <<< parallel-session-lock <<<";
  static final String CREATED = "# created by parallel-session-lock install --git-hooks";

  private GitHooks() {}

  /** The block, with the launcher by absolute path. */
  static String block(String launcher) {
    return BEGIN + "\n"
        + "session_lock=" + ShellCommands.quote(launcher) + "\n"
        + "if [ -x \"$session_lock\" ]; then\n"
        + "  \"$session_lock\" check --session-tasks\n"
        + "  [ $? -eq 5 ] && { echo 'session-lock: commit blocked: files of your task changed outside it (above);"
        + " review them, then session-lock snapshot --task T FILE... to accept them' >&2; exit 1; }\n"
        + "fi\n"
        + END + "\n";
  }

  /** The repository's hooks folder, as git reports it (core.hooksPath, linked worktrees). */
  static Either<Installer.Failure, Path> hooksDir(Path workspace) {
    try {
      Process git = new ProcessBuilder("git", "-C", workspace.toString(), "rev-parse", "--git-path", "hooks")
          .redirectErrorStream(true).start();
      String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!git.waitFor(30, TimeUnit.SECONDS) || git.exitValue() != 0) {
        return Either.left(new Installer.Failure(ExitCodes.USAGE, workspace + " is not in a git repository (" + out + ")"));
      }
      return Either.right(workspace.resolve(out).normalize());
    } catch (IOException e) {
      return Either.left(new Installer.Failure(ExitCodes.UNAVAILABLE, "cannot run git: " + Installer.describe(e)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Either.left(new Installer.Failure(ExitCodes.UNAVAILABLE, "interrupted"));
    }
  }

  static Either<Installer.Failure, List<String>> install(Path workspace, String launcher) {
    Either<Installer.Failure, Path> dir = hooksDir(workspace);
    if (dir.isLeft()) {
      return Either.left(dir.getLeft());
    }
    Path hook = dir.get().resolve("pre-commit");
    try {
      Files.createDirectories(dir.get());
      if (!Files.exists(hook)) {
        Files.writeString(hook, "#!/bin/sh\n" + CREATED + "\n" + block(launcher), StandardCharsets.UTF_8);
        makeExecutable(hook);
        return Either.right(List.of("installed the git pre-commit hook " + hook));
      }
      String text = Files.readString(hook, StandardCharsets.UTF_8);
      String without = remove(text);
      int firstLineEnd = without.indexOf('\n');
      String shebang = firstLineEnd < 0 ? without : without.substring(0, firstLineEnd);
      if (!shebang.startsWith("#!") || !(shebang.contains("sh"))) {
        return Either.left(new Installer.Failure(ExitCodes.UNAVAILABLE, hook + " is not a shell script; add this to it "
            + "yourself:\n" + block(launcher)));
      }
      String wanted = without.substring(0, firstLineEnd + 1) + block(launcher) + without.substring(firstLineEnd + 1);
      if (wanted.equals(text)) {
        return Either.right(List.of("already up to date: " + hook));
      }
      Files.writeString(hook, wanted, StandardCharsets.UTF_8);
      return Either.right(List.of("added the stale-check to the git pre-commit hook " + hook));
    } catch (IOException e) {
      return Either.left(new Installer.Failure(ExitCodes.UNAVAILABLE, "cannot write " + hook + ": " + Installer.describe(e)));
    }
  }

  static Either<Installer.Failure, List<String>> uninstall(Path workspace) {
    Either<Installer.Failure, Path> dir = hooksDir(workspace);
    if (dir.isLeft()) {
      return Either.left(dir.getLeft());
    }
    Path hook = dir.get().resolve("pre-commit");
    try {
      if (!Files.exists(hook)) {
        return Either.right(List.of("nothing to remove: no " + hook));
      }
      String text = Files.readString(hook, StandardCharsets.UTF_8);
      String without = remove(text);
      if (without.equals(text)) {
        return Either.right(List.of("nothing to remove: " + hook + " has no block of ours"));
      }
      if (without.equals("#!/bin/sh\n" + CREATED + "\n")) {
        Files.delete(hook);
        return Either.right(List.of("removed the git pre-commit hook " + hook));
      }
      Files.writeString(hook, without, StandardCharsets.UTF_8);
      return Either.right(List.of("removed the stale-check from the git pre-commit hook " + hook));
    } catch (IOException e) {
      return Either.left(new Installer.Failure(ExitCodes.UNAVAILABLE, "cannot edit " + hook + ": " + Installer.describe(e)));
    }
  }

  /** {@code text} without our block (the lines from BEGIN through END). */
  static String remove(String text) {
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END, Math.max(begin, 0));
    if (begin < 0 || end < 0) {
      return text;
    }
    int after = text.indexOf('\n', end);
    return text.substring(0, begin) + (after < 0 ? "" : text.substring(after + 1));
  }

  private static void makeExecutable(Path hook) throws IOException {
    try {
      Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (UnsupportedOperationException notPosix) {
      hook.toFile().setExecutable(true);
    }
  }
}
