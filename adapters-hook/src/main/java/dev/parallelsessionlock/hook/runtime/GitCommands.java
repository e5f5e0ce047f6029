package dev.parallelsessionlock.hook.runtime;

import io.vavr.control.Option;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The git calls in a shell command that change what another session is editing, for the files-mode guard.
 *
 * <ul>
 *   <li><b>Tree rewriters</b> ({@link Call#tree}): {@code checkout switch stash rebase merge pull clean cherry-pick
 *       revert am apply checkout-index}, {@code read-tree -u}, and {@code reset} that moves HEAD or rewrites files
 *       ({@code --hard --keep --merge --soft --mixed}, or a commit such as {@code HEAD~1}). Refused while another
 *       live session holds files in that work tree. {@code checkout -b NEW} and {@code switch -c NEW} without a
 *       start point pass (no file changes); read-only forms pass ({@code stash list|show}, {@code clean -n}).</li>
 *   <li><b>File calls</b>: {@code add}, {@code commit}, {@code rm}, {@code mv}, {@code restore} and {@code checkout
 *       -- PATHS} touch named files or the files under pathspecs; they are refused only when a file another live
 *       session holds is among them: for {@code rm mv restore checkout --} any such file, for {@code add} and
 *       {@code commit} such a file with changes git would take (worktree changes for {@code add}, staged ones for
 *       {@code commit}, both for {@code commit -a}). So a session commits its own files, and nobody commits
 *       another's half-done work.</li>
 * </ul>
 *
 * <p>Commands are found in every part of a list, pipeline or substitution ({@link ShellWords}), after {@code cd
 * DIR}, {@code git -C DIR}, assignments, and wrappers with their options: {@code env nice ionice timeout stdbuf
 * nohup setsid chrt taskset time command exec builtin sudo doas xargs flock}, {@code sh|bash|zsh|dash|ksh -c
 * 'STRING'} and {@code eval} (read again as shell). Arguments {@code xargs} adds, and those a substitution
 * produces, are unknown: they count as every path.
 *
 * <p>What it cannot see: a script, alias or function that runs git ({@code make deploy}, {@code g co}), a git alias
 * ({@code git co}), git run by another interpreter ({@code python -c}), a command in a variable ({@code $GIT
 * checkout}), and work trees changed by other tools ({@code rsync}, {@code patch}). The README says so.
 */
final class GitCommands {

  /** Stands for paths that cannot be known before the command runs ({@code xargs}, substitutions). */
  static final String ANY_PATH = "\u0000any";

  /**
   * One git call of interest.
   *
   * @param subcommand git's subcommand, as typed
   * @param directory the directory it runs in, when the command names one ({@code cd}, {@code -C}, {@code env -C})
   * @param tree whether it rewrites the whole work tree (else it touches {@link #pathspecs})
   * @param pathspecs the paths it names, relative to {@code directory}; {@link #ANY_PATH} for the whole tree or
   *     when unknown
   * @param named whether every held file under the pathspecs counts, changed or not (rm, mv, restore)
   * @param worktreeChanges whether held files under the pathspecs with worktree changes count (add, commit -a)
   * @param untracked whether untracked held files count too (add without -u)
   * @param staged whether held files with staged changes anywhere count (commit)
   */
  static final class Call {
    final String subcommand;
    final Option<String> directory;
    final boolean tree;
    final List<String> pathspecs;
    final boolean named;
    final boolean worktreeChanges;
    final boolean untracked;
    final boolean staged;
    /** Whether it moves the checked-out branch to other work (merge, pull, rebase, reset to a commit, amend). */
    boolean movesBranch;

    Call(String subcommand, Option<String> directory, boolean tree, List<String> pathspecs, boolean named,
        boolean worktreeChanges, boolean untracked, boolean staged) {
      this.subcommand = subcommand;
      this.directory = directory;
      this.tree = tree;
      this.pathspecs = pathspecs;
      this.named = named;
      this.worktreeChanges = worktreeChanges;
      this.untracked = untracked;
      this.staged = staged;
    }

    /** Whether it needs git to tell which held files have changes. */
    boolean needsStatus() {
      return !tree && !named;
    }

    @Override
    public String toString() {
      return "git " + subcommand + (tree ? " (tree)" : " " + pathspecs) + " in " + directory.getOrElse(".");
    }
  }

  /** Kept for the table tests and callers that only ask about tree rewrites. */
  record Rewrite(String subcommand, Option<String> directory) {}

  private static final Set<String> REWRITERS = Set.of(
      "checkout", "switch", "stash", "rebase", "merge", "pull", "clean", "cherry-pick", "revert", "am",
      "reset", "apply", "checkout-index", "read-tree");
  private static final Set<String> FILE_CALLS = Set.of("add", "commit", "rm", "mv", "restore");
  /** Global options of git that take a separate value. */
  private static final Set<String> GLOBAL_WITH_VALUE = Set.of(
      "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env", "--super-prefix");
  private static final Set<String> SHELLS = Set.of("sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "busybox");

  private GitCommands() {}

  /** The first tree rewrite in {@code command}, if any. */
  static Option<Rewrite> rewrite(String command) {
    for (Call call : calls(command)) {
      if (call.tree) {
        return Option.some(new Rewrite(call.subcommand, call.directory));
      }
    }
    return Option.none();
  }

  /** Every git call in {@code command} that rewrites a tree or touches files, in order. */
  static List<Call> calls(String command) {
    List<Call> calls = new ArrayList<>();
    collect(command, calls, 0);
    return calls;
  }

  private static void collect(String command, List<Call> calls, int depth) {
    if (depth > 4) {
      return;
    }
    Option<String> cd = Option.none();
    for (List<String> words : ShellWords.parse(command).commands()) {
      Invocation run = unwrap(words, depth);
      if (run.inner != null) {
        collect(run.inner, calls, depth + 1);
        continue;
      }
      if (run.program < 0) {
        continue;
      }
      String program = words.get(run.program);
      if (program.equals("cd") || program.equals("pushd")) {
        cd = run.program + 1 < words.size() ? Option.some(words.get(run.program + 1)) : Option.none();
        continue;
      }
      if (!program.equals("git") && !program.endsWith("/git")) {
        continue;
      }
      Option<String> dir = join(cd, run.directory);
      int j = run.program + 1;
      while (j < words.size() && words.get(j).startsWith("-")) {
        String option = words.get(j);
        if (option.equals("-C") && j + 1 < words.size()) {
          dir = join(dir, Option.some(words.get(j + 1)));
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
      if (j >= words.size()) {
        continue;
      }
      String sub = words.get(j);
      List<String> args = new ArrayList<>(words.subList(j + 1, words.size()));
      if (run.moreArguments) {
        args.add(ANY_PATH);
      }
      Call call = classify(sub, args, dir);
      if (call != null) {
        calls.add(call);
      }
    }
  }

  private static Option<String> join(Option<String> base, Option<String> next) {
    if (next.isEmpty()) {
      return base;
    }
    return Option.some(base.isDefined() && !next.get().startsWith("/") ? base.get() + "/" + next.get() : next.get());
  }

  /** Where the program of a simple command starts, past assignments and wrappers. */
  private static final class Invocation {
    /** The index of the program word, or -1 when the command runs nothing (a lookup, a bare wrapper). */
    int program = -1;
    /** A directory a wrapper changes to ({@code env -C}). */
    Option<String> directory = Option.none();
    /** Whether the program gets arguments that are not on the command line ({@code xargs}). */
    boolean moreArguments;
    /** A command line to read again ({@code sh -c STRING}, {@code eval ...}, {@code env -S STRING}). */
    String inner;
  }

  private static Invocation unwrap(List<String> words, int depth) {
    Invocation run = new Invocation();
    int i = 0;
    int n = words.size();
    while (i < n) {
      String word = words.get(i);
      if (isAssignment(word)) {
        i++;
        continue;
      }
      String name = word.substring(word.lastIndexOf('/') + 1);
      switch (name) {
        case "nohup":
        case "builtin":
        case "time":
        case "command":
        case "exec":
        case "nice":
        case "ionice":
        case "stdbuf":
        case "setsid":
        case "sudo":
        case "doas":
        case "taskset":
        case "env":
        case "timeout":
        case "chrt":
        case "flock":
        case "xargs":
          break;
        case "eval":
          run.inner = String.join(" ", words.subList(i + 1, n));
          return run;
        default:
          if (SHELLS.contains(name)) {
            int c = shellCommandString(words, i + 1);
            if (c > 0) {
              run.inner = words.get(c);
              return run;
            }
          }
          run.program = i;
          return run;
      }
      i++;
      // The wrapper's own options, then (for some) its operands, then the command.
      while (i < n && words.get(i).startsWith("-") && !(words.get(i).equals("-") && !name.equals("env"))) {
        String option = words.get(i);
        if (option.equals("--")) {
          i++;
          break;
        }
        if ((name.equals("command") && (option.equals("-v") || option.equals("-V")))
            || (name.equals("sudo") && (option.equals("-l") || option.equals("-v") || option.equals("-k")
                || option.equals("-K") || option.equals("-e")))
            || ((name.equals("chrt") || name.equals("taskset") || name.equals("ionice")) && option.startsWith("-p"))) {
          return run; // a lookup, a listing, an edit of sudoers, another process: runs no command here
        }
        if (name.equals("env") && (option.equals("-C") || option.startsWith("--chdir"))) {
          String dir = option.startsWith("--chdir=") ? option.substring(8) : i + 1 < n ? words.get(i + 1) : "";
          run.directory = join(run.directory, Option.some(dir));
          i += option.startsWith("--chdir=") ? 1 : 2;
          continue;
        }
        if (name.equals("env") && (option.equals("-S") || option.startsWith("--split-string"))) {
          String rest = option.startsWith("--split-string=") ? option.substring(15)
              : i + 1 < n ? words.get(i + 1) : "";
          int after = option.startsWith("--split-string=") ? i + 1 : i + 2;
          run.inner = rest + " " + String.join(" ", words.subList(Math.min(after, n), n));
          return run;
        }
        if ((name.equals("flock") && (option.equals("-c") || option.equals("--command")))) {
          run.inner = i + 1 < n ? words.get(i + 1) : "";
          return run;
        }
        if (name.equals("xargs")) {
          run.moreArguments = true;
        }
        i += takesValue(name, option) && option.indexOf('=') < 0 && i + 1 < n ? 2 : 1;
      }
      if (name.equals("xargs")) {
        run.moreArguments = true;
      }
      // Operands before the command.
      if (name.equals("timeout") || name.equals("chrt") || name.equals("taskset") || name.equals("flock")) {
        i++; // the duration, priority, cpu mask, lock file
      }
      if (name.equals("flock") && i < n && (words.get(i).equals("-c") || words.get(i).equals("--command"))) {
        run.inner = i + 1 < n ? words.get(i + 1) : "";
        return run;
      }
      if (name.equals("nice") && i < n && isNumber(words.get(i))) {
        i++;
      }
    }
    return run;
  }

  /** Whether a wrapper's option takes the next word as its value (the option given alone, not glued). */
  private static boolean takesValue(String wrapper, String option) {
    if (option.startsWith("--")) {
      switch (wrapper) {
        case "timeout":
          return option.equals("--signal") || option.equals("--kill-after");
        case "env":
          return option.equals("--unset");
        case "time":
          return option.equals("--format") || option.equals("--output");
        case "sudo":
          return option.equals("--user") || option.equals("--group") || option.equals("--prompt")
              || option.equals("--close-from") || option.equals("--chdir") || option.equals("--role")
              || option.equals("--type") || option.equals("--other-user") || option.equals("--host")
              || option.equals("--command-timeout");
        case "xargs":
          return option.equals("--arg-file") || option.equals("--delimiter") || option.equals("--max-args")
              || option.equals("--max-lines") || option.equals("--max-procs") || option.equals("--max-chars")
              || option.equals("--eof") || option.equals("--replace") || option.equals("--process-slot-var");
        case "ionice":
          return option.equals("--class") || option.equals("--classdata");
        case "nice":
          return option.equals("--adjustment");
        case "stdbuf":
          return option.equals("--input") || option.equals("--output") || option.equals("--error");
        case "chrt":
          return option.equals("--sched-runtime") || option.equals("--sched-deadline")
              || option.equals("--sched-period");
        case "flock":
          return option.equals("--timeout") || option.equals("--conflict-exit-code") || option.equals("--wait");
        default:
          return false;
      }
    }
    if (option.length() != 2) {
      return false; // glued: -n10, -oL, -u1000
    }
    char flag = option.charAt(1);
    switch (wrapper) {
      case "timeout":
        return flag == 's' || flag == 'k';
      case "env":
        return flag == 'u';
      case "nice":
        return flag == 'n';
      case "ionice":
        return flag == 'c' || flag == 'n';
      case "stdbuf":
        return flag == 'i' || flag == 'o' || flag == 'e';
      case "time":
        return flag == 'f' || flag == 'o';
      case "exec":
        return flag == 'a';
      case "sudo":
        return flag == 'u' || flag == 'g' || flag == 'p' || flag == 'C' || flag == 'D' || flag == 'r'
            || flag == 't' || flag == 'U' || flag == 'h' || flag == 'T' || flag == 'R';
      case "doas":
        return flag == 'u' || flag == 'C';
      case "xargs":
        return flag == 'I' || flag == 'L' || flag == 'n' || flag == 'P' || flag == 's' || flag == 'd'
            || flag == 'E' || flag == 'a';
      case "chrt":
        return flag == 'T' || flag == 'P' || flag == 'D';
      case "flock":
        return flag == 'w' || flag == 'E';
      default:
        return false;
    }
  }

  /** The index of the command string of {@code sh -c STRING} (also {@code bash -lc}), or -1. */
  private static int shellCommandString(List<String> words, int from) {
    for (int i = from; i < words.size(); i++) {
      String word = words.get(i);
      if (!word.startsWith("-") || word.startsWith("--")) {
        if (word.equals("--") || word.startsWith("--")) {
          continue;
        }
        return -1;
      }
      if (word.indexOf('c') > 0) {
        return i + 1 < words.size() ? i + 1 : -1;
      }
    }
    return -1;
  }

  private static boolean isNumber(String word) {
    int start = word.startsWith("-") || word.startsWith("+") ? 1 : 0;
    if (word.length() <= start) {
      return false;
    }
    for (int k = start; k < word.length(); k++) {
      if (!Character.isDigit(word.charAt(k))) {
        return false;
      }
    }
    return true;
  }

  /** The call {@code git sub args} makes, or null when it changes nothing another session edits. */
  private static Call classify(String sub, List<String> args, Option<String> dir) {
    if (REWRITERS.contains(sub)) {
      if (!rewrites(sub, args)) {
        return null;
      }
      Call call = new Call(sub, dir, true, List.of(), false, false, false, false);
      call.movesBranch = ((sub.equals("merge") || sub.equals("pull") || sub.equals("rebase"))
          && !args.contains("--abort") && !args.contains("--quit")) || (sub.equals("reset") && namesCommit(args));
      return call;
    }
    if (!FILE_CALLS.contains(sub)) {
      return null;
    }
    switch (sub) {
      case "add":
        return add(args, dir);
      case "commit":
        Call commit = commit(args, dir);
        if (commit != null && args.contains("--amend")) {
          commit.movesBranch = true;
        }
        return commit;
      default: // rm, mv, restore
        return named(sub, args, dir);
    }
  }

  private static Call add(List<String> args, Option<String> dir) {
    PathArgs parsed = PathArgs.of("add", args);
    if (parsed == null) {
      return null;
    }
    List<String> paths = parsed.paths;
    if (paths.isEmpty()) {
      if (!parsed.all && !parsed.update) {
        return null; // "Nothing specified, nothing added."
      }
      paths.add(ANY_PATH); // -A and -u without a pathspec: the whole tree, wherever it runs
    }
    return new Call("add", dir, false, paths, false, true, !parsed.update, false);
  }

  /**
   * The pathspecs of {@code git add}, {@code rm}, {@code mv} or {@code restore} and the options of add that matter;
   * the one walk over their words (commit's options differ too much to share it).
   */
  private static final class PathArgs {
    final List<String> paths = new ArrayList<>();
    boolean all;
    boolean update;

    /** The words of {@code sub} after it, read; null for a dry run ({@code -n}, {@code --dry-run}). */
    static PathArgs of(String sub, List<String> args) {
      PathArgs parsed = new PathArgs();
      boolean options = true;
      for (int k = 0; k < args.size(); k++) {
        String arg = args.get(k);
        if (options && arg.equals("--")) {
          options = false;
        } else if (options && arg.startsWith("-") && !arg.equals(ANY_PATH)) {
          if (arg.equals("-n") || arg.equals("--dry-run")) {
            return null;
          }
          if (arg.startsWith("--pathspec-from-file")) {
            parsed.paths.add(ANY_PATH);
          } else if (sub.equals("add")) {
            parsed.addOption(arg);
          } else if (sub.equals("restore") && (arg.equals("-s") || arg.equals("--source"))) {
            k++; // the value is the next word
          }
        } else {
          parsed.paths.add(arg);
        }
      }
      return parsed;
    }

    private void addOption(String arg) {
      if (arg.equals("-A") || arg.equals("--all") || arg.equals("--no-ignore-removal")) {
        all = true;
      } else if (arg.equals("-u") || arg.equals("--update")) {
        update = true;
      } else if (arg.equals("-p") || arg.equals("--patch") || arg.equals("-i") || arg.equals("--interactive")) {
        paths.add(ANY_PATH);
      } else if (!arg.startsWith("--") && arg.length() > 2) {
        all |= arg.indexOf('A') > 0;
        update |= arg.indexOf('u') > 0;
      }
    }
  }

  private static Call commit(List<String> args, Option<String> dir) {
    List<String> paths = new ArrayList<>();
    boolean all = false;
    boolean include = false;
    boolean options = true;
    for (int k = 0; k < args.size(); k++) {
      String arg = args.get(k);
      if (options && arg.equals("--")) {
        options = false;
      } else if (options && arg.startsWith("--") && !arg.equals(ANY_PATH)) {
        if (arg.equals("--dry-run")) {
          return null;
        }
        all |= arg.equals("--all");
        include |= arg.equals("--include");
        if (arg.equals("--patch") || arg.equals("--interactive") || arg.startsWith("--pathspec-from-file")) {
          paths.add(ANY_PATH);
        }
        if (arg.indexOf('=') < 0 && (arg.equals("--message") || arg.equals("--file") || arg.equals("--author")
            || arg.equals("--date") || arg.equals("--template") || arg.equals("--reuse-message")
            || arg.equals("--reedit-message") || arg.equals("--fixup") || arg.equals("--squash")
            || arg.equals("--cleanup") || arg.equals("--trailer"))) {
          k++;
        }
      } else if (options && arg.startsWith("-") && arg.length() > 1 && !arg.equals(ANY_PATH)) {
        // A cluster of short options: -am MSG, -amMSG, -a -m MSG.
        for (int c = 1; c < arg.length(); c++) {
          char flag = arg.charAt(c);
          if (flag == 'a') {
            all = true;
          } else if (flag == 'i') {
            include = true;
          } else if (flag == 'p') {
            paths.add(ANY_PATH);
          } else if (flag == 'm' || flag == 'F' || flag == 'C' || flag == 'c' || flag == 't') {
            if (c == arg.length() - 1) {
              k++; // the value is the next word
            }
            break;
          }
        }
      } else {
        paths.add(arg);
      }
    }
    if (paths.isEmpty()) {
      // What is staged anywhere in the tree (and, with -a, every tracked change).
      return new Call("commit", dir, false, List.of(ANY_PATH), false, all, false, true);
    }
    if (include || all) {
      paths.add(ANY_PATH); // -i: the index too
    }
    return new Call("commit", dir, false, paths, false, true, false, true);
  }

  private static Call named(String sub, List<String> args, Option<String> dir) {
    PathArgs parsed = PathArgs.of(sub, args);
    return parsed == null || parsed.paths.isEmpty() ? null
        : new Call(sub, dir, false, parsed.paths, true, false, false, false);
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
      case "checkout":
      case "switch":
        return !newBranchHere(sub, args);
      case "read-tree":
        for (String arg : args) {
          if (arg.equals("-u") || arg.equals(ANY_PATH)) {
            return true;
          }
        }
        return false;
      case "apply":
        for (String arg : args) {
          if (arg.equals("--check") || arg.equals("--stat") || arg.equals("--numstat") || arg.equals("--summary")) {
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
              || arg.equals("--mixed") || arg.equals(ANY_PATH)) {
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

  /** Whether {@code reset}'s arguments name a commit to move to (else it resets to HEAD and moves nothing). */
  private static boolean namesCommit(List<String> args) {
    for (String arg : args) {
      if (arg.equals("--")) {
        return false;
      }
      if (!arg.startsWith("-")) {
        return !arg.equals("HEAD") && !arg.equals("@");
      }
    }
    return false;
  }

  /**
   * {@code checkout -b NEW} / {@code switch -c NEW} (also {@code -B}, {@code -C}, {@code --orphan}) with no start
   * point: a new branch at HEAD, no file changes.
   */
  private static boolean newBranchHere(String sub, List<String> args) {
    boolean creates = false;
    int operands = 0;
    for (int k = 0; k < args.size(); k++) {
      String arg = args.get(k);
      if (arg.equals("-b") || arg.equals("-B") || arg.equals("-c") || arg.equals("-C") || arg.equals("--create")
          || arg.equals("--force-create")) {
        creates = true;
        k++; // the new branch's name
      } else if (arg.equals("--orphan")) {
        return false; // empties the index and the tree on the next commit
      } else if (arg.equals(ANY_PATH) || arg.equals("--") || arg.indexOf(ShellWords.SUBSTITUTION) >= 0) {
        return false;
      } else if (arg.equals("-q") || arg.equals("--quiet") || arg.equals("--track") || arg.equals("-t")
          || arg.equals("--no-track")) {
        continue;
      } else {
        operands++;
      }
    }
    return creates && operands == 0;
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

  static boolean isAssignment(String word) {
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
}
