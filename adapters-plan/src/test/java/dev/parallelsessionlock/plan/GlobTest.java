package dev.parallelsessionlock.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class GlobTest {

  private static Glob glob(String pattern) {
    return Glob.parse(pattern).get();
  }

  @ParameterizedTest(name = "{0} vs {1}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "src/**/*.ts     | src/api/*             | src/api/a.ts",
      "src/*.ts        | src/*/*.ts            | -",
      "docs/           | docs/**/README.md     | docs/README.md",
      "{a,b}/x.java    | b/*                   | b/x.java",
      "{a,b}/x.java    | c/*                   | -",
      "src/[ab]*.c     | src/b?.c              | src/b0.c",
      "v1.{txt,md}     | *.md                  | v1.md",
      "src/[!a]*.c     | src/a*.c              | -",
      "**              | deep/down/here.txt    | deep/down/here.txt",
      "src/**          | src                   | -",
      "./lib/*.jar     | lib/x.jar             | lib/x.jar",
      "a/**/b          | a/b                   | a/b",
      "a/**/b          | a/x/y/b               | a/x/y/b",
      "*.md            | docs/*.md             | -"})
  void overlap_isExact_andTheExampleMatchesBoth(String first, String second, String example) {
    Glob a = glob(first);
    Glob b = glob(second);

    assertThat(a.overlaps(b)).isEqualTo(example != null);
    assertThat(a.commonExample(b).getOrNull()).isEqualTo(example);
    if (example != null) {
      assertThat(ReferenceGlob.matches(first, example)).isTrue();
      assertThat(ReferenceGlob.matches(second, example)).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "/etc/passwd     | is absolute",
      "src/../etc      | leaves the repository",
      "src/[ab         | '[' is not closed",
      "src/{a,b        | '{' is not closed",
      "src/a}          | unexpected '}'",
      "src/[z-a]       | backwards"})
  void badPatterns_sayWhatIsWrong(String pattern, String problem) {
    assertThat(Glob.parse(pattern).getLeft()).contains(problem);
  }

  /**
   * The oracle agrees with the JDK's glob where their rules agree: not for a '**&#47;' matching zero folders, a
   * trailing '/', nested braces, or '**' inside a segment (the JDK crosses folders there; here, as in gitignore,
   * only a whole '**' segment does).
   */
  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource(delimiter = '|', value = {
      "*.java | A.java", "*.java | src/A.java", "src/*/A.java | src/x/A.java", "src/**/A.java | src/x/y/A.java",
      "src/?.c | src/a.c", "src/?.c | src/ab.c", "src/[a-c].c | src/b.c", "src/[!a-c].c | src/d.c",
      "src/[!a-c].c | src/b.c", "{src,lib}/*.c | lib/x.c", "{src,lib}/*.c | bin/x.c",
      "a\\*b | a*b", "a\\*b | axb", "**/*.md | a/b/c.md"})
  void theOracle_agreesWithTheJdk_whereTheRulesAgree(String pattern, String path) {
    PathMatcher jdk = FileSystems.getDefault().getPathMatcher("glob:" + pattern);

    assertThat(ReferenceGlob.matches(pattern, path)).isEqualTo(jdk.matches(Path.of(path)));
    assertThat(glob(pattern).matches(path)).isEqualTo(jdk.matches(Path.of(path)));
  }
}
