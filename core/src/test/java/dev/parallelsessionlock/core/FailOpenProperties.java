package dev.parallelsessionlock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** {@link FailOpen#decide} stated over all its inputs: every kind of result, every caller. */
final class FailOpenProperties {

  private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
  private static final LockKey KEY = new LockKey("session-lock-0123456789ab");

  private static final Gen<String> SESSIONS = Generate.pick(java.util.List.of("s1", "s2", "s3", "", "s1 "))
      .mix(strings().basicLatinAlphabet().ofLengthBetween(1, 12), 30);

  private static final Gen<LockRecord> RECORDS = SESSIONS
      .zip(longs().between(-1, 1L << 40), integers().between(1, 3_600_000),
          (session, pid, ttlMs) -> new LockRecord(1, session, ProcessRef.ofPid(pid), NOW.minusSeconds(1),
              Duration.ofMillis(ttlMs), NOW.minusSeconds(1)));

  private static final Gen<LockFailure> FAILURES = Generate.oneOf(
      strings().basicLatinAlphabet().ofLengthBetween(0, 40)
          .map(detail -> (LockFailure) new LockFailure.StoreUnavailable(new StoreFailure(KEY, "read", detail))),
      integers().between(1, 100).map(attempts -> (LockFailure) new LockFailure.Contended(KEY, attempts)));

  private static final Gen<Acquisition> ACQUIRED = RECORDS.zip(Generate.enumValues(Acquisition.How.class),
      (record, how) -> new Acquisition.Acquired(KEY, record, how, Option.none()));

  private static final Gen<Acquisition> ACQUISITIONS = Generate.oneOf(
      ACQUIRED,
      RECORDS.zip(integers().between(0, 600),
          (record, seconds) -> (Acquisition) new Acquisition.Blocked(KEY, Option.some(record), NOW.plusSeconds(seconds))),
      integers().between(0, 600).map(seconds -> (Acquisition) new Acquisition.Blocked(KEY, Option.none(), NOW.plusSeconds(seconds))));

  /** Every result the protocol can return, and {@code null} for "the acquire never ran". */
  private static final Gen<Either<LockFailure, Acquisition>> RESULTS = Generate.oneOf(
      FAILURES.map(Either::<LockFailure, Acquisition>left),
      ACQUISITIONS.map(Either::<LockFailure, Acquisition>right),
      Generate.constant((Either<LockFailure, Acquisition>) null));

  private static boolean blocksAnotherHolder(Either<LockFailure, Acquisition> result, String caller) {
    return result != null
        && result.isRight()
        && result.get() instanceof Acquisition.Blocked
        && !((Acquisition.Blocked) result.get()).holder().exists(holder -> holder.sessionId().equals(caller));
  }

  @Test
  void decide_blocksExactlyWhenAnotherHolderIsNamed() {
    qt().withExamples(5000).forAll(RESULTS, SESSIONS).checkAssert((result, caller) -> {
      Decision decision = FailOpen.decide(result, caller, NOW);
      assertThat(decision instanceof Decision.Block).isEqualTo(blocksAnotherHolder(result, caller));
    });
  }

  @Test
  void decide_failsOpenWithAWarning_onMissingOrFailedResults() {
    qt().withExamples(2000).forAll(FAILURES.map(Either::<LockFailure, Acquisition>left)
            .mix(Generate.constant((Either<LockFailure, Acquisition>) null)), SESSIONS)
        .checkAssert((result, caller) -> {
          Decision decision = FailOpen.decide(result, caller, NOW);
          assertThat(decision).isInstanceOf(Decision.Allow.class);
          assertThat(((Decision.Allow) decision).warning()).isNotEmpty();
        });
  }

  @Test
  void decide_neverBlocksTheCallerByItsOwnLock() {
    qt().withExamples(2000).forAll(RECORDS, integers().between(0, 600)).checkAssert((record, seconds) -> {
      Either<LockFailure, Acquisition> own =
          Either.right(new Acquisition.Blocked(KEY, Option.some(record), NOW.plusSeconds(seconds)));
      assertThat(FailOpen.decide(own, record.sessionId(), NOW)).isInstanceOf(Decision.Allow.class);
    });
  }

  @Test
  void decide_blockReasonNamesHolderSessionAndPid() {
    qt().withExamples(2000).forAll(RECORDS, SESSIONS, integers().between(0, 600))
        .assuming((record, caller, seconds) -> !record.sessionId().equals(caller))
        .checkAssert((record, caller, seconds) -> {
          Decision decision = FailOpen.decide(
              Either.right(new Acquisition.Blocked(KEY, Option.some(record), NOW.plusSeconds(seconds))), caller, NOW);
          String reason = ((Decision.Block) decision).reason();
          assertThat(reason)
              .startsWith("parallel session lock held by " + record.sessionId() + " (pid " + record.pid() + ")")
              .contains("wait or close that session first")
              .doesNotContain("\n");
        });
  }

  @Test
  void decide_whenHolderUnreadable_blocksAndSaysSo() {
    Decision decision = FailOpen.decide(
        Either.right(new Acquisition.Blocked(KEY, Option.none(), NOW.plusSeconds(252))), "s1", NOW);

    assertThat(decision).isEqualTo(new Decision.Block("parallel session lock held by an unreadable lock record "
        + "session-lock-0123456789ab (pid unknown) - wait or close that session first, lease ends in 4m12s"));
  }

  @Test
  void decide_whenAcquired_allowsSilently() {
    qt().withExamples(500).forAll(ACQUIRED, SESSIONS).checkAssert((acquisition, caller) -> assertThat(FailOpen.decide(Either.right(acquisition), caller, NOW))
            .isEqualTo(new Decision.Allow(Option.none())));
  }
}
