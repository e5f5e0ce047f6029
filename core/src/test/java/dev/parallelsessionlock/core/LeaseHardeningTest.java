package dev.parallelsessionlock.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.vavr.control.Option;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rules of issue 7 (lease hardening), one example each: process identity, twin sessions, release by
 * session id, the fencing generation, empty records, the path and the takeover notice in the record.
 */
final class LeaseHardeningTest {

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final LockKey KEY = LockKey.workspace(WorkspaceHash.of("/repo"));

  /** The time: it moves only when a test moves it. */
  private Instant now = T0;
  private final Clock clock = ((InstantSource) () -> now).withZone(ZoneOffset.UTC);
  private final Map<Long, Liveness> processes = new HashMap<>();
  private final InMemoryLockStore store = new InMemoryLockStore();
  private final ParallelSessionLock lock = ParallelSessionLock.of(store,
      process -> processes.getOrDefault(process.pid(), Liveness.ALIVE), clock);

  private static ProcessRef process(long pid, long ticks) {
    return new ProcessRef(pid, Option.some("h"), Option.some(T0.minusSeconds(60)),
        Option.some(new ProcessRef.Identity("boot-1", "pid:[4026531836]", ticks)));
  }

  private static final ProcessRef TERMINAL_ONE = process(100, 5_000);
  private static final ProcessRef TERMINAL_TWO = process(200, 6_000);

  private Acquisition.Acquired acquired(Claimant claimant) {
    return (Acquisition.Acquired) lock.acquire(KEY, claimant).get();
  }

  private LockRecord stored() {
    return ((Slot.Held) store.read(KEY).get().get()).record();
  }

  @Test
  void isSameProcessAs_comparesTheExactIdentity_notTheWallClockStart() {
    ProcessRef before = process(100, 5_000);
    ProcessRef afterClockStep = new ProcessRef(100, Option.some("h"), Option.some(T0.plusSeconds(3)),
        before.identity());
    ProcessRef reusedPid = process(100, 9_000);
    ProcessRef otherNamespace = new ProcessRef(100, Option.some("h"), before.startedAt(),
        Option.some(new ProcessRef.Identity("boot-1", "pid:[4026532000]", 5_000)));

    assertThat(before.isSameProcessAs(afterClockStep)).isTrue();
    assertThat(before.isSameProcessAs(reusedPid)).isFalse();
    assertThat(before.isSameProcessAs(otherNamespace)).isFalse();
    assertThat(ProcessRef.unknown(Option.some("h")).isSameProcessAs(ProcessRef.unknown(Option.some("h")))).isFalse();
  }

  @Test
  void acquire_sameSessionIdInAnotherLiveProcess_isBlocked() {
    acquired(new Claimant("X", TERMINAL_ONE));

    Acquisition second = lock.acquire(KEY, new Claimant("X", TERMINAL_TWO)).get();

    assertThat(second).isInstanceOf(Acquisition.Blocked.class);
    assertThat(stored().pid()).isEqualTo(100);
  }

  @Test
  void acquire_sameSessionIdWhoseOldProcessIsDead_renewsInTheNewProcess() {
    LockRecord first = acquired(new Claimant("X", TERMINAL_ONE)).record();
    processes.put(100L, Liveness.DEAD);

    Acquisition.Acquired resumed = acquired(new Claimant("X", TERMINAL_TWO));

    assertThat(resumed.how()).isEqualTo(Acquisition.How.RENEWED);
    assertThat(resumed.record().pid()).isEqualTo(200);
    assertThat(resumed.record().generation()).isEqualTo(first.generation());
  }

  @Test
  void acquire_sameSessionIdWhoseOldProcessCannotBeProbed_renews() {
    acquired(new Claimant("X", TERMINAL_ONE));
    processes.put(100L, Liveness.UNKNOWN);

    assertThat(acquired(new Claimant("X", TERMINAL_TWO)).how()).isEqualTo(Acquisition.How.RENEWED);
  }

  @Test
  void release_sameSessionIdFromAnotherLiveProcess_releasesNothing() {
    acquired(new Claimant("X", TERMINAL_ONE));

    Release result = lock.release(KEY, new Claimant("X", TERMINAL_TWO)).get();

    assertThat(result).isInstanceOf(Release.NotHolder.class);
    assertThat(stored().sessionId()).isEqualTo("X");
  }

  @Test
  void release_byTheSameProcessUnderAnOldSessionId_releasesNothing() {
    acquired(new Claimant("old", TERMINAL_ONE));
    acquired(new Claimant("new", TERMINAL_ONE)); // /clear: same process, new id, renews under the new id

    Release late = lock.release(KEY, new Claimant("old", TERMINAL_ONE)).get();

    assertThat(late).isInstanceOf(Release.NotHolder.class);
    assertThat(stored().sessionId()).isEqualTo("new");
    assertThat(lock.release(KEY, new Claimant("new", TERMINAL_ONE)).get()).isInstanceOf(Release.Released.class);
  }

  @Test
  void refresh_byTheSameProcessUnderAnotherSessionId_renews() {
    acquired(new Claimant("old", TERMINAL_ONE));
    now = now.plus(Duration.ofMinutes(2));

    assertThat(lock.refresh(KEY, new Claimant("new", TERMINAL_ONE)).get()).isInstanceOf(Refresh.Refreshed.class);
  }

  @Test
  void acquire_withSameProcessRuleOff_anotherSessionInTheSameProcessIsBlocked() {
    acquired(new Claimant("one", TERMINAL_ONE, false));

    assertThat(lock.acquire(KEY, new Claimant("two", TERMINAL_ONE, false)).get())
        .isInstanceOf(Acquisition.Blocked.class);
  }

  @Test
  void acquire_unknownProcess_isOwnedBySessionIdAlone() {
    Claimant alone = new Claimant("X", ProcessRef.unknown(Option.some("h")));
    acquired(alone);

    assertThat(acquired(alone).how()).isEqualTo(Acquisition.How.RENEWED);
    assertThat(lock.acquire(KEY, new Claimant("Y", ProcessRef.unknown(Option.some("h")))).get())
        .isInstanceOf(Acquisition.Blocked.class);
  }

  @Test
  void acquire_generation_isNewOnCreate_keptOnRenewal_andGreaterOnTakeover() {
    LockRecord first = acquired(new Claimant("A", TERMINAL_ONE)).record();
    now = now.plus(Duration.ofMinutes(1));
    LockRecord renewed = acquired(new Claimant("A", TERMINAL_ONE)).record();
    now = now.plus(Duration.ofMinutes(6));
    LockRecord taken = acquired(new Claimant("B", TERMINAL_TWO)).record();

    assertThat(first.generation()).isEqualTo(T0.toEpochMilli());
    assertThat(renewed.generation()).isEqualTo(first.generation());
    assertThat(taken.generation()).isGreaterThan(first.generation());
  }

  @Test
  void acquire_takeoverInTheSameMillisecond_stillGetsAGreaterGeneration() {
    LockRecord first = acquired(new Claimant("A", TERMINAL_ONE)).record();
    processes.put(100L, Liveness.DEAD);

    LockRecord taken = acquired(new Claimant("B", TERMINAL_TWO)).record();

    assertThat(taken.generation()).isEqualTo(first.generation() + 1);
  }

  @Test
  void refreshAndRelease_withTheGenerationOfALostLease_touchNothing() {
    Claimant sleeper = new Claimant("X", TERMINAL_ONE);
    long lost = acquired(sleeper).record().generation();
    now = now.plus(Duration.ofMinutes(6));
    processes.put(100L, Liveness.UNKNOWN); // the laptop slept; its process cannot be told from here
    LockRecord now = acquired(new Claimant("X", TERMINAL_TWO)).record(); // same session id, renewed elsewhere...
    this.now = this.now.plus(Duration.ofMinutes(6));
    processes.put(200L, Liveness.DEAD);
    LockRecord next = acquired(new Claimant("Y", process(300, 7_000))).record(); // ...then taken over
    assertThat(next.generation()).isGreaterThan(lost);

    assertThat(lock.refresh(KEY, sleeper, lost).get()).isInstanceOf(Refresh.NotHolder.class);
    assertThat(lock.release(KEY, sleeper, lost).get()).isInstanceOf(Release.NotHolder.class);
    assertThat(stored()).isEqualTo(next);
    assertThat(now.generation()).isEqualTo(lost);
  }

  @Test
  void refreshAndRelease_withTheCurrentGeneration_work() {
    Claimant holder = new Claimant("X", TERMINAL_ONE);
    long generation = acquired(holder).record().generation();

    assertThat(lock.refresh(KEY, holder, generation).get()).isInstanceOf(Refresh.Refreshed.class);
    assertThat(lock.refresh(KEY, holder, generation + 1).get()).isInstanceOf(Refresh.NotHolder.class);
    assertThat(lock.release(KEY, holder, generation - 1).get()).isInstanceOf(Release.NotHolder.class);
    assertThat(lock.release(KEY, holder, generation).get()).isInstanceOf(Release.Released.class);
  }

  @Test
  void acquire_emptyRecordOlderThanAFewSeconds_isTakenOverAndKeptAside() {
    store.putUnreadable(KEY, T0, "empty file", 0);
    now = now.plus(SlotState.EMPTY_RECORD_GRACE);

    Acquisition.Acquired got = acquired(new Claimant("A", TERMINAL_ONE));

    assertThat(got.how()).isEqualTo(Acquisition.How.TOOK_OVER_UNREADABLE);
    assertThat(store.keptAside()).hasSize(1);
  }

  @Test
  void acquire_emptyRecordJustWritten_isBlockedForAFewSecondsOnly() {
    store.putUnreadable(KEY, T0, "empty file", 0);
    now = now.plus(Duration.ofSeconds(2));

    Acquisition blocked = lock.acquire(KEY, new Claimant("A", TERMINAL_ONE)).get();

    assertThat(blocked).isInstanceOf(Acquisition.Blocked.class);
    assertThat(((Acquisition.Blocked) blocked).freeAt()).isEqualTo(T0.plus(SlotState.EMPTY_RECORD_GRACE));
  }

  @Test
  void acquire_tornNonEmptyRecord_isStillHeldForOneTtl() {
    store.putUnreadable(KEY, T0, "not a JSON object", 17);
    now = now.plus(Duration.ofMinutes(1));

    assertThat(lock.acquire(KEY, new Claimant("A", TERMINAL_ONE)).get()).isInstanceOf(Acquisition.Blocked.class);
  }

  @Test
  void acquire_withPath_keepsItInTheRecord_andARenewalWithoutOneKeepsIt() {
    lock.acquire(KEY, new Claimant("A", TERMINAL_ONE), Duration.ofMinutes(5), Option.some("/repo"));

    acquired(new Claimant("A", TERMINAL_ONE));

    assertThat(stored().details().path()).contains("/repo");
  }

  @Test
  void acquire_takeover_recordsWhoseLeaseItTook_andRenewalsKeepIt() {
    acquired(new Claimant("A", TERMINAL_ONE));
    now = now.plus(Duration.ofMinutes(6));
    acquired(new Claimant("B", TERMINAL_TWO));
    acquired(new Claimant("B", TERMINAL_TWO));

    assertThat(stored().details().takenOverFrom()).contains("A");
    assertThat(stored().heldSince()).isEqualTo(T0.plus(Duration.ofMinutes(6)));
  }

  @Test
  void refresh_withATtl_setsTheLeaseToIt() {
    lock.acquire(KEY, new Claimant("A", TERMINAL_ONE), Duration.ofMinutes(11));

    lock.refresh(KEY, new Claimant("A", TERMINAL_ONE), Duration.ofMinutes(5));

    assertThat(stored().ttl()).isEqualTo(Duration.ofMinutes(5));
  }
}
