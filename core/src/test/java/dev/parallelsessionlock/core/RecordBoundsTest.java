package dev.parallelsessionlock.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.vavr.control.Option;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * Records read from a store hold what the tool would write, whatever wrote them: a ttl of at most a day, times at
 * most a few minutes ahead of the clock; the protocol judges what is beyond as bounded, and says so.
 */
final class RecordBoundsTest {

  /** Every holder is alive: these runs are about records, not deaths. */
  private static final ProcessLiveness ALIVE = process -> Liveness.ALIVE;

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final LockKey KEY = LockKey.workspace(WorkspaceHash.of("/repo"));
  private static final Instant STARTED = Instant.parse("2026-11-22T09:00:00Z");
  private static final ProcessRef ALICES = new ProcessRef(100, Option.some("h"), Option.some(STARTED));
  private static final Claimant ALICE = new Claimant("alice", ALICES);
  private static final Claimant BOB = new Claimant("bob", new ProcessRef(200, Option.some("h"), Option.some(STARTED)));
  private static final Duration FOREVER = Duration.ofMillis(Long.MAX_VALUE);

  /** The time: it moves only when a test moves it. */
  private Instant now = T0;
  private final Clock clock = ((InstantSource) () -> now).withZone(ZoneOffset.UTC);
  private final InMemoryLockStore store = new InMemoryLockStore();
  private final ParallelSessionLock lock = ParallelSessionLock.of(store, ALIVE, clock);

  private void stored(String session, Instant acquiredAt, Duration ttl, Instant heldSince) {
    store.create(KEY, new LockRecord(1, session, ALICES, acquiredAt, ttl, heldSince));
  }

  private LockRecord record() {
    return ((Slot.Held) store.read(KEY).get().get()).record();
  }

  @Test
  void acquire_whenTheStoredTtlIsLongerThanADay_isBlockedForADayAtMost_thenTakesItOver() {
    stored("alice", T0, FOREVER, T0);

    Acquisition.Blocked blocked = (Acquisition.Blocked) lock.acquire(KEY, BOB).get();

    assertThat(blocked.freeAt()).isEqualTo(T0.plus(Duration.ofDays(1)));
    assertThat(blocked.holder().get().details().clamped())
        .containsExactly("ttl 9223372036854775807 ms read as a day, the longest lease");
    now = now.plus(Duration.ofDays(1));
    assertThat(((Acquisition.Acquired) lock.acquire(KEY, BOB).get()).how()).isEqualTo(Acquisition.How.TOOK_OVER_STALE);
  }

  @Test
  void status_whenTheStoredTtlIsLongerThanADay_hasADayLeftAtMost() {
    stored("alice", T0, FOREVER, T0);

    LockStatus.Held held = (LockStatus.Held) lock.status(KEY).get();

    assertThat(held.remaining()).isEqualTo(Duration.ofDays(1));
    assertThat(held.record().ttl()).isEqualTo(Duration.ofDays(1));
    assertThat(held.record().details().clamped()).isNotEmpty();
    assertThat(((LockStatus.Held) lock.list().get().get(0)).remaining()).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void refresh_byTheHolderOfARecordWithAnEndlessTtl_writesItBackBounded() {
    stored("alice", T0, FOREVER, T0);
    now = now.plus(Duration.ofMinutes(1));

    assertThat(lock.refresh(KEY, ALICE).get()).isInstanceOf(Refresh.Refreshed.class);

    assertThat(record().ttl()).isEqualTo(Duration.ofDays(1));
    assertThat(record().acquiredAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
    assertThat(record().details().clamped()).as("the note is never stored").isEmpty();
  }

  @Test
  void acquire_whenTheLeaseStartsMoreThanFiveMinutesAhead_countsItAsRunOut_evenWithALongTtl() {
    stored("alice", T0.plus(Duration.ofHours(1)), Duration.ofDays(1), T0);

    Acquisition.Acquired taken = (Acquisition.Acquired) lock.acquire(KEY, BOB).get();

    assertThat(taken.how()).isEqualTo(Acquisition.How.TOOK_OVER_STALE);
    assertThat(taken.previous().get().details().clamped())
        .containsExactly("lease start 2026-11-22T11:00:00Z is in the future: counted as run out");
    assertThat(taken.record().details().clamped()).isEmpty();
  }

  @Test
  void acquire_whenTheLeaseStartsUpToFiveMinutesAhead_honoursIt() {
    stored("alice", T0.plus(Duration.ofMinutes(5)), Duration.ofDays(1), T0);

    Acquisition.Blocked blocked = (Acquisition.Blocked) lock.acquire(KEY, BOB).get();

    assertThat(blocked.freeAt()).isEqualTo(T0.plus(Duration.ofMinutes(5)).plus(Duration.ofDays(1)));
    assertThat(blocked.holder().get().details().clamped()).isEmpty();
  }

  @Test
  void status_whenHeldSinceIsFarAhead_readsItAsTheLeaseStart() {
    stored("alice", T0, Duration.ofMinutes(5), Instant.parse("2100-01-01T00:00:00Z"));

    LockStatus.Held held = (LockStatus.Held) lock.status(KEY).get();

    assertThat(held.record().heldSince()).isEqualTo(T0);
    assertThat(held.record().details().clamped())
        .containsExactly("held since 2100-01-01T00:00:00Z is in the future: read as the lease start");
    assertThat(held.age()).isEqualTo(Duration.ZERO);
  }

  @Test
  void acquire_whenAnUnreadableRecordWasModifiedFarAhead_takesItOver() {
    store.putUnreadable(KEY, Instant.parse("2100-01-01T00:00:00Z"), "not a JSON object", 7);
    LockStatus.Unreadable seen = (LockStatus.Unreadable) lock.status(KEY).get();
    assertThat(seen.problem()).isEqualTo("not a JSON object; modified at 2100-01-01T00:00:00Z, in the future: counted as free");
    assertThat(seen.freeAt()).isBefore(T0);

    Acquisition acquired = lock.acquire(KEY, BOB).get();

    assertThat(acquired).isInstanceOf(Acquisition.Acquired.class);
    assertThat(((Acquisition.Acquired) acquired).how()).isEqualTo(Acquisition.How.TOOK_OVER_UNREADABLE);
  }

  @Test
  void acquire_whenTheLeaseStartIsTheLastInstant_neitherThrowsNorHolds() {
    stored("alice", Instant.MAX, Duration.ofMinutes(5), T0);

    assertThat(((Acquisition.Acquired) lock.acquire(KEY, BOB).get()).how()).isEqualTo(Acquisition.How.TOOK_OVER_STALE);
  }

  @Test
  void acquire_takingOverTheLargestGeneration_doesNotWrapAround() {
    store.create(KEY, new LockRecord(1, "alice", ALICES, T0.minus(Duration.ofHours(1)),
        Duration.ofMinutes(5), T0, Long.MAX_VALUE, LockRecord.Details.NONE));

    Acquisition.Acquired taken = (Acquisition.Acquired) lock.acquire(KEY, BOB).get();

    assertThat(taken.record().generation()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void acquire_byTheSessionOfATaskLockWithAnEndlessTtl_renewsItBounded_withoutTheNote() {
    store.create(KEY, new LockRecord(1, "task:T1", ALICES, T0, FOREVER, T0, 7,
        new LockRecord.Details(Option.none(), Option.none(), Option.some("T1"), Option.some("alice"), Option.none())));

    Acquisition.Acquired used = (Acquisition.Acquired) lock.acquire(KEY, ALICE).get();

    assertThat(used.how()).isEqualTo(Acquisition.How.RENEWED);
    assertThat(record().sessionId()).isEqualTo("task:T1");
    assertThat(record().ttl()).isEqualTo(Duration.ofDays(1));
    assertThat(record().details().clamped()).isEmpty();
  }

  @Test
  void status_underALockWhoseOwnTtlIsLongerThanADay_boundsTheTtlByThat() {
    ParallelSessionLock claims = lock.withTtl(Duration.ofDays(7));
    stored("alice", T0, FOREVER, T0);

    LockStatus.Held held = (LockStatus.Held) claims.status(KEY).get();

    assertThat(held.remaining()).isEqualTo(Duration.ofDays(7));
    assertThat(held.record().details().clamped()).containsExactly("ttl 9223372036854775807 ms read as 604800000 ms, "
        + "the longest lease");
  }

  @Test
  void acquire_ownLeaseStillWithinBounds_isRenewedAsBefore() {
    lock.acquire(KEY, ALICE);
    now = now.plus(Duration.ofMinutes(1));

    Acquisition.Acquired again = (Acquisition.Acquired) lock.acquire(KEY, ALICE).get();

    assertThat(again.how()).isEqualTo(Acquisition.How.RENEWED);
    assertThat(again.previous().get().details().path()).isEqualTo(Option.none());
  }
}
