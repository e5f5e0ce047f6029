package dev.parallelsessionlock.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.vavr.control.Option;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class FileLocksTest {

  private static final Duration TTL = Duration.ofMinutes(5);
  private static final WorkspaceHash WS = WorkspaceHash.of("/repo");

  /** The time: it moves only when a test moves it. */
  private Instant now = Instant.parse("2026-11-29T10:00:00Z");
  private final Clock clock = ((InstantSource) () -> now).withZone(ZoneOffset.UTC);
  /** The processes a test has killed; every other one is alive. */
  private final Set<Long> dead = new HashSet<>();
  private final ProcessLiveness liveness = process -> dead.contains(process.pid()) ? Liveness.DEAD : Liveness.ALIVE;
  private final InMemoryLockStore store = new InMemoryLockStore();
  private final InMemoryHolderIndex index = new InMemoryHolderIndex();
  private final FileLocks locks = FileLocks.of(ParallelSessionLock.of(store, liveness, clock), store, index);

  private static ProcessRef process(long pid) {
    return new ProcessRef(pid, Option.some("host"), Option.none(),
        Option.some(new ProcessRef.Identity("boot", "ns", pid)));
  }

  private static final Claimant ALICE = new Claimant("alice", process(100));
  private static final Claimant BOB = new Claimant("bob", process(200));

  private static List<FileLocks.LockedFile> files(String... paths) {
    return java.util.Arrays.stream(paths).map(p -> new FileLocks.LockedFile(WS, p)).toList();
  }

  @Test
  void acquire_twoSessionsDifferentFiles_bothHoldTheirs() {
    assertThat(locks.acquire(files("/repo/a"), ALICE, TTL).get()).isInstanceOf(FileAcquisition.Acquired.class);
    assertThat(locks.acquire(files("/repo/b"), BOB, TTL).get()).isInstanceOf(FileAcquisition.Acquired.class);
  }

  @Test
  void acquire_patchOverAHeldFile_takesNothing_andNamesEveryHeldFileAndItsHolder() {
    locks.acquire(files("/repo/a", "/repo/c"), ALICE, TTL);

    FileAcquisition result = locks.acquire(files("/repo/a", "/repo/b", "/repo/c"), BOB, TTL).get();

    assertThat(result).isInstanceOf(FileAcquisition.Blocked.class);
    List<Acquisition.Blocked> held = ((FileAcquisition.Blocked) result).held();
    assertThat(held).extracting(b -> b.holder().get().details().path().get()).containsExactlyInAnyOrder("/repo/a", "/repo/c");
    assertThat(held).allMatch(b -> b.holder().get().sessionId().equals("alice"));
    assertThat(store.read(LockKey.file(WS, "/repo/b")).get()).as("b stays free").isEmpty();
    assertThat(index.keys("bob").get()).isEmpty();
  }

  @Test
  void rivals_areTheLocksAnAcquireWouldRefuse_forASessionAndForATaskOfIt() {
    Claimant carol = new Claimant("carol", process(300));
    Claimant dave = new Claimant("dave", process(400));
    Claimant task = Claimant.task("T1", process(100), Option.some("alice"));
    locks.acquire(files("/repo/c"), carol, Duration.ofMinutes(1));
    now = now.plus(Duration.ofMinutes(2));
    locks.acquire(files("/repo/a"), ALICE, TTL);
    locks.acquire(files("/repo/b"), BOB, TTL);
    locks.acquire(files("/repo/d"), dave, TTL);
    dead.add(400L);
    locks.acquire(files("/repo/e"), task, TTL);

    assertThat(locks.rivals(WS, ALICE).get()).extracting(h -> h.key()).containsExactly(LockKey.file(WS, "/repo/b"));
    assertThat(locks.rivals(WS, BOB).get()).extracting(h -> h.key())
        .containsExactlyInAnyOrder(LockKey.file(WS, "/repo/a"), LockKey.file(WS, "/repo/e"));
    assertThat(locks.rivals(WS, task).get()).as("a task may use its session's lock, as acquire would let it")
        .extracting(h -> h.key()).containsExactly(LockKey.file(WS, "/repo/b"));
  }

  @Test
  void acquire_sameSessionAgain_renewsTheLease() {
    locks.acquire(files("/repo/a"), ALICE, TTL);
    now = now.plus(Duration.ofMinutes(4));

    Acquisition.Acquired renewed = ((FileAcquisition.Acquired) locks.acquire(files("/repo/a"), ALICE, TTL).get()).files().get(0);

    assertThat(renewed.how()).isEqualTo(Acquisition.How.RENEWED);
    assertThat(renewed.record().expiresAt()).isEqualTo(clock.instant().plus(TTL));
  }

  @Test
  void taskLockTakenFromASession_letsThatSessionEdit_butNotAnother_andOnlyTheTaskReleasesIt() {
    Claimant task = Claimant.task("T1", process(100), Option.some("alice"));
    locks.acquire(files("/repo/a"), task, Duration.ofHours(1));

    assertThat(locks.acquire(files("/repo/a"), ALICE, TTL).get()).isInstanceOf(FileAcquisition.Acquired.class);
    assertThat(locks.acquire(files("/repo/a"), BOB, TTL).get()).isInstanceOf(FileAcquisition.Blocked.class);
    assertThat(locks.releaseAll(ALICE, true).get()).as("the session's end frees no task lock").isEmpty();
    LockRecord record = ((Slot.Held) store.read(LockKey.file(WS, "/repo/a")).get().get()).record();
    assertThat(record.sessionId()).isEqualTo("task:T1");
    assertThat(record.details().task()).contains("T1");
    assertThat(record.ttl()).as("the session's use keeps the task's lease length").isEqualTo(Duration.ofHours(1));

    assertThat(locks.releaseAll(task, false).get()).hasSize(1);
    assertThat(store.read(LockKey.file(WS, "/repo/a")).get()).isEmpty();
  }

  @Test
  void taskLock_ofAnotherSession_blocksASession() {
    locks.acquire(files("/repo/a"), Claimant.task("T2", process(300), Option.none()), TTL);

    FileAcquisition result = locks.acquire(files("/repo/a"), ALICE, TTL).get();

    assertThat(result).isInstanceOf(FileAcquisition.Blocked.class);
    assertThat(((FileAcquisition.Blocked) result).held().get(0).holder().get().details().task()).contains("T2");
  }

  @Test
  void acquire_fileOfADeadHolder_isTakenOverAtOnce() {
    locks.acquire(files("/repo/a"), ALICE, TTL);
    dead.add(100L);

    Acquisition.Acquired got = ((FileAcquisition.Acquired) locks.acquire(files("/repo/a"), BOB, TTL).get()).files().get(0);

    assertThat(got.how()).isEqualTo(Acquisition.How.TOOK_OVER_DEAD_HOLDER);
    assertThat(got.record().details().takenOverFrom()).contains("alice");
  }

  @Test
  void release_ofOneHolder_neverFreesAnothersFile() {
    locks.acquire(files("/repo/a"), ALICE, TTL);

    assertThat(locks.release(files("/repo/a"), BOB).get().get(0)).isInstanceOf(Release.NotHolder.class);
    assertThat(locks.releaseAll(BOB, true).get()).isEmpty();
    assertThat(store.read(LockKey.file(WS, "/repo/a")).get().isDefined()).isTrue();
  }

  @Test
  void releaseAll_withScan_findsLocksTheIndexDoesNotName() {
    locks.acquire(files("/repo/a", "/repo/b"), ALICE, TTL);
    index.remove("alice", LockKey.file(WS, "/repo/a"));

    assertThat(locks.releaseAll(ALICE, false).get()).hasSize(1);
    assertThat(locks.releaseAll(ALICE, true).get()).hasSize(1);
    assertThat(store.list().get()).isEmpty();
  }

  @Test
  void list_ofAWorkspace_showsOnlyItsFileLocks() {
    locks.acquire(files("/repo/a"), ALICE, TTL);
    locks.acquire(List.of(new FileLocks.LockedFile(WorkspaceHash.of("/other"), "/other/a")), BOB, TTL);
    ParallelSessionLock.of(store, liveness, clock).acquire(LockKey.workspace(WS), ALICE);

    assertThat(locks.list(Option.some(WS)).get()).hasSize(1);
    assertThat(locks.list(Option.none()).get()).hasSize(2);
  }
}
