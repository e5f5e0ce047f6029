package dev.parallelsessionlock.hook;

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
      "git switch -c feature                      # switch      # -",
      "git reset --hard                           # reset       # -",
      "git reset --hard origin/main               # reset       # -",
      "git reset HEAD~1                           # reset       # -",
      "git reset --soft HEAD^                     # reset       # -",
      "git restore src/a.java                     # restore     # -",
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
      "git fetch origin",
      "git push origin HEAD"})
  void otherCommands_pass(String command) {
    assertThat(GitCommands.rewrite(command.strip()).isDefined()).as(command).isFalse();
  }
}
