package dev.parallelsessionlock.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.vavr.control.Option;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fair line's rules, one example each, with a fake clock. */
final class FairLineTest {

  private static final Duration TTL = Duration.ofMinutes(5);
  private static final WorkspaceHash WS = WorkspaceHash.of("/repo");
  private static final LockKey WORKSPACE = LockKey.workspace(WS);

  private final MutableClock clock = new MutableClock();
  private final FakeLiveness liveness = new FakeLiveness();

  /** A clock that moves only when told to (core's tests do not use the testkit, which depends on core). */
  private static final class MutableClock extends java.time.Clock {
    private java.time.Instant now = java.time.Instant.parse("2026-12-06T10:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public java.time.Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  /** A process is dead once killed. */
  private static final class FakeLiveness implements ProcessLiveness {
    private final java.util.Set<Long> dead = new java.util.HashSet<>();

    void kill(long pid) {
      dead.add(pid);
    }

    @Override
    public Liveness of(ProcessRef process) {
      return dead.contains(process.pid()) ? Liveness.DEAD : Liveness.ALIVE;
    }
  }
  private final InMemoryLockStore store = new InMemoryLockStore();
  private final ParallelSessionLock lock = ParallelSessionLock.of(store, liveness, clock);
  private final FileLocks files = FileLocks.of(lock, store, new InMemoryHolderIndex());
  private final FairLine line = FairLine.of(lock, store);

  private static ProcessRef process(long pid) {
    return new ProcessRef(pid, Option.some("host"), Option.none(),
        Option.some(new ProcessRef.Identity("boot", "ns", pid)));
  }

  private static final Claimant ALICE = new Claimant("alice", process(100));
  private static final Claimant BOB = new Claimant("bob", process(200));
  private static final Claimant CAROL = new Claimant("carol", process(300));

  private Turn<Acquisition> workspace(Claimant who) {
    return line.attempt(List.of(WORKSPACE), who, Grantor.lease(lock, WORKSPACE, who, TTL, Option.none())).get();
  }

  private static FileLocks.LockedFile file(String path) {
    return new FileLocks.LockedFile(WS, path);
  }

  private Turn<FileAcquisition> edit(Claimant who, String... paths) {
    List<FileLocks.LockedFile> wanted = new java.util.ArrayList<>();
    List<LockKey> keys = new java.util.ArrayList<>();
    for (String path : paths) {
      wanted.add(file(path));
      keys.add(file(path).key());
    }
    return line.attempt(keys, who, Grantor.files(files, wanted, who, TTL)).get();
  }

  private static int position(Turn<?> turn) {
    assertThat(turn).isInstanceOf(Turn.Waiting.class);
    return ((Turn.Waiting<?>) turn).position();
  }

  private List<String> waiting(LockKey key) {
    List<String> sessions = new java.util.ArrayList<>();
    for (Ticket ticket : line.line(key).get()) {
      sessions.add(ticket.record().get().sessionId() + (ticket.live() ? "" : " (gone)"));
    }
    return sessions;
  }

  @Test
  void attempt_freeKeyNoLine_grantsAndWritesNothingButTheLease() {
    assertThat(workspace(ALICE)).isInstanceOf(Turn.Granted.class);

    assertThat(store.list().get().map(Slot::key)).containsExactly(WORKSPACE);
  }

  private Turn<Acquisition> tryWorkspace(Claimant who) {
    return line.tryOnce(List.of(WORKSPACE), who, Grantor.lease(lock, WORKSPACE, who, TTL, Option.none())).get();
  }

  @Test
  void tryOnce_heldKey_isRefusedWithThePlaceItWouldTake_andWritesNothing() {
    workspace(ALICE);
    workspace(BOB);
    List<Slot> before = store.list().get().toJavaList();

    Turn<Acquisition> turn = tryWorkspace(CAROL);

    Turn.Waiting<?> waiting = (Turn.Waiting<?>) turn;
    assertThat(waiting.position()).isEqualTo(2);
    assertThat(waiting.refused()).as("bob waits ahead: carol's grant is not even tried").isEmpty();
    assertThat(waiting.holders()).singleElement().satisfies(h -> assertThat(h.holder().get().sessionId()).isEqualTo("alice"));
    assertThat(waiting.places()).singleElement().satisfies(place -> assertThat(place.own()).isEmpty());
    assertThat(store.list().get().toJavaList()).as("no ticket, no marker written").isEqualTo(before);
  }

  @Test
  void tryOnce_heldKeyNoLine_isRefusedByTheHolder_andFormsNoLine() {
    workspace(ALICE);

    Turn<Acquisition> turn = tryWorkspace(BOB);

    assertThat(((Turn.Waiting<?>) turn).refused()).isNotEmpty();
    assertThat(((Turn.Waiting<?>) turn).position()).isEqualTo(1);
    assertThat(store.list().get().map(Slot::key)).containsExactly(WORKSPACE);
  }

  @Test
  void tryOnce_byAWaiterWithAKeptPlace_isRefusedAndGivesThePlaceUp() {
    workspace(ALICE);
    workspace(BOB);
    workspace(CAROL);

    Turn<Acquisition> turn = tryWorkspace(BOB);

    assertThat(((Turn.Waiting<?>) turn).position()).as("the place it had").isEqualTo(1);
    assertThat(((Turn.Waiting<?>) turn).places()).singleElement().satisfies(place -> assertThat(place.own()).isEmpty());
    assertThat(waiting(WORKSPACE)).as("bob does not wait now").containsExactly("carol");
  }

  @Test
  void tryOnce_neverOvertakesALiveWaiter_butTheHeadWaitersTryIsGranted() {
    workspace(ALICE);
    workspace(BOB);
    lock.release(WORKSPACE, ALICE).get();

    assertThat(tryWorkspace(CAROL)).as("carol, a newcomer, behind bob").isInstanceOf(Turn.Waiting.class);
    assertThat(tryWorkspace(BOB)).as("bob, first in line, tries once").isInstanceOf(Turn.Granted.class);
    assertThat(waiting(WORKSPACE)).as("served, bob left the line").isEmpty();
  }

  @Test
  void attempt_heldKey_takesAPlaceAndNamesTheHolderAndTheLeaseEnd() {
    workspace(ALICE);
    clock.advance(Duration.ofMinutes(1));

    Turn<Acquisition> turn = workspace(BOB);

    Turn.Waiting<?> waiting = (Turn.Waiting<?>) turn;
    assertThat(waiting.position()).isEqualTo(1);
    assertThat(waiting.placeInLine()).isEqualTo("1st in line");
    assertThat(waiting.holders()).singleElement().satisfies(holder -> {
      assertThat(holder.holder().get().sessionId()).isEqualTo("alice");
      assertThat(holder.freeAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(4)));
    });
    assertThat(waiting.refused()).isNotEmpty();
    assertThat(waiting.places()).singleElement().satisfies(place -> {
      assertThat(place.own().get().keptUntil().get()).isEqualTo(clock.instant().plus(FairLine.DEFAULT_TICKET_TTL));
      assertThat(place.ahead()).isEmpty();
    });
    assertThat(waiting(WORKSPACE)).containsExactly("bob");
  }

  @Test
  void leaveAll_ofASessionWaitingForTwoKeys_removesItsPlacesAndNoOneElses() {
    workspace(ALICE);
    edit(ALICE, "a.txt");
    workspace(BOB);
    edit(BOB, "a.txt");
    workspace(CAROL);

    assertThat(line.leaveAll(BOB).get()).isEqualTo(2);

    assertThat(line.line(WORKSPACE).get()).singleElement()
        .satisfies(ticket -> assertThat(ticket.record().get().sessionId()).isEqualTo("carol"));
    assertThat(line.leaveAll(BOB).get()).isZero();
  }

  @Test
  void attempt_newcomerWhileTheKeyIsFree_neverOvertakesALiveWaiter() {
    workspace(ALICE);
    workspace(BOB);
    lock.release(WORKSPACE, ALICE);

    Turn<Acquisition> carol = workspace(CAROL);

    assertThat(position(carol)).isEqualTo(2);
    assertThat(((Turn.Waiting<?>) carol).placeInLine()).isEqualTo("2nd in line");
    assertThat(((Turn.Waiting<?>) carol).places().get(0).ahead()).extracting(t -> t.record().get().sessionId())
        .containsExactly("bob");
    assertThat(((Turn.Waiting<?>) carol).refused()).as("the line did not let it try").isEmpty();
    assertThat(lock.status(WORKSPACE).get()).isInstanceOf(LockStatus.Free.class);
  }

  @Test
  void attempt_headWaiterAfterTheRelease_isGrantedAndLeavesTheLine() {
    workspace(ALICE);
    workspace(BOB);
    workspace(CAROL);
    lock.release(WORKSPACE, ALICE);

    assertThat(workspace(BOB)).isInstanceOf(Turn.Granted.class);

    assertThat(waiting(WORKSPACE)).containsExactly("carol");
    assertThat(position(workspace(CAROL))).isEqualTo(1);
  }

  @Test
  void attempt_holderRenewingItsLease_isNeverBlockedByTheLine() {
    workspace(ALICE);
    workspace(BOB);
    clock.advance(Duration.ofMinutes(4));

    Turn<Acquisition> renewal = workspace(ALICE);

    assertThat(renewal).isInstanceOf(Turn.Granted.class);
    assertThat(((Acquisition.Acquired) ((Turn.Granted<Acquisition>) renewal).outcome()).how())
        .isEqualTo(Acquisition.How.RENEWED);
  }

  @Test
  void attempt_deadWaiterAhead_isSkippedAndItsTicketRemoved() {
    workspace(ALICE);
    workspace(BOB);
    workspace(CAROL);
    lock.release(WORKSPACE, ALICE);
    liveness.kill(200);

    assertThat(workspace(CAROL)).isInstanceOf(Turn.Granted.class);

    assertThat(line.line(WORKSPACE).get()).isEmpty();
  }

  @Test
  void attempt_waiterThatDidNotTryAgainWithinTheTicketTtl_losesItsPlace() {
    workspace(ALICE);
    workspace(BOB);
    clock.advance(Duration.ofSeconds(30));
    workspace(CAROL);
    clock.advance(Duration.ofSeconds(31)); // bob's ticket ran out, carol's did not
    lock.release(WORKSPACE, ALICE);

    assertThat(workspace(CAROL)).isInstanceOf(Turn.Granted.class);
    assertThat(position(workspace(BOB))).isEqualTo(1);
  }

  @Test
  void attempt_deniedWaiterTryingAgainWithinTheTicketTtl_keepsItsPlace() {
    workspace(ALICE);
    workspace(BOB);
    clock.advance(Duration.ofSeconds(30));
    workspace(CAROL);
    clock.advance(Duration.ofSeconds(25));
    assertThat(position(workspace(BOB))).isEqualTo(1); // renews its ticket
    clock.advance(Duration.ofSeconds(40)); // carol's ticket ran out meanwhile; bob's did not
    lock.release(WORKSPACE, ALICE);

    assertThat(position(workspace(CAROL))).as("carol joined again, behind bob").isEqualTo(2);
    assertThat(workspace(BOB)).isInstanceOf(Turn.Granted.class);
  }

  @Test
  void attempt_staleHolder_isTakenOverByTheHeadWaiter() {
    workspace(ALICE);
    workspace(BOB);
    workspace(CAROL);
    clock.advance(TTL.minusSeconds(10));
    workspace(BOB);
    workspace(CAROL);
    clock.advance(Duration.ofSeconds(10));

    assertThat(position(workspace(CAROL))).isEqualTo(2);
    Turn<Acquisition> bob = workspace(BOB);
    assertThat(((Acquisition.Acquired) ((Turn.Granted<Acquisition>) bob).outcome()).how())
        .isEqualTo(Acquisition.How.TOOK_OVER_STALE);
  }

  @Test
  void attempt_twoSessionsEachHoldingWhatTheOtherWaitsFor_answersTheYoungerAtOnce() {
    edit(ALICE, "/repo/a");
    edit(BOB, "/repo/b");
    assertThat(position(edit(ALICE, "/repo/b"))).isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));

    Turn<FileAcquisition> bob = edit(BOB, "/repo/a");

    assertThat(bob).isInstanceOf(Turn.Deadlock.class);
    assertThat(((Turn.Deadlock<?>) bob).cycle()).extracting(Turn.Wait::waiter, Turn.Wait::on)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("bob", "alice"),
            org.assertj.core.groups.Tuple.tuple("alice", "bob"));
    assertThat(waiting(file("/repo/a").key())).as("the younger left the line").isEmpty();
    assertThat(position(edit(ALICE, "/repo/b"))).as("the older keeps waiting").isEqualTo(1);
  }

  @Test
  void attempt_cycleThroughAWaiterAhead_isAnsweredToo() {
    edit(ALICE, "/repo/a");
    edit(BOB, "/repo/c");
    assertThat(position(edit(CAROL, "/repo/a", "/repo/c"))).isEqualTo(1); // waits for alice's a and bob's c
    clock.advance(Duration.ofSeconds(1));

    // bob waits for a behind carol, who waits for c, which bob holds.
    Turn<FileAcquisition> bob = edit(BOB, "/repo/a");

    assertThat(bob).isInstanceOf(Turn.Deadlock.class);
    assertThat(((Turn.Deadlock<?>) bob).cycle()).extracting(Turn.Wait::waiter, Turn.Wait::on, Turn.Wait::holds)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("bob", "carol", false),
            org.assertj.core.groups.Tuple.tuple("carol", "bob", true));
  }

  @Test
  void attempt_severalFilesWantedInOppositeOrders_waitersNeverWaitForEachOther() {
    edit(ALICE, "/repo/a", "/repo/b");
    assertThat(position(edit(BOB, "/repo/a", "/repo/b"))).isEqualTo(1);
    assertThat(position(edit(CAROL, "/repo/b", "/repo/a"))).isEqualTo(2);
    files.releaseAll(ALICE, false);

    assertThat(position(edit(CAROL, "/repo/a", "/repo/b"))).isEqualTo(2);
    assertThat(edit(BOB, "/repo/b", "/repo/a")).isInstanceOf(Turn.Granted.class);
    assertThat(position(edit(CAROL, "/repo/a", "/repo/b"))).isEqualTo(1);
  }

  @Test
  void attempt_oneFileOfSeveralHeldByTheCaller_waitsOnlyInTheOtherLine() {
    edit(ALICE, "/repo/a");
    edit(BOB, "/repo/b");
    edit(CAROL, "/repo/a");

    Turn<FileAcquisition> alice = edit(ALICE, "/repo/a", "/repo/b");

    assertThat(((Turn.Waiting<?>) alice).places()).extracting(Turn.Place::key).containsExactly(file("/repo/b").key());
    assertThat(waiting(file("/repo/a").key())).containsExactly("carol");
  }

  @Test
  void attempt_markerRemovedWhileWaitersWait_isWrittenAgainByTheNextAttempt() {
    workspace(ALICE);
    workspace(BOB);
    lock.forceRelease(FairLine.markerKey(WORKSPACE)); // as a prune might

    workspace(BOB);

    assertThat(store.read(FairLine.markerKey(WORKSPACE)).get()).isNotEmpty();
    lock.release(WORKSPACE, ALICE);
    assertThat(position(workspace(CAROL))).isEqualTo(2);
  }

  @Test
  void attempt_workspaceWhileOthersHoldFiles_waitsNamingTheFilesHolders() {
    WorkspaceLease lease = WorkspaceLease.of(files);
    edit(ALICE, "/repo/a");
    Grantor<WorkspaceAcquisition> bobsLease = Grantor.workspace(lease, WS, BOB, TTL, Option.some("/repo"));

    Turn<WorkspaceAcquisition> bob = line.attempt(List.of(WORKSPACE), BOB, bobsLease).get();

    assertThat(((Turn.Waiting<WorkspaceAcquisition>) bob).refused().get())
        .isInstanceOf(WorkspaceAcquisition.FilesHeld.class);
    assertThat(((Turn.Waiting<?>) bob).holders()).singleElement().satisfies(holder -> {
      assertThat(holder.key()).isEqualTo(file("/repo/a").key());
      assertThat(holder.holder().get().sessionId()).isEqualTo("alice");
    });
    files.releaseAll(ALICE, false);
    assertThat(line.attempt(List.of(WORKSPACE), BOB, bobsLease).get()).isInstanceOf(Turn.Granted.class);
  }

  @Test
  void attempt_ticketsInAnotherStoreThanTheLocks_keepTheLockStoreToItsOwnRecords() {
    InMemoryLockStore lineStore = new InMemoryLockStore();
    FairLine claims = FairLine.of(lock, lineStore);
    LockKey item = LockKey.claim("/items/WRK-1.md");
    lock.acquire(item, ALICE);

    Turn<Acquisition> bob = claims.attempt(List.of(item), BOB, Grantor.lease(lock, item, BOB, TTL, Option.none())).get();
    Turn<Acquisition> carol =
        claims.attempt(List.of(item), CAROL, Grantor.lease(lock, item, CAROL, TTL, Option.none())).get();

    assertThat(position(bob)).isEqualTo(1);
    assertThat(position(carol)).isEqualTo(2);
    assertThat(store.list().get().map(Slot::key)).containsExactly(item);
    assertThat(lineStore.list().get()).hasSize(3); // the marker and two tickets
  }

  @Test
  void leave_removesOnlyTheCallersTickets() {
    workspace(ALICE);
    workspace(BOB);
    workspace(CAROL);

    assertThat(line.leave(List.of(WORKSPACE), BOB).get()).isEqualTo(1);

    assertThat(waiting(WORKSPACE)).containsExactly("carol");
  }

  @Test
  void ticketKey_ofAnyKey_isAValidKeyListedOnlyInItsOwnLine() {
    LockKey longest = new LockKey("k".repeat(120));
    LockKey a = new LockKey("a");
    LockKey lookalike = new LockKey("a.0000000000000000001");

    assertThat(FairLine.ticketKey(longest, Long.MAX_VALUE).name()).hasSizeLessThanOrEqualTo(120);
    assertThat(FairLine.markerKey(longest).name()).hasSizeLessThanOrEqualTo(120);
    lock.acquire(lookalike, ALICE);
    line.attempt(List.of(lookalike), BOB, Grantor.lease(lock, lookalike, BOB, TTL, Option.none()));

    assertThat(line.line(lookalike).get()).hasSize(1);
    assertThat(line.line(a).get()).isEmpty();
  }

  @Test
  void placeInLine_ordinals() {
    assertThat(Turn.ordinal(1)).isEqualTo("1st");
    assertThat(Turn.ordinal(2)).isEqualTo("2nd");
    assertThat(Turn.ordinal(3)).isEqualTo("3rd");
    assertThat(Turn.ordinal(4)).isEqualTo("4th");
    assertThat(Turn.ordinal(11)).isEqualTo("11th");
    assertThat(Turn.ordinal(12)).isEqualTo("12th");
    assertThat(Turn.ordinal(13)).isEqualTo("13th");
    assertThat(Turn.ordinal(21)).isEqualTo("21st");
    assertThat(Turn.ordinal(112)).isEqualTo("112th");
  }
}
