package dev.parallelsessionlock.hook.runtime;

import java.util.List;
import java.util.Set;

/**
 * Whether a shell command only reads, so it may pass the workspace lease (Codex has no read tool: every
 * {@code cat} is a shell call). Conservative by construction: a command reads only if it is a list of simple
 * commands joined by {@code |}, {@code &&}, {@code ||} or {@code ;}, each one a known reader with arguments that
 * cannot make it write or run something else; no redirection, no command or process substitution, no
 * backgrounding, no variable assignment, no here-document. Anything it cannot tell is mutating.
 *
 * <p>Readers: {@code cat head tail less more ls wc grep egrep fgrep rg pwd echo printf stat file du df tree
 * which type basename dirname realpath readlink cut tr nl od sort uniq diff cmp comm sha256sum sha1sum md5sum
 * date whoami id uname true false test [ cd jq}, {@code find} without {@code -exec -execdir -ok -okdir -delete
 * -fprint -fprint0 -fprintf -fls}, {@code sort} without {@code -o}, {@code uniq} with at most one file,
 * {@code rg} without {@code --pre}, and {@code git status|diff|log|show|blame|rev-parse|ls-files|ls-tree|
 * cat-file|describe|shortlog|grep} (with {@code -C DIR} and {@code --no-pager}; never {@code -c}, {@code
 * --output}, or a pager option), {@code git branch} only listing.
 */
public final class ShellCommands {

  private static final Set<String> READERS = Set.of(
      "cat", "head", "tail", "less", "more", "ls", "wc", "grep", "egrep", "fgrep", "rg", "pwd", "echo", "printf",
      "stat", "file", "du", "df", "tree", "which", "type", "basename", "dirname", "realpath", "readlink", "cut",
      "tr", "nl", "od", "sort", "uniq", "diff", "cmp", "comm", "sha256sum", "sha1sum", "md5sum", "date", "whoami",
      "id", "uname", "true", "false", "test", "[", "cd", "jq", "find", "git");

  private static final Set<String> GIT_READERS = Set.of(
      "status", "diff", "log", "show", "blame", "rev-parse", "ls-files", "ls-tree", "cat-file", "describe",
      "shortlog", "grep", "branch");

  private static final Set<String> FIND_ACTIONS = Set.of(
      "-exec", "-execdir", "-ok", "-okdir", "-delete", "-fprint", "-fprint0", "-fprintf", "-fls");

  private ShellCommands() {}

  /** {@code value} as one sh word: single quotes, and each {@code '} as {@code '\''}. */
  public static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }

  /** True only when {@code command} is plain ({@link ShellWords}) and every part of it is a known reader. */
  static boolean isReadOnly(String command) {
    ShellWords.Parsed parsed = ShellWords.parse(command);
    if (!parsed.plain() || parsed.commands().isEmpty()) {
      return false;
    }
    for (List<String> words : parsed.commands()) {
      if (words.isEmpty() || !readerCall(words)) {
        return false;
      }
    }
    return true;
  }

  private static boolean readerCall(List<String> words) {
    String program = words.get(0);
    if (!READERS.contains(program)) {
      return false;
    }
    List<String> args = words.subList(1, words.size());
    switch (program) {
      case "find":
        for (String arg : args) {
          if (FIND_ACTIONS.contains(arg)) {
            return false;
          }
        }
        return true;
      case "sort":
        for (String arg : args) {
          if (arg.startsWith("-o") || arg.startsWith("--output")) {
            return false;
          }
        }
        return true;
      case "uniq":
        return positional(args) <= 1;
      case "rg":
        for (String arg : args) {
          if (arg.startsWith("--pre")) {
            return false;
          }
        }
        return true;
      case "git":
        return gitReader(args);
      default:
        return true;
    }
  }

  private static int positional(List<String> args) {
    int count = 0;
    for (String arg : args) {
      if (!arg.startsWith("-")) {
        count++;
      }
    }
    return count;
  }

  private static boolean gitReader(List<String> args) {
    int i = 0;
    while (i < args.size()) {
      String arg = args.get(i);
      if (arg.equals("-C") && i + 1 < args.size()) {
        i += 2;
      } else if (arg.equals("--no-pager") || arg.equals("-P")) {
        i++;
      } else {
        break;
      }
    }
    if (i >= args.size() || !GIT_READERS.contains(args.get(i))) {
      return false;
    }
    String sub = args.get(i);
    List<String> rest = args.subList(i + 1, args.size());
    for (String arg : rest) {
      if (arg.startsWith("--output") || arg.equals("-O") || arg.startsWith("--open-files-in-pager")
          || arg.startsWith("--ext-diff") || arg.startsWith("--textconv")) {
        return false;
      }
    }
    if (sub.equals("branch")) {
      for (String arg : rest) {
        boolean listing = arg.equals("--list") || arg.equals("-a") || arg.equals("--all") || arg.equals("-r")
            || arg.equals("--remotes") || arg.equals("-v") || arg.equals("-vv") || arg.equals("--show-current");
        if (!listing) {
          return false;
        }
      }
    }
    return true;
  }
}
