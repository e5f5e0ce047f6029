package dev.parallelsessionlock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
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

  /**
   * A few processes, so that the caller and the holder are often the same one: pids 0 (unknown) to 3, and pid 2
   * a second time with other start ticks (a reused pid, another process).
   */
  private static final Gen<ProcessRef> PROCESSES = integers().between(0, 4).map(n -> n == 0
      ? ProcessRef.unknown(Option.some("host"))
      : new ProcessRef(n == 4 ? 2 : n, Option.some("host"), Option.none(),
          Option.some(new ProcessRef.Identity("boot", "pid:[1]", n == 4 ? 99 : n * 10L))));

  private static final Gen<LockRecord> RECORDS = SESSIONS
      .zip(PROCESSES, integers().between(1, 3_600_000),
          (session, process, ttlMs) -> new LockRecord(1, session, process, NOW.minusSeconds(1),
              Duration.ofMillis(ttlMs), NOW.minusSeconds(1)));

  private static final Gen<Claimant> CLAIMANTS = SESSIONS.map(session -> session.isBlank() ? "s1" : session)
      .zip(PROCESSES, Claimant::new);

  private static final Gen<LockFailure> STORE_FAILURES = strings().basicLatinAlphabet().ofLengthBetween(0, 40)
      .map(detail -> (LockFailure) new LockFailure.StoreUnavailable(new StoreFailure(KEY, "read", detail)));

  private static final Gen<LockFailure> FAILURES = Generate.oneOf(
      STORE_FAILURES,
      integers().between(1, 100).map(attempts -> (LockFailure) new LockFailure.Contended(KEY, attempts)),
      Generate.constant((LockFailure) new LockFailure.Busy(KEY)));

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

  /** The caller's own lease: the very same process, or its session id where a process cannot be told. */
  private static boolean isCallersOwn(LockRecord holder, Claimant caller) {
    return caller.process().isSameProcessAs(holder.holder())
        || (holder.sessionId().equals(caller.sessionId())
            && (!caller.process().isKnown() || !holder.holder().isKnown()));
  }

  private static boolean blocksAnotherHolder(Either<LockFailure, Acquisition> result, Claimant caller) {
    if (result != null && result.isLeft()) {
      return result.getLeft() instanceof LockFailure.Contended; // rivals were taking it: a retry, never a 2nd writer
    }
    return result != null
        && result.isRight()
        && result.get() instanceof Acquisition.Blocked
        && !((Acquisition.Blocked) result.get()).holder().exists(holder -> isCallersOwn(holder, caller));
  }

  @Test
  void decide_blocksExactlyWhenAnotherHolderIsNamedOrRivalsWereTakingIt() {
    qt().withExamples(5000).forAll(RESULTS, CLAIMANTS).checkAssert((result, caller) -> {
      Decision decision = FailOpen.decide(result, caller, NOW);
      assertThat(decision instanceof Decision.Block).isEqualTo(blocksAnotherHolder(result, caller));
    });
  }

  @Test
  void decide_failsOpenWithAWarning_onMissingResultsStoreFailuresOrTheCallersOwnOtherCall() {
    qt().withExamples(2000).forAll(STORE_FAILURES.mix(Generate.constant((LockFailure) new LockFailure.Busy(KEY)))
            .map(Either::<LockFailure, Acquisition>left)
            .mix(Generate.constant((Either<LockFailure, Acquisition>) null)), CLAIMANTS)
        .checkAssert((result, caller) -> {
          Decision decision = FailOpen.decide(result, caller, NOW);
          assertThat(decision).isInstanceOf(Decision.Allow.class);
          assertThat(((Decision.Allow) decision).warning()).isNotEmpty();
        });
  }

  @Test
  void decide_contended_blocksWithTryAgain_neverAllows() {
    // The store works and rivals wrote the lock through every try: allowing would let a second writer in.
    qt().withExamples(500).forAll(integers().between(1, 100), CLAIMANTS).checkAssert((attempts, caller) -> {
      Decision decision = FailOpen.decide(Either.left(new LockFailure.Contended(KEY, attempts)), caller, NOW);
      assertThat(decision).isInstanceOf(Decision.Block.class);
      assertThat(((Decision.Block) decision).reason()).startsWith(FailOpen.BUSY).endsWith("try again");
    });
  }

  @Test
  void decide_neverBlocksTheCallerByItsOwnLock() {
    // The caller is made from the record: its process, or its session id with an unknown process.
    qt().withExamples(2000).forAll(RECORDS, booleans().all(), integers().between(0, 600))
        .checkAssert((record, sameProcess, seconds) -> {
          Claimant caller = sameProcess
              ? new Claimant("other", record.holder())
              : new Claimant(record.sessionId().isBlank() ? "s1" : record.sessionId(), ProcessRef.unknown(Option.none()));
          LockRecord own = record.sessionId().isBlank() && !sameProcess
              ? new LockRecord(1, "s1", record.holder(), record.acquiredAt(), record.ttl(), record.heldSince()) : record;
          assertThat(isCallersOwn(own, caller)).isEqualTo(sameProcess ? own.holder().isKnown() : true);
          if (!isCallersOwn(own, caller)) {
            return;
          }
          Either<LockFailure, Acquisition> blockedByOwn =
              Either.right(new Acquisition.Blocked(KEY, Option.some(own), NOW.plusSeconds(seconds)));
          assertThat(FailOpen.decide(blockedByOwn, caller, NOW)).isInstanceOf(Decision.Allow.class);
        });
  }

  @Test
  void decide_sameSessionIdInAnotherLiveProcess_blocksAndSaysWhy() {
    ProcessRef first = new ProcessRef(1, Option.some("host"), Option.none(),
        Option.some(new ProcessRef.Identity("boot", "pid:[1]", 10)));
    ProcessRef second = new ProcessRef(2, Option.some("host"), Option.none(),
        Option.some(new ProcessRef.Identity("boot", "pid:[1]", 20)));
    LockRecord holder = new LockRecord(1, "s1", first, NOW, Duration.ofMinutes(5), NOW);

    Decision decision = FailOpen.decide(Either.right(new Acquisition.Blocked(KEY, Option.some(holder),
        NOW.plusSeconds(60))), new Claimant("s1", second), NOW);

    assertThat(((Decision.Block) decision).reason()).startsWith("parallel session lock held by s1 (pid 1): the same"
        + " session id runs in another live process");
  }

  @Test
  void decide_blockReasonNamesHolderSessionAndPid() {
    qt().withExamples(2000).forAll(RECORDS, CLAIMANTS, integers().between(0, 600))
        .assuming((record, caller, seconds) -> !isCallersOwn(record, caller))
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
  void decide_whenHolderUnreadable_blocksAndSaysSoWithoutTheInternalKey() {
    Decision decision = FailOpen.decide(
        Either.right(new Acquisition.Blocked(KEY, Option.none(), NOW.plusSeconds(252))),
        new Claimant("s1", ProcessRef.ofPid(7)), NOW);

    assertThat(decision).isEqualTo(new Decision.Block("parallel session lock held by an unreadable lock record "
        + "(pid unknown) - wait or close that session first, lease ends in 4m12s"));
  }

  @Test
  void decide_whenAcquired_allowsSilently() {
    qt().withExamples(500).forAll(ACQUIRED, CLAIMANTS).checkAssert((acquisition, caller) -> assertThat(FailOpen.decide(Either.right(acquisition), caller, NOW))
            .isEqualTo(new Decision.Allow(Option.none())));
  }
}
