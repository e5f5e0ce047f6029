package dev.parallelsessionlock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import io.vavr.control.Option;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Whatever a stored record says (any positive ttl, lease start and held-since from the far past to the last
 * instant), the protocol never blocks for longer than the longest lease plus the clock allowance, never throws, says
 * so exactly when it bounded something, and judges a record within bounds exactly as stored.
 */
final class RecordBoundsProperties {

  /** Every holder is alive: these runs are about records, not deaths. */
  private static final ProcessLiveness ALIVE = process -> Liveness.ALIVE;

  private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
  private static final LockKey KEY = LockKey.workspace(WorkspaceHash.of("/repo"));
  private static final ProcessRef HOLDER = new ProcessRef(100, Option.some("h"), Option.some(NOW.minusSeconds(3600)));
  private static final Claimant RIVAL = new Claimant("rival", new ProcessRef(200, Option.some("h"), Option.some(NOW)));

  /** Millisecond offsets from now: mostly near it (around the five-minute allowance), some anywhere up to the last instant. */
  private static final Gen<Long> OFFSETS = Generate.frequency(java.util.List.of(
      org.quicktheories.api.Pair.of(3, longs().between(-Duration.ofDays(2).toMillis(), Duration.ofMinutes(10).toMillis())),
      org.quicktheories.api.Pair.of(1, longs().between(-Duration.ofDays(36500).toMillis(),
          Long.MAX_VALUE - NOW.toEpochMilli()))));

  private static final Gen<Long> TTLS = Generate.frequency(java.util.List.of(
      org.quicktheories.api.Pair.of(3, longs().between(1, Duration.ofDays(2).toMillis())),
      org.quicktheories.api.Pair.of(1, longs().between(1, Long.MAX_VALUE))));

  private static LockRecord record(long ttlMs, long startOffset, long heldOffset) {
    return new LockRecord(1, "holder", HOLDER, NOW.plusMillis(startOffset), Duration.ofMillis(ttlMs),
        NOW.plusMillis(heldOffset));
  }

  private static boolean outOfBounds(LockRecord record) {
    Instant latest = NOW.plus(RecordBounds.MAX_AHEAD);
    return record.ttl().compareTo(RecordBounds.MAX_TTL) > 0 || record.acquiredAt().isAfter(latest)
        || record.heldSince().isAfter(latest);
  }

  @Test
  void anyStoredRecord_blocksForAtMostTheLongestLeasePlusTheAllowance_andSaysWhenItWasBounded() {
    Duration longest = RecordBounds.MAX_TTL.plus(RecordBounds.MAX_AHEAD);
    qt().withExamples(2000).forAll(TTLS, OFFSETS, OFFSETS).checkAssert((ttl, start, held) -> {
      InMemoryLockStore store = new InMemoryLockStore();
      ParallelSessionLock lock = ParallelSessionLock.of(store, ALIVE, Clock.fixed(NOW, ZoneOffset.UTC));
      LockRecord stored = record(ttl, start, held);
      store.create(KEY, stored);

      LockStatus.Held status = (LockStatus.Held) lock.status(KEY).get();
      Acquisition acquired = lock.acquire(KEY, RIVAL).get();

      assertThat(status.remaining()).isLessThanOrEqualTo(longest);
      assertThat(status.age().isNegative()).isFalse();
      assertThat(status.record().details().clamped().isDefined()).isEqualTo(outOfBounds(stored));
      if (!outOfBounds(stored)) {
        assertThat(status.record()).isEqualTo(stored);
      }
      if (acquired instanceof Acquisition.Blocked blocked) {
        assertThat(blocked.freeAt()).isBeforeOrEqualTo(NOW.plus(longest));
        assertThat(blocked.holder().get().details().clamped()).isEqualTo(status.record().details().clamped());
      } else {
        Acquisition.Acquired taken = (Acquisition.Acquired) acquired;
        assertThat(taken.record().details().clamped()).isEmpty();
        assertThat(taken.record().generation()).isPositive();
      }
    });
  }
}
