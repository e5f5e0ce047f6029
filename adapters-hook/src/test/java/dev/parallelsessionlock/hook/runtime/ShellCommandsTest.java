package dev.parallelsessionlock.hook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which shell commands only read (they pass the workspace lease) and which may write: a table. */
final class ShellCommandsTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '#', quoteCharacter = '`', value = {
      "cat README.md # read",
      "cat a.txt | grep -n foo | head -20 # read",
      "ls -la src/ # read",
      "wc -l *.java # read",
      "rg 'TODO|FIXME' src # read",
      "grep -rn \"class Foo\" . # read",
      "find . -name '*.java' -type f # read",
      "git status # read",
      "git -C /repo diff --stat HEAD~1 # read",
      "git --no-pager log --oneline -5 # read",
      "git show HEAD:README.md # read",
      "git blame -L 1,20 Main.java # read",
      "git branch -a # read",
      "cd /repo && cat a.txt # read",
      "head -5 a; tail -5 b # read",
      "sort -u names.txt # read",
      "echo hello # read",
      "echo by B > c.txt # write",
      "cat a >> b # write",
      "cat < in.txt # write",
      "rm -rf build # write",
      "git checkout main # write",
      "git commit -am wip # write",
      "git branch -D old # write",
      "git -c core.pager=evil log # write",
      "git diff --output=patch.diff # write",
      "git grep -O vim foo # write",
      "find . -name '*.tmp' -delete # write",
      "find . -exec rm {} ; # write",
      "sort -o out.txt in.txt # write",
      "uniq in.txt out.txt # write",
      "rg --pre ./evil.sh foo # write",
      "cat $(ls) # write",
      "cat `ls` # write",
      "echo \"$(rm -rf x)\" # write",
      "ls & rm x # write",
      "ls && touch x # write",
      "FOO=1 cat a # write",
      "sed -n 1p a.txt # write",
      "awk '{print}' a.txt # write",
      "python3 -c 'print(1)' # write",
      "(cat a) # write",
      "cat 'unterminated # write",
      "cat a | # write",
      "npm test # write",
  })
  void isReadOnly_table(String command, String verdict) {
    assertThat(ShellCommands.isReadOnly(command.trim())).isEqualTo(verdict.equals("read"));
  }
}
