package dev.parallelsessionlock.hook;

import io.vavr.control.Option;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Whether a shell command rewrites a git work tree or moves its HEAD: {@code git checkout switch restore stash
 * rebase merge pull clean cherry-pick revert am}, and {@code reset} that moves HEAD or rewrites files
 * ({@code --hard --keep --merge --soft}, or a commit such as {@code HEAD~1} or {@code origin/main}); in any part of
 * a list or pipeline, after {@code cd DIR &&}, with {@code git -C DIR}, environment assignments and wrappers such
 * as {@code env}, {@code command}, {@code sudo}. Read-only forms pass: {@code stash list|show}, {@code clean -n}.
 *
 * <p>What it cannot see: a script or alias that runs git ({@code make deploy}, {@code g co}), git run through
 * {@code eval} or another interpreter, a work tree changed by other tools ({@code rsync}, {@code patch}). The
 * README says so.
 */
final class GitCommands {

  /** A command that rewrites a work tree: the git subcommand and the directory it runs in, when it names one. */
  record Rewrite(String subcommand, Option<String> directory) {}

  private static final Set<String> REWRITERS = Set.of(
      "checkout", "switch", "restore", "stash", "rebase", "merge", "pull", "clean", "cherry-pick", "revert", "am",
      "reset");
  private static final Set<String> WRAPPERS = Set.of("env", "command", "exec", "sudo", "nohup", "time", "builtin");
  /** Global options of git that take a separate value. */
  private static final Set<String> GLOBAL_WITH_VALUE = Set.of(
      "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env");

  private GitCommands() {}

  /** The first part of {@code command} that rewrites a work tree, if any. */
  static Option<Rewrite> rewrite(String command) {
    Option<String> cd = Option.none();
    for (List<String> words : parts(command)) {
      int i = 0;
      while (i < words.size() && (isAssignment(words.get(i)) || WRAPPERS.contains(words.get(i)))) {
        i++;
      }
      if (i >= words.size()) {
        continue;
      }
      String program = words.get(i);
      if (program.equals("cd") || program.equals("pushd")) {
        cd = i + 1 < words.size() ? Option.some(words.get(i + 1)) : Option.none();
        continue;
      }
      if (!program.equals("git") && !program.endsWith("/git")) {
        continue;
      }
      Option<String> dir = cd;
      int j = i + 1;
      while (j < words.size() && words.get(j).startsWith("-")) {
        String option = words.get(j);
        if (option.equals("-C") && j + 1 < words.size()) {
          String target = words.get(j + 1);
          dir = Option.some(dir.isDefined() && !target.startsWith("/") ? dir.get() + "/" + target : target);
          j += 2;
        } else if (GLOBAL_WITH_VALUE.contains(option)) {
          j += 2;
        } else if (option.startsWith("--work-tree=")) {
          dir = Option.some(option.substring("--work-tree=".length()));
          j++;
        } else {
          j++;
        }
      }
      if (j >= words.size() || !REWRITERS.contains(words.get(j))) {
        continue;
      }
      String sub = words.get(j);
      if (rewrites(sub, words.subList(j + 1, words.size()))) {
        return Option.some(new Rewrite(sub, dir));
      }
    }
    return Option.none();
  }

  private static boolean rewrites(String sub, List<String> args) {
    switch (sub) {
      case "stash":
        return args.isEmpty() || !(args.get(0).equals("list") || args.get(0).equals("show"));
      case "clean":
        for (String arg : args) {
          if (arg.equals("-n") || arg.equals("--dry-run") || (arg.startsWith("-") && !arg.startsWith("--")
              && arg.indexOf('n') > 0)) {
            return false;
          }
        }
        return true;
      case "reset":
        for (String arg : args) {
          if (arg.equals("--")) {
            return false; // paths: it unstages, the work tree stays
          }
          if (arg.equals("--hard") || arg.equals("--keep") || arg.equals("--merge") || arg.equals("--soft")
              || arg.equals("--mixed")) {
            return true;
          }
          if (!arg.startsWith("-")) {
            return arg.startsWith("HEAD") || arg.startsWith("@") || arg.startsWith("ORIG_HEAD")
                || arg.startsWith("origin/") || arg.startsWith("upstream/") || arg.indexOf('~') >= 0
                || arg.indexOf('^') >= 0 || isHex(arg);
          }
        }
        return false;
      default:
        return true;
    }
  }

  private static boolean isHex(String word) {
    if (word.length() < 7 || word.length() > 40) {
      return false;
    }
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAssignment(String word) {
    int equals = word.indexOf('=');
    if (equals <= 0) {
      return false;
    }
    for (int i = 0; i < equals; i++) {
      char c = word.charAt(i);
      if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (i > 0 && c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The simple commands of {@code command} as words, forgivingly: quotes are removed, list and pipe operators,
   * newlines, subshell and group brackets separate commands, redirections are dropped. Unlike
   * {@link ShellCommands#split} it never gives up, since here a miss means a collision, not a denial.
   */
  static List<List<String>> parts(String command) {
    List<List<String>> parts = new ArrayList<>();
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    int n = command.length();
    for (int i = 0; i < n; i++) {
      char c = command.charAt(i);
      if (c == '\'' || c == '"') {
        int end = command.indexOf(c, i + 1);
        if (end < 0) {
          end = n;
        }
        word.append(command, i + 1, end);
        inWord = true;
        i = end;
      } else if (c == '\\' && i + 1 < n) {
        word.append(command.charAt(++i));
        inWord = true;
      } else if (c == ' ' || c == '\t') {
        inWord = endWord(words, word, inWord);
      } else if (c == ';' || c == '|' || c == '&' || c == '\n' || c == '\r' || c == '(' || c == ')' || c == '{'
          || c == '}' || c == '`') {
        if (c == '&' && inWord && word.length() > 0 && word.charAt(word.length() - 1) == '>') {
          word.append(c); // 2>&1
          continue;
        }
        inWord = endWord(words, word, inWord);
        if (!words.isEmpty()) {
          parts.add(words);
          words = new ArrayList<>();
        }
      } else if (c == '$' && i + 1 < n && command.charAt(i + 1) == '(') {
        inWord = endWord(words, word, inWord);
        if (!words.isEmpty()) {
          parts.add(words);
          words = new ArrayList<>();
        }
        i++;
      } else {
        word.append(c);
        inWord = true;
      }
    }
    endWord(words, word, inWord);
    if (!words.isEmpty()) {
      parts.add(words);
    }
    return parts;
  }

  private static boolean endWord(List<String> words, StringBuilder word, boolean inWord) {
    if (inWord) {
      String text = word.toString();
      boolean redirection = text.indexOf('>') >= 0 || text.indexOf('<') >= 0;
      if (!redirection) {
        words.add(text);
      } else if (text.endsWith(">") || text.endsWith("<")) {
        words.add("\u0000redirect"); // its target follows as the next word: dropped below
      }
      word.setLength(0);
    }
    if (!words.isEmpty() && words.size() >= 2 && words.get(words.size() - 2).equals("\u0000redirect")) {
      words.remove(words.size() - 1);
      words.remove(words.size() - 1);
    }
    return false;
  }
}
