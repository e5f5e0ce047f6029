package dev.parallelsessionlock.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks of the process-death harness find what they look for: they are not tests that cannot fail. */
final class ContenderLogTest {

  @TempDir
  Path temp;

  private Path log(String... lines) throws Exception {
    return Files.write(temp.resolve("log"), List.of(lines));
  }

  @Test
  void assertNoOverlap_passes_whenOneContenderHoldsAtATime() throws Exception {
    ContenderLog.assertNoOverlap(log("E 0 0", "X 0 0", "E 1 0", "X 1 0", "E 1 1", "X 1 1", "E 0 1", "X 0 1"), 2, 2);
  }

  @Test
  void assertNoOverlap_fails_whenTwoHoldsOverlap() throws Exception {
    Path log = log("E 0 0", "E 1 0", "X 0 0", "X 1 0");

    assertThatThrownBy(() -> ContenderLog.assertNoOverlap(log, 2, 1)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("nobody inside when 1 0 enters");
  }

  @Test
  void assertNoOverlap_fails_whenAContenderDidNotFinish() throws Exception {
    Path log = log("E 0 0", "X 0 0", "E 0 1", "X 0 1");

    assertThatThrownBy(() -> ContenderLog.assertNoOverlap(log, 2, 1)).isInstanceOf(AssertionError.class);
  }

  @Test
  void winner_isTheOneWinnerOfARound_andFailsOnTwoOrOnAFailure() throws Exception {
    Path log = log("R 0 1 BLOCKED", "R 0 2 WON NEW", "R 1 1 WON TOOK_OVER_STALE", "R 1 2 WON TOOK_OVER_STALE",
        "R 2 1 FAILED store gone", "R 2 2 WON NEW");

    List<String> first = ContenderLog.awaitRound(log, 0, 2, Duration.ofSeconds(5));
    assertThat(ContenderLog.racer(ContenderLog.winner(first))).isEqualTo("2");
    List<String> second = ContenderLog.awaitRound(log, 1, 2, Duration.ofSeconds(5));
    assertThatThrownBy(() -> ContenderLog.winner(second)).isInstanceOf(AssertionError.class);
    List<String> third = ContenderLog.awaitRound(log, 2, 2, Duration.ofSeconds(5));
    assertThatThrownBy(() -> ContenderLog.winner(third)).isInstanceOf(AssertionError.class);
  }
}
