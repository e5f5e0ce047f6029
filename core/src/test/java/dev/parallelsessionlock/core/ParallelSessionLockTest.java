package dev.parallelsessionlock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class ParallelSessionLockTest {

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final Instant STARTED = Instant.parse("2026-11-22T09:00:00Z");
  private static final LockKey KEY = LockKey.workspace(WorkspaceHash.of("/home/user/my-project"));
  private static final Claimant ALICE = new Claimant("alice", new ProcessRef(100, Option.some("h"), Option.some(STARTED)));
  private static final Claimant BOB = new Claimant("bob", new ProcessRef(200, Option.some("h"), Option.some(STARTED)));

  /** The time: it moves only when a test moves it. */
  private Instant now = T0;
  private final Clock clock = ((InstantSource) () -> now).withZone(ZoneOffset.UTC);
  /** The processes a test has killed; every other one is alive. */
  private final Set<Long> dead = new HashSet<>();
  private final ProcessLiveness liveness = process -> dead.contains(process.pid()) ? Liveness.DEAD : Liveness.ALIVE;
  private final InMemoryLockStore store = new InMemoryLockStore();
  private final ParallelSessionLock lock = ParallelSessionLock.of(store, liveness, clock);

  private Acquisition acquire(Claimant claimant) {
    return lock.acquire(KEY, claimant).get();
  }

  private LockRecord stored() {
    return ((Slot.Held) store.read(KEY).get().get()).record();
  }

  @Test
  void acquire_whenFree_takesItAsNewWithTheDefaultTtl() {
    Acquisition result = acquire(ALICE);

    assertThat(result).isInstanceOf(Acquisition.Acquired.class);
    Acquisition.Acquired acquired = (Acquisition.Acquired) result;
    assertThat(acquired.how()).isEqualTo(Acquisition.How.NEW);
    assertThat(acquired.previous()).isEmpty();
    assertThat(stored()).isEqualTo(acquired.record());
    assertThat(stored().sessionId()).isEqualTo("alice");
    assertThat(stored().pid()).isEqualTo(100);
    assertThat(stored().acquiredAt()).isEqualTo(T0);
    assertThat(stored().ttl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(stored().schemaVersion()).isEqualTo(1);
  }

  @Test
  void acquire_whenHeldBySameSession_renewsTheLeaseAndKeepsHeldSince() {
    acquire(ALICE);
    now = now.plus(Duration.ofMinutes(3));

    Acquisition.Acquired again = (Acquisition.Acquired) acquire(ALICE);

    assertThat(again.how()).isEqualTo(Acquisition.How.RENEWED);
    assertThat(again.record().acquiredAt()).isEqualTo(T0.plus(Duration.ofMinutes(3)));
    assertThat(again.record().heldSince()).isEqualTo(T0);
    assertThat(again.previous().map(LockRecord::acquiredAt)).contains(T0);
  }

  @Test
  void acquire_whenOwnLeaseAlreadyStale_renewsIt() {
    acquire(ALICE);
    now = now.plus(Duration.ofMinutes(30));

    assertThat(((Acquisition.Acquired) acquire(ALICE)).how()).isEqualTo(Acquisition.How.RENEWED);
  }

  @Test
  void acquire_whenHeldFreshByAnotherSession_isBlockedNamingTheHolder() {
    acquire(ALICE);
    now = now.plus(Duration.ofMinutes(1));

    Acquisition result = acquire(BOB);

    assertThat(result).isInstanceOf(Acquisition.Blocked.class);
    Acquisition.Blocked blocked = (Acquisition.Blocked) result;
    assertThat(blocked.holder().map(LockRecord::sessionId)).contains("alice");
    assertThat(blocked.freeAt()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
    assertThat(stored().sessionId()).isEqualTo("alice");
  }

  @Test
  void acquire_oneMilliBeforeExpiry_isBlocked() {
    acquire(ALICE);
    now = now.plus(Duration.ofMinutes(5).minusMillis(1));

    assertThat(acquire(BOB)).isInstanceOf(Acquisition.Blocked.class);
  }

  @Test
  void acquire_atExpiry_takesOverAndReportsThePreviousHolder() {
    acquire(ALICE);
    now = now.plus(Duration.ofMinutes(5));

    Acquisition.Acquired taken = (Acquisition.Acquired) acquire(BOB);

    assertThat(taken.how()).isEqualTo(Acquisition.How.TOOK_OVER_STALE);
    assertThat(taken.previous().map(LockRecord::sessionId)).contains("alice");
    assertThat(taken.record().heldSince()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
    assertThat(stored().sessionId()).isEqualTo("bob");
  }

  @Test
  void acquire_whenHolderProcessIsDead_takesOverBeforeTheTtl() {
    acquire(ALICE);
    dead.add(100L);

    Acquisition.Acquired taken = (Acquisition.Acquired) acquire(BOB);

    assertThat(taken.how()).isEqualTo(Acquisition.How.TOOK_OVER_DEAD_HOLDER);
    assertThat(taken.previous().map(LockRecord::sessionId)).contains("alice");
  }

  @Test
  void acquire_whenLivenessIsUnknown_waitsForTheTtl() {
    ParallelSessionLock blind = ParallelSessionLock.of(store, ProcessLiveness.unknown(), clock);
    blind.acquire(KEY, ALICE);

    assertThat(blind.acquire(KEY, BOB).get()).isInstanceOf(Acquisition.Blocked.class);
  }

  @Test
  void acquire_whenSameAgentProcessUnderANewSessionId_renewsAndRecordsTheNewId() {
    acquire(ALICE);
    Claimant afterClear = new Claimant("alice-after-clear", ALICE.process());

    Acquisition.Acquired again = (Acquisition.Acquired) acquire(afterClear);

    assertThat(again.how()).isEqualTo(Acquisition.How.RENEWED);
    assertThat(stored().sessionId()).isEqualTo("alice-after-clear");
  }

  @Test
  void acquire_whenPidWasReusedByAnotherProcess_isNotTheSameOwner() {
    acquire(ALICE);
    Claimant reusedPid = new Claimant("mallory", new ProcessRef(100, Option.some("h"), Option.some(T0)));

    assertThat(acquire(reusedPid)).isInstanceOf(Acquisition.Blocked.class);
  }

  @Test
  void acquire_whenOnlyThePidMatches_isNotTheSameOwner() {
    Claimant pidOnly = new Claimant("a", ProcessRef.ofPid(7));
    lock.acquire(KEY, pidOnly);

    assertThat(acquire(new Claimant("b", ProcessRef.ofPid(7)))).isInstanceOf(Acquisition.Blocked.class);
  }

  @Test
  void acquire_whenRecordIsStampedMoreThanOneTtlAhead_takesItOverAsStale() {
    store.create(KEY, new LockRecord(1, "skewed", ProcessRef.ofPid(9), T0.plus(Duration.ofDays(1)),
        Duration.ofMinutes(5), T0));

    assertThat(((Acquisition.Acquired) acquire(BOB)).how()).isEqualTo(Acquisition.How.TOOK_OVER_STALE);
  }

  @Test
  void acquire_whenRecordIsStampedSlightlyAhead_isBlockedUntilItsLeaseEnds() {
    store.create(KEY, new LockRecord(1, "skewed", ProcessRef.ofPid(9), T0.plus(Duration.ofMinutes(1)),
        Duration.ofMinutes(5), T0));

    Acquisition.Blocked blocked = (Acquisition.Blocked) acquire(BOB);

    assertThat(blocked.freeAt()).isEqualTo(T0.plus(Duration.ofMinutes(6)));
    now = now.plus(Duration.ofMinutes(6).minusMillis(1));
    assertThat(acquire(BOB)).isInstanceOf(Acquisition.Blocked.class);
    now = now.plus(Duration.ofMillis(1));
    assertThat(acquire(BOB)).isInstanceOf(Acquisition.Acquired.class);
  }

  @Test
  void acquire_withAPerCallTtl_writesThatTtl() {
    Acquisition.Acquired acquired =
        (Acquisition.Acquired) lock.acquire(KEY, ALICE, Duration.ofSeconds(30)).get();

    assertThat(acquired.record().ttl()).isEqualTo(Duration.ofSeconds(30));
    now = now.plus(Duration.ofSeconds(30));
    assertThat(((Acquisition.Acquired) acquire(BOB)).how()).isEqualTo(Acquisition.How.TOOK_OVER_STALE);
  }

  @Test
  void acquire_whenBytesAreUnreadableAndRecent_isBlockedByAnUnknownHolder() {
    store.putUnreadable(KEY, T0.minusSeconds(10), "truncated JSON");

    Acquisition.Blocked blocked = (Acquisition.Blocked) acquire(BOB);

    assertThat(blocked.holder()).isEmpty();
    assertThat(blocked.freeAt()).isEqualTo(T0.minusSeconds(10).plus(Duration.ofMinutes(5)));
    assertThat(store.keptAside()).isEmpty();
  }

  @Test
  void acquire_whenBytesAreUnreadableForOneTtl_takesOverAndKeepsTheBytesAside() {
    store.putUnreadable(KEY, T0.minus(Duration.ofMinutes(5)), "truncated JSON");

    Acquisition.Acquired taken = (Acquisition.Acquired) acquire(BOB);

    assertThat(taken.how()).isEqualTo(Acquisition.How.TOOK_OVER_UNREADABLE);
    assertThat(taken.previous()).isEmpty();
    assertThat(store.keptAside()).hasSize(1);
    assertThat(store.keptAside().head().problem()).isEqualTo("truncated JSON");
  }

  @Test
  void acquire_whenTheStoreFails_returnsStoreUnavailable() {
    StoreFailure failure = new StoreFailure(KEY, "read", "disk on fire");
    ParallelSessionLock broken = ParallelSessionLock.of(new FailingStore(failure), liveness, clock);

    Either<LockFailure, Acquisition> result = broken.acquire(KEY, ALICE);

    assertThat(result.getLeft()).isEqualTo(new LockFailure.StoreUnavailable(failure));
    assertThat(result.getLeft().describe()).isEqualTo("cannot read a lock record: disk on fire");
  }

  @Test
  void acquire_whenEveryWriteLoses_givesUpAfterTheAttemptBudget() {
    LosingStore losing = new LosingStore();
    ParallelSessionLock contended = ParallelSessionLock.of(losing, liveness, clock).withMaxAttempts(3);

    assertThat(contended.acquire(KEY, ALICE).getLeft()).isEqualTo(new LockFailure.Contended(KEY, 3));
    assertThat(losing.writes).isEqualTo(3);
  }

  @Test
  void refresh_byTheHolder_movesTheLeaseToNowAndKeepsItsTtl() {
    lock.acquire(KEY, ALICE, Duration.ofMinutes(2));
    now = now.plus(Duration.ofMinutes(1));

    Refresh result = lock.refresh(KEY, ALICE).get();

    assertThat(result).isInstanceOf(Refresh.Refreshed.class);
    assertThat(stored().acquiredAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
    assertThat(stored().ttl()).isEqualTo(Duration.ofMinutes(2));
    assertThat(stored().heldSince()).isEqualTo(T0);
  }

  @Test
  void refresh_byAnotherSession_isNotHolderAndWritesNothing() {
    acquire(ALICE);
    LockRecord before = stored();
    now = now.plus(Duration.ofMinutes(1));

    Refresh result = lock.refresh(KEY, BOB).get();

    assertThat(result).isInstanceOf(Refresh.NotHolder.class);
    assertThat(stored()).isEqualTo(before);
  }

  @Test
  void refresh_ofAStaleForeignLease_neverStealsIt() {
    acquire(ALICE);
    now = now.plus(Duration.ofHours(1));

    assertThat(lock.refresh(KEY, BOB).get()).isInstanceOf(Refresh.NotHolder.class);
    assertThat(stored().sessionId()).isEqualTo("alice");
  }

  @Test
  void refresh_whenFree_isNotHolder() {
    assertThat(lock.refresh(KEY, ALICE).get()).isEqualTo(new Refresh.NotHolder(KEY, Option.none()));
  }

  @Test
  void refresh_byAHolderThatWasTakenOver_isNotHolder() {
    acquire(ALICE);
    now = now.plus(Duration.ofMinutes(6));
    acquire(BOB);

    assertThat(lock.refresh(KEY, ALICE).get()).isInstanceOf(Refresh.NotHolder.class);
    assertThat(stored().sessionId()).isEqualTo("bob");
  }

  @Test
  void release_byTheHolder_removesTheLease() {
    acquire(ALICE);

    Release result = lock.release(KEY, ALICE).get();

    assertThat(result).isInstanceOf(Release.Released.class);
    assertThat(((Release.Released) result).record().sessionId()).isEqualTo("alice");
    assertThat(store.read(KEY).get()).isEmpty();
  }

  @Test
  void release_byAnotherSession_isNotHolderAndKeepsTheLease() {
    acquire(ALICE);

    Release result = lock.release(KEY, BOB).get();

    assertThat(result).isInstanceOf(Release.NotHolder.class);
    assertThat(stored().sessionId()).isEqualTo("alice");
  }

  @Test
  void release_whenFree_isNotHolder() {
    assertThat(lock.release(KEY, ALICE).get()).isEqualTo(new Release.NotHolder(KEY, Option.none()));
  }

  @Test
  void forceRelease_removesAnyLeaseAndSaysWhose() {
    acquire(ALICE);

    Option<Slot> removed = lock.forceRelease(KEY).get();

    assertThat(removed.map(slot -> ((Slot.Held) slot).record().sessionId())).contains("alice");
    assertThat(store.read(KEY).get()).isEmpty();
    assertThat(lock.forceRelease(KEY).get()).isEmpty();
  }

  @Test
  void status_describesHolderLivenessAgeAndTimeLeft() {
    acquire(ALICE);
    now = now.plus(Duration.ofMinutes(2));

    LockStatus.Held held = (LockStatus.Held) lock.status(KEY).get();

    assertThat(held.record().sessionId()).isEqualTo("alice");
    assertThat(held.liveness()).isEqualTo(Liveness.ALIVE);
    assertThat(held.age()).isEqualTo(Duration.ofMinutes(2));
    assertThat(held.remaining()).isEqualTo(Duration.ofMinutes(3));
    assertThat(held.takeable()).isFalse();
    dead.add(100L);
    assertThat(((LockStatus.Held) lock.status(KEY).get()).takeable()).isTrue();
  }

  @Test
  void status_whenFreeOrUnreadable_saysSo() {
    assertThat(lock.status(KEY).get()).isEqualTo(new LockStatus.Free(KEY));
    store.putUnreadable(KEY, T0, "empty file");
    assertThat(lock.status(KEY).get()).isEqualTo(
        new LockStatus.Unreadable(KEY, T0, "empty file", T0.plus(Duration.ofMinutes(5))));
  }

  @Test
  void list_returnsEveryLockByKey() {
    LockKey other = LockKey.workspace(WorkspaceHash.of("/other"));
    acquire(ALICE);
    lock.acquire(other, BOB);

    List<LockStatus> all = lock.list().get();

    assertThat(all.map(LockStatus::key).toJavaList()).containsExactlyInAnyOrder(KEY, other);
    assertThat(all.map(LockStatus::key).toJavaList()).isSorted();
  }

  @Test
  void configuration_rejectsNonPositiveTtlAndAttempts() {
    assertThatThrownBy(() -> lock.withTtl(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> lock.acquire(KEY, ALICE, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> lock.withMaxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void workspaceHash_isTheSeedsMd5Prefix() {
    assertThat(ParallelSessionLock.workspaceHash("/home/user/my-project").hex()).isEqualTo("3ff20dc3f34a");
  }

  /** A store whose every call fails. */
  private static final class FailingStore implements LockStore {
    private final StoreFailure failure;

    FailingStore(StoreFailure failure) {
      this.failure = failure;
    }

    @Override
    public Either<StoreFailure, Option<Slot>> read(LockKey key) {
      return Either.left(failure);
    }

    @Override
    public Either<StoreFailure, WriteOutcome> create(LockKey key, LockRecord record) {
      return Either.left(failure);
    }

    @Override
    public Either<StoreFailure, WriteOutcome> replace(Slot expected, LockRecord next) {
      return Either.left(failure);
    }

    @Override
    public Either<StoreFailure, WriteOutcome> delete(Slot expected) {
      return Either.left(failure);
    }

    @Override
    public Either<StoreFailure, List<Slot>> list() {
      return Either.left(failure);
    }
  }

  /** A store that reads empty and loses every write, as if a rival always wrote first. */
  private static final class LosingStore implements LockStore {
    int writes;

    @Override
    public Either<StoreFailure, Option<Slot>> read(LockKey key) {
      return Either.right(Option.none());
    }

    @Override
    public Either<StoreFailure, WriteOutcome> create(LockKey key, LockRecord record) {
      writes++;
      return Either.right(WriteOutcome.CONFLICT);
    }

    @Override
    public Either<StoreFailure, WriteOutcome> replace(Slot expected, LockRecord next) {
      writes++;
      return Either.right(WriteOutcome.CONFLICT);
    }

    @Override
    public Either<StoreFailure, WriteOutcome> delete(Slot expected) {
      writes++;
      return Either.right(WriteOutcome.CONFLICT);
    }

    @Override
    public Either<StoreFailure, List<Slot>> list() {
      return Either.right(List.empty());
    }
  }

  @Test
  void releaseFromARead_whenTheSlotChangedSince_readsAgainAndJudgesAfresh() {
    acquire(ALICE);
    Slot read = store.read(KEY).get().get();
    now = T0.plusSeconds(10);
    lock.refresh(KEY, ALICE); // the slot changes after the read
    assertThat(lock.release(read, ALICE).get()).isInstanceOf(Release.Released.class);
    assertThat(store.read(KEY).get()).isEmpty();

    acquire(ALICE);
    Slot alices = store.read(KEY).get().get();
    dead.add(100L);
    acquire(BOB); // takes the dead holder's lease over
    assertThat(lock.release(alices, ALICE).get()).isInstanceOf(Release.NotHolder.class);
    assertThat(stored().sessionId()).isEqualTo("bob");
  }

  @Test
  void refreshFromARead_renewsForTheTtlGiven_andNeverAnotherHoldersLease() {
    acquire(ALICE);
    Slot read = store.read(KEY).get().get();
    now = T0.plusSeconds(10);

    assertThat(lock.refresh(read, ALICE, java.time.Duration.ofHours(8)).get()).isInstanceOf(Refresh.Refreshed.class);
    assertThat(stored().ttl()).isEqualTo(java.time.Duration.ofHours(8));
    assertThat(stored().acquiredAt()).isEqualTo(now);

    Slot renewed = store.read(KEY).get().get();
    assertThat(lock.refresh(renewed, BOB, java.time.Duration.ofHours(8)).get()).isInstanceOf(Refresh.NotHolder.class);
  }
}
