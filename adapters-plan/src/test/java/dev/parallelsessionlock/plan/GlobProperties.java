package dev.parallelsessionlock.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dk.brics.automaton.Automaton;
import dk.brics.automaton.BasicAutomata;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The overlap check against brute force: for random small globs over a small alphabet, the automata agree with
 * the backtracking oracle on every path of up to five characters over {@code a b . /}, two globs have a common
 * path among those exactly when the intersection of their automata has one, and every example the checker
 * reports matches both globs by the oracle.
 */
final class GlobProperties {

  private static final List<String> TOKENS = List.of("a", "b", ".", "ab", "*", "?", "**", "[ab]", "[!a]", "{a,b}",
      "{a,b/a}", "/", "/", "**/");
  private static final char[] ALPHABET = {'a', 'b', '.', '/'};
  private static final int MAX_LENGTH = 5;
  private static final List<String> PATHS = paths();
  private static final Automaton BOUND = BasicAutomata.makeCharSet("ab./").repeat(0, MAX_LENGTH);

  private static List<String> paths() {
    List<String> all = new ArrayList<>(List.of(""));
    List<String> last = List.of("");
    for (int length = 1; length <= MAX_LENGTH; length++) {
      List<String> next = new ArrayList<>();
      for (String prefix : last) {
        for (char c : ALPHABET) {
          next.add(prefix + c);
        }
      }
      all.addAll(next);
      last = next;
    }
    return all;
  }

  private static final Gen<String> PATTERNS = lists().of(integers().between(0, TOKENS.size() - 1)).ofSizeBetween(1, 4)
      .zip(booleans().all(), (tokens, directory) -> {
        StringBuilder pattern = new StringBuilder();
        for (int token : tokens) {
          pattern.append(TOKENS.get(token));
        }
        return pattern + (directory ? "/" : "");
      })
      .assuming(pattern -> Glob.parse(pattern).isRight() && !pattern.contains("//") && !pattern.equals("/"));

  @Test
  void automata_agreeWithTheOracleAndWithBruteForce() {
    qt().withExamples(600).forAll(PATTERNS, PATTERNS).checkAssert((first, second) -> {
      Glob a = Glob.parse(first).get();
      Glob b = Glob.parse(second).get();
      boolean brute = false;
      for (String path : PATHS) {
        boolean inA = ReferenceGlob.matches(first, path);
        boolean inB = ReferenceGlob.matches(second, path);
        assertThat(a.matches(path)).as("%s on '%s'", first, path).isEqualTo(inA);
        assertThat(b.matches(path)).as("%s on '%s'", second, path).isEqualTo(inB);
        brute |= inA && inB;
      }
      boolean bounded = !a.automaton().intersection(b.automaton()).intersection(BOUND).isEmpty();
      assertThat(bounded).as("%s vs %s within the bound", first, second).isEqualTo(brute);
      if (brute) {
        assertThat(a.overlaps(b)).isTrue();
      }
      a.commonExample(b).forEach(example -> {
        assertThat(ReferenceGlob.matches(first, example)).as("example '%s' of %s", example, first).isTrue();
        assertThat(ReferenceGlob.matches(second, example)).as("example '%s' of %s", example, second).isTrue();
      });
      assertThat(a.commonExample(b).isDefined()).isEqualTo(a.overlaps(b));
      if (a.overlaps(b)) {
        assertThat(a.mayOverlap(b)).as("the prefix filter never hides an overlap: %s vs %s", first, second).isTrue();
      }
    });
  }
}
