package dev.parallelsessionlock.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The workspace lease beside file locks: the rules of {@link WorkspaceLease}, one example each. */
final class WorkspaceLeaseTest {

  private static final Duration TTL = Duration.ofMinutes(5);
  private static final WorkspaceHash WS = WorkspaceHash.of("/repo");
  private static final LockKey LEASE = LockKey.workspace(WS);

  private Instant now = Instant.parse("2026-12-06T10:00:00Z");
  private final Clock clock = ((InstantSource) () -> now).withZone(ZoneOffset.UTC);
  private final ProcessLiveness liveness = process -> Liveness.ALIVE;
  private final CountingStore store = new CountingStore(new InMemoryLockStore());
  private final ParallelSessionLock lock = ParallelSessionLock.of(store, liveness, clock).withTtl(TTL);
  private final FileLocks files = FileLocks.of(lock, store, new InMemoryHolderIndex());
  private final WorkspaceLease lease = WorkspaceLease.of(files);

  private void advance(Duration by) {
    now = now.plus(by);
  }

  private static ProcessRef process(long pid) {
    return new ProcessRef(pid, Option.some("host"), Option.none(),
        Option.some(new ProcessRef.Identity("boot", "ns", pid)));
  }

  private static final Claimant ALICE = new Claimant("alice", process(100));
  private static final Claimant BOB = new Claimant("bob", process(200));

  /** Counts the store calls, to check what the common path costs. */
  private static final class CountingStore implements LockStore {
    final LockStore inner;
    int reads;
    int writes;
    int lists;

    CountingStore(LockStore inner) {
      this.inner = inner;
    }

    @Override
    public Either<StoreFailure, Option<Slot>> read(LockKey key) {
      reads++;
      return inner.read(key);
    }

    @Override
    public Either<StoreFailure, WriteOutcome> create(LockKey key, LockRecord record) {
      writes++;
      return inner.create(key, record);
    }

    @Override
    public Either<StoreFailure, WriteOutcome> replace(Slot expected, LockRecord next) {
      writes++;
      return inner.replace(expected, next);
    }

    @Override
    public Either<StoreFailure, WriteOutcome> delete(Slot expected) {
      writes++;
      return inner.delete(expected);
    }

    @Override
    public Either<StoreFailure, List<Slot>> list() {
      lists++;
      return inner.list();
    }

    @Override
    public Either<StoreFailure, java.util.List<Slot>> slots(String keyPrefix) {
      lists++;
      return inner.slots(keyPrefix);
    }
  }

  private static java.util.List<FileLocks.LockedFile> file(String path) {
    return java.util.List.of(new FileLocks.LockedFile(WS, path));
  }

  @Test
  void acquire_whileAnotherSessionHoldsFilesInTheWorkTree_isRefusedNamingThem_andLeavesNoLease() {
    files.acquire(file("/repo/a.txt"), BOB, TTL);

    WorkspaceAcquisition result = lease.acquire(WS, ALICE, TTL, Option.some("/repo")).get();

    assertThat(result).isInstanceOf(WorkspaceAcquisition.FilesHeld.class);
    assertThat(((WorkspaceAcquisition.FilesHeld) result).files()).extracting(held -> held.record().sessionId())
        .containsExactly("bob");
    assertThat(store.read(LEASE).get()).isEmpty();
  }

  @Test
  void acquire_besideTheSessionsOwnFiles_andItsTasks_isGranted() {
    files.acquire(file("/repo/a.txt"), ALICE, TTL);
    files.acquire(file("/repo/b.txt"), Claimant.task("T1", process(300), Option.some("alice")), TTL);

    assertThat(lease.acquire(WS, ALICE, TTL).get()).isInstanceOf(WorkspaceAcquisition.Acquired.class);
    assertThat(((Slot.Held) store.read(LEASE).get().get()).record().details().pendingSince())
        .as("settled once its check passed").isEmpty();
  }

  @Test
  void renewingAFreshSettledLease_isOneReadAndOneWrite_andListsNothing() {
    lease.acquire(WS, ALICE, TTL);
    advance(Duration.ofSeconds(30));
    store.reads = 0;
    store.writes = 0;
    store.lists = 0;

    assertThat(lease.acquire(WS, ALICE, TTL).get()).isInstanceOf(WorkspaceAcquisition.Acquired.class);

    assertThat(new int[] {store.reads, store.writes, store.lists}).containsExactly(1, 1, 0);
  }

  @Test
  void aGrantThatDiedBeforeItsCheck_makesTheSameSessionWait_thenItsGraceEnds_howeverOftenTheLeaseWasRefreshed() {
    // The first phase of a grant whose hook was killed right after its write: the lease stays marked pending.
    lock.grant(LEASE, ALICE, TTL, Option.none(), Option.none(), new ParallelSessionLock.Attempts() {
      @Override
      public Either<LockFailure, ParallelSessionLock.AttemptState> stateOf(LockRecord record) {
        return Either.right(ParallelSessionLock.AttemptState.SETTLED);
      }
    });
    advance(Duration.ofMillis(1500));
    lock.refresh(LEASE, ALICE); // the session's PostToolUse

    assertThat(lease.acquire(WS, ALICE, TTL).getLeft()).as("a grant of its own may still be checking")
        .isInstanceOf(LockFailure.Busy.class);
    assertThat(lease.acquire(WS, BOB, TTL).get()).as("to a rival it is held").isInstanceOf(WorkspaceAcquisition.Blocked.class);

    advance(Duration.ofMillis(600));
    assertThat(lease.acquire(WS, ALICE, TTL).get()).isInstanceOf(WorkspaceAcquisition.Acquired.class);
    assertThat(((Slot.Held) store.read(LEASE).get().get()).record().details().pendingSince()).isEmpty();
  }
}
