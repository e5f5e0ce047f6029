package dev.parallelsessionlock.hook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.vavr.control.Option;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which shell commands rewrite a work tree or move HEAD, and where; a table of commands and verdicts. */
final class GitCommandsTest {

  @ParameterizedTest(name = "{0} -> {1} in {2}")
  @CsvSource(delimiter = '#', nullValues = "-", value = {
      "git checkout main                          # checkout    # -",
      "git checkout -- src/a.java                 # checkout    # -",
      "git switch -c feature origin/x             # switch      # -",
      "git checkout -b feature HEAD~2             # checkout    # -",
      "git reset --hard                           # reset       # -",
      "git reset --hard origin/main               # reset       # -",
      "git reset HEAD~1                           # reset       # -",
      "git reset --soft HEAD^                     # reset       # -",
      "git checkout-index -f -a                   # checkout-index # -",
      "git read-tree -u --reset HEAD              # read-tree   # -",
      "git apply fix.patch                        # apply       # -",
      "nice -n 10 git checkout main               # checkout    # -",
      "timeout -k 1 5 git checkout main           # checkout    # -",
      "env -i -C /w git checkout main             # checkout    # /w",
      "echo main | xargs -r git checkout          # checkout    # -",
      "stdbuf -oL -eL git stash                   # stash       # -",
      "sudo -u bob -- git merge x                 # merge       # -",
      "sh -c 'cd /w && git checkout main'         # checkout    # /w",
      "git log $(git checkout main)               # checkout    # -",
      "echo \"$(git stash)\" && ls              # stash       # -",
      "git stash                                  # stash       # -",
      "git stash pop                              # stash       # -",
      "git rebase main                            # rebase      # -",
      "git merge feature                          # merge       # -",
      "git pull --rebase                          # pull        # -",
      "git clean -fd                              # clean       # -",
      "git cherry-pick abc1234                    # cherry-pick # -",
      "git revert HEAD                            # revert      # -",
      "git am < fix.patch                         # am          # -",
      "git -C ../other checkout main              # checkout    # ../other",
      "cd /repo/sub && git checkout main          # checkout    # /repo/sub",
      "cd sub && git -C .. switch dev             # switch      # sub/..",
      "git --no-pager -c core.x=y checkout main   # checkout    # -",
      "GIT_TRACE=1 git checkout main              # checkout    # -",
      "env LANG=C git reset --hard                # reset       # -",
      "make && git checkout main 2>&1 | tail      # checkout    # -",
      "echo hi; git stash push -m wip             # stash       # -",
      "(cd /w && git merge x)                     # merge       # /w",
      "/usr/bin/git switch main                   # switch      # -",
      "git --work-tree=/w checkout .              # checkout    # /w",
      "'git' \"checkout\" main                    # checkout    # -"})
  void rewritingCommands_areFound_withTheirDirectory(String command, String subcommand, String directory) {
    Option<GitCommands.Rewrite> rewrite = GitCommands.rewrite(command.strip());

    assertThat(rewrite.isDefined()).as(command).isTrue();
    assertThat(rewrite.get().subcommand()).isEqualTo(subcommand);
    assertThat(rewrite.get().directory()).isEqualTo(Option.of(directory));
  }

  @ParameterizedTest(name = "{0} passes")
  @CsvSource(delimiter = '#', value = {
      "git status",
      "git log --oneline -5",
      "git diff HEAD",
      "git stash list",
      "git stash show -p",
      "git clean -n",
      "git clean -nd",
      "git clean --dry-run",
      "git reset",
      "git reset -- src/a.java",
      "git reset src/a.java",
      "git commit -m 'checkout the branch'",
      "git add -A && git commit -m merge",
      "echo git checkout main",
      "grep -r 'git reset --hard' docs",
      "mvn -q verify",
      "git branch -d old",
      "git checkout -b feature",
      "git switch -c feature",
      "git read-tree HEAD",
      "git apply --check fix.patch",
      "command -v git",
      "sudo -l git checkout main",
      "git restore src/a.java",
      "git fetch origin",
      "git push origin HEAD"})
  void otherCommands_pass(String command) {
    assertThat(GitCommands.rewrite(command.strip()).isDefined()).as(command).isFalse();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '#', value = {
      "git add -A                 # add    # [\u0000any]  # false # true  # true  # false",
      "git add -u src             # add    # [src]        # false # true  # false # false",
      "git add -- a.txt b.txt     # add    # [a.txt, b.txt] # false # true # true  # false",
      "git commit -m 'x y'        # commit # [\u0000any]  # false # false # false # true",
      "git commit -am wip         # commit # [\u0000any]  # false # true  # false # true",
      "git commit -amwip          # commit # [\u0000any]  # false # true  # false # true",
      "git commit a.txt -m x      # commit # [a.txt]      # false # true  # false # true",
      "git rm -rf --cached dir    # rm     # [dir]        # true  # false # false # false",
      "git mv a b                 # mv     # [a, b]       # true  # false # false # false",
      "git restore -s HEAD~ f     # restore # [f]         # true  # false # false # false",
      "xargs git rm               # rm     # [\u0000any]  # true  # false # false # false"})
  void fileCalls_nameTheirPaths_andWhatCounts(String command, String sub, String paths, boolean named,
      boolean worktree, boolean untracked, boolean staged) {
    java.util.List<GitCommands.Call> calls = GitCommands.calls(command.strip());

    assertThat(calls).as(command).hasSize(1);
    GitCommands.Call call = calls.get(0);
    assertThat(call.subcommand).isEqualTo(sub);
    assertThat(call.pathspecs.toString()).isEqualTo(paths);
    assertThat(new boolean[] {call.named, call.worktreeChanges, call.untracked, call.staged})
        .isEqualTo(new boolean[] {named, worktree, untracked, staged});
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '#', value = {"git add", "git add -n -A", "git commit --dry-run -a", "git rm -n x"})
  void fileCallsThatChangeNothing_areNone(String command) {
    assertThat(GitCommands.calls(command.strip())).as(command).isEmpty();
  }
}
