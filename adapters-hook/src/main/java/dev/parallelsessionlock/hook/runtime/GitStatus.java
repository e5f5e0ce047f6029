package dev.parallelsessionlock.hook.runtime;

import io.vavr.control.Option;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What {@code git status} says of some files of one work tree, asked about those files alone (a whole-tree status
 * can take seconds in a large repository; the hook has a deadline). Plain loops, no lambdas (the hook path).
 */
final class GitStatus {

  /** One file's two status letters ({@code XY} of {@code --porcelain=v1}): index and work tree. */
  static final class Entry {
    final char staged;
    final char worktree;

    Entry(char staged, char worktree) {
      this.staged = staged;
      this.worktree = worktree;
    }

    boolean untracked() {
      return staged == '?';
    }

    boolean stagedChange() {
      return !untracked() && staged != ' ' && staged != '!';
    }

    boolean worktreeChange() {
      return !untracked() && worktree != ' ' && worktree != '!';
    }
  }

  /** How many paths are asked about by name at most. */
  static final int WHOLE_TREE_FROM = 200;

  private GitStatus() {}

  /**
   * The files among {@code paths} (absolute) that differ from {@code HEAD} in {@code tree}, staged or not, or are
   * untracked, by absolute normalized path; a file git lists nothing for is as committed. None when git cannot be
   * asked, fails, or does not answer within {@code budgetMs}: the caller decides what not knowing means.
   */
  static Option<Map<String, Entry>> of(Path tree, List<String> paths, long budgetMs) {
    // Past this many, one status of the whole tree: a command line of thousands of paths can pass the kernel's
    // limit, and git reads the index once either way.
    boolean whole = paths.size() > WHOLE_TREE_FROM;
    List<String> command = new ArrayList<>();
    command.add("git");
    command.add("-C");
    command.add(tree.toString());
    command.add("status");
    command.add("--porcelain=v1");
    command.add("-z");
    command.add("--untracked-files=all");
    command.add("--no-renames");
    if (!whole) {
      command.add("--");
      command.addAll(paths);
    }
    Map<String, Entry> changed = new HashMap<>();
    try {
      Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      process.getOutputStream().close();
      byte[] out;
      try (InputStream stdout = process.getInputStream()) {
        out = stdout.readAllBytes();
      }
      if (!process.waitFor(Math.max(budgetMs, 100), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        return Option.none();
      }
      String text = new String(out, StandardCharsets.UTF_8);
      int start = 0;
      while (start + 3 <= text.length()) {
        int end = text.indexOf('\0', start);
        if (end < 0) {
          end = text.length();
        }
        changed.put(tree.resolve(text.substring(start + 3, end)).normalize().toString(),
            new Entry(text.charAt(start), text.charAt(start + 1)));
        start = end + 1;
      }
    } catch (IOException e) {
      return Option.none();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Option.none();
    }
    return Option.some(changed);
  }
}
