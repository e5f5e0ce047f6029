package dev.parallelsessionlock.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.FileAcquisition;
import dev.parallelsessionlock.core.FileLocks;
import dev.parallelsessionlock.core.Grantor;
import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.core.InMemoryHolderIndex;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockStatus;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Ticket;
import dev.parallelsessionlock.core.Turn;
import dev.parallelsessionlock.core.WorkspaceHash;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The fair line ({@link FairLine}) against a small model of it, over any store: extend this with a store factory
 * ({@link #newStore}, and {@link #newIndex} when the store has a holder index of its own).
 *
 * <p>The model: per file, its holder and lease end, and the line, an ordered list of waiters, each with when it
 * joined and its last attempt. A waiter is live while its process is and its last attempt is less than a ticket ttl
 * ago. An attempt at some files: the files the session holds fresh need no turn; for the rest, when a live waiter is
 * ahead of it (a newcomer: any live waiter), it waits; else the grant is tried, all or nothing, and refused when
 * another live session holds one of the files fresh. Waiting, it renews its place or joins at the back. A waiter
 * waits for the holders of its files and the live waiters ahead of it; one that reaches itself through those waits,
 * and is the youngest (latest join) of the waiters it reaches and is reached by, is answered with a deadlock and
 * leaves its lines.
 *
 * <p>Random runs of attempts (one to three files), releases, giving up, clock steps and deaths over four sessions
 * and three files: every turn is the model's (granted, waiting at the model's place, or deadlock), and after every
 * step the store's holders are the model's. So: first come, first served among live waiters; no newcomer overtakes a
 * live waiter; a dead or vanished waiter is skipped; the head waiter's next attempt after a release is granted; the
 * holder's renewal is never blocked; a deadlock is answered.
 */
public abstract class FairLineProperties {

  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
  private static final int SESSIONS = 4;
  private static final int FILES = 3;
  private static final WorkspaceHash WS = WorkspaceHash.of("/repo");
  private static final Duration LEASE = Duration.ofSeconds(120);
  private static final Duration TICKET = Duration.ofSeconds(30);

  /** A new, empty store for one run. */
  protected abstract LockStore newStore();

  /** The holder index beside {@code store}. */
  protected HolderIndex newIndex(LockStore store) {
    return new InMemoryHolderIndex();
  }

  /** Runs per property; a store that writes to disk or over a network may ask for fewer. */
  protected int examples() {
    return 300;
  }

  /** One step of a generated run. */
  sealed interface Op {
    /** {@code files}: a bit mask of the three files, 1 to 7. */
    record Attempt(int session, int files) implements Op {}

    /** One try that keeps no place ({@link FairLine#tryOnce}): waiting turned off. */
    record Try(int session, int files) implements Op {}

    record Release(int session) implements Op {}

    record Leave(int session, int files) implements Op {}

    record Advance(int millis) implements Op {}

    record Kill(int session) implements Op {}
  }

  private static final Gen<Integer> SESSION = integers().between(0, SESSIONS - 1);
  private static final Gen<Integer> MASK = integers().between(1, (1 << FILES) - 1);

  private static final Gen<Op> OPS = Generate.frequency(java.util.List.of(
      Pair.of(12, SESSION.zip(MASK, (s, m) -> (Op) new Op.Attempt(s, m))),
      Pair.of(3, SESSION.zip(MASK, (s, m) -> (Op) new Op.Try(s, m))),
      Pair.of(3, SESSION.map(s -> (Op) new Op.Release(s))),
      Pair.of(1, SESSION.zip(MASK, (s, m) -> (Op) new Op.Leave(s, m))),
      Pair.of(3, integers().between(0, 40_000).map(ms -> (Op) new Op.Advance(ms))),
      Pair.of(1, SESSION.map(s -> (Op) new Op.Kill(s)))));

  @Test
  public void line_agreesWithTheModel() {
    Stats stats = new Stats();
    qt().withExamples(examples()).forAll(lists().of(OPS).ofSizeBetween(1, 80))
        .checkAssert(ops -> new Run(newStore(), stats).play(ops));
    // The runs must have reached what the properties are about, or they tested little.
    assertThat(stats.grantedAfterWaiting.get()).as("waiters served").isPositive();
    assertThat(stats.waitedBehind.get()).as("waiters kept behind a live waiter").isPositive();
    assertThat(stats.skipped.get()).as("grants past a dead or vanished waiter").isPositive();
    assertThat(stats.deadlocks.get()).as("deadlocks answered").isPositive();
    assertThat(stats.renewedPastWaiters.get()).as("holders renewing while others wait").isPositive();
    assertThat(stats.triedWithoutPlace.get()).as("tries refused that kept no place").isPositive();
  }

  /**
   * First come, first served: sessions join the line of one held file in a random order; after the holder releases,
   * whoever of them attempts, in any order, the one granted is always the earliest still waiting (no lost wake-up:
   * the head's attempt is granted at once), and each other is told its place.
   */
  @Test
  public void line_servesLiveWaitersInArrivalOrder() {
    qt().withExamples(examples()).forAll(
            lists().of(integers().between(1, SESSIONS - 1)).ofSizeBetween(1, 12),
            lists().of(integers().between(1, SESSIONS - 1)).ofSizeBetween(1, 40))
        .checkAssert((joins, attempts) -> {
          Run run = new Run(newStore(), new Stats());
          run.attempt(0, 1);
          List<Integer> order = new ArrayList<>();
          for (int session : joins) {
            run.attempt(session, 1);
            if (!order.contains(session)) {
              order.add(session);
            }
          }
          run.release(0);
          for (int session : attempts) {
            Turn<FileAcquisition> turn = run.attempt(session, 1);
            if (order.isEmpty() || order.get(0) == session) {
              assertThat(turn).as("s%d first in line", session).isInstanceOf(Turn.Granted.class);
              order.remove((Integer) session);
              run.release(session);
            } else if (order.contains(session)) {
              assertThat(((Turn.Waiting<?>) turn).position()).isEqualTo(order.indexOf(session) + 1);
            } else {
              assertThat(((Turn.Waiting<?>) turn).position()).as("a newcomer goes to the back")
                  .isEqualTo(order.size() + 1);
              order.add(session);
            }
          }
        });
  }

  /**
   * Joins race: four sessions attempt, at the same moment in four threads, two or three of three held files each.
   * Every one waits (nobody reaches past the holder, no deadlock among mere waiters), holds exactly one place in the
   * line of each file it wants, with one number for all of them, so two waiters stand in the same order in every line
   * they share; and once the holder is gone, they are served in that order.
   */
  @Test
  public void line_racingJoins_giveOnePlacePerFileInOneOrder() {
    qt().withExamples(Math.max(20, examples() / 10))
        .forAll(lists().of(integers().between(3, 7).map(m -> m == 4 ? 5 : m)).ofSize(SESSIONS - 1))
        .checkAssert(masks -> {
          Run run = new Run(newStore(), new Stats());
          run.attempt(0, 7);
          java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(masks.size());
          List<Thread> threads = new ArrayList<>();
          List<Object> turns = java.util.Collections.synchronizedList(new ArrayList<>());
          for (int i = 0; i < masks.size(); i++) {
            int session = i + 1;
            int mask = masks.get(i);
            threads.add(new Thread(() -> {
              try {
                start.await();
                turns.add(run.line.attempt(run.keysOf(mask), run.claimant(session),
                    Grantor.files(run.files, run.filesIn(mask), run.claimant(session), LEASE)));
              } catch (Exception e) {
                turns.add(e);
              }
            }));
          }
          threads.forEach(Thread::start);
          for (Thread thread : threads) {
            try {
              thread.join();
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
          }
          for (Object turn : turns) {
            assertThat(turn).isInstanceOf(io.vavr.control.Either.class);
            assertThat(((io.vavr.control.Either<?, ?>) turn).get()).as("everyone waits").isInstanceOf(Turn.Waiting.class);
          }
          java.util.Map<String, Long> numbers = new java.util.HashMap<>();
          for (int f = 0; f < FILES; f++) {
            List<Ticket> tickets = run.line.line(run.file(f).key()).get();
            Set<String> waiters = new HashSet<>();
            for (Ticket ticket : tickets) {
              String session = ticket.record().get().sessionId();
              assertThat(waiters.add(session)).as("one place per waiter in f%d", f).isTrue();
              Long before = numbers.putIfAbsent(session, ticket.number());
              assertThat(before == null ? ticket.number() : before).as("one number for all of %s's files", session)
                  .isEqualTo(ticket.number());
            }
            for (int i = 0; i < masks.size(); i++) {
              assertThat(waiters.contains("s" + (i + 1))).isEqualTo((masks.get(i) & (1 << f)) != 0);
            }
          }
          run.liveness.kill(run.claimant(0).process().pid());
          List<String> byNumber = new ArrayList<>(numbers.keySet());
          byNumber.sort(java.util.Comparator.comparing(numbers::get));
          for (int served = 0; served < byNumber.size(); served++) {
            for (int i = 0; i < masks.size(); i++) {
              Claimant who = run.claimant(i + 1);
              if (!numbers.containsKey(who.sessionId())) {
                continue;
              }
              Turn<FileAcquisition> turn = run.line.attempt(run.keysOf(masks.get(i)), who,
                  Grantor.files(run.files, run.filesIn(masks.get(i)), who, LEASE)).get();
              boolean next = who.sessionId().equals(byNumber.get(served));
              if (next) {
                assertThat(turn).as("%s is next", who.sessionId()).isInstanceOf(Turn.Granted.class);
                run.files.releaseAll(who, false);
                numbers.remove(who.sessionId());
              }
            }
          }
          assertThat(numbers).as("everyone was served").isEmpty();
        });
  }

  /** What the runs reached, over all runs of a property. */
  private static final class Stats {
    final AtomicInteger grantedAfterWaiting = new AtomicInteger();
    final AtomicInteger waitedBehind = new AtomicInteger();
    final AtomicInteger skipped = new AtomicInteger();
    final AtomicInteger deadlocks = new AtomicInteger();
    final AtomicInteger renewedPastWaiters = new AtomicInteger();
    final AtomicInteger triedWithoutPlace = new AtomicInteger();
  }

  /** A waiter in the model's line of one file. */
  private static final class Entry {
    final int session;
    final Instant joined;
    Instant renewed;

    Entry(int session, Instant joined) {
      this.session = session;
      this.joined = joined;
      this.renewed = joined;
    }
  }

  /** The model's holder of one file. */
  private record Holding(int session, Instant leaseEnd) {}

  /** One run: the line under test over a fresh store, and the model beside it. */
  private final class Run {
    final MutableClock clock = new MutableClock(T0);
    final FakeLiveness liveness = new FakeLiveness();
    final LockStore store;
    final ParallelSessionLock lock;
    final FileLocks files;
    final FairLine line;
    final Stats stats;
    final Holding[] holders = new Holding[FILES];
    final List<List<Entry>> lines = new ArrayList<>();
    final boolean[] dead = new boolean[SESSIONS];

    Run(LockStore store, Stats stats) {
      this.store = store;
      this.lock = ParallelSessionLock.of(store, liveness, clock);
      this.files = FileLocks.of(lock, store, newIndex(store));
      this.line = FairLine.of(lock, store).withTicketTtl(TICKET);
      this.stats = stats;
      for (int f = 0; f < FILES; f++) {
        lines.add(new ArrayList<>());
      }
    }

    Claimant claimant(int session) {
      long pid = 100L * (session + 1);
      return new Claimant("s" + session, new ProcessRef(pid, Option.some("host"), Option.none(),
          Option.some(new ProcessRef.Identity("boot", "ns", pid))));
    }

    FileLocks.LockedFile file(int f) {
      return new FileLocks.LockedFile(WS, "/repo/f" + f);
    }

    List<LockKey> keysOf(int mask) {
      List<LockKey> keys = new ArrayList<>();
      for (int f : filesOf(mask)) {
        keys.add(file(f).key());
      }
      return keys;
    }

    List<FileLocks.LockedFile> filesIn(int mask) {
      List<FileLocks.LockedFile> wanted = new ArrayList<>();
      for (int f : filesOf(mask)) {
        wanted.add(file(f));
      }
      return wanted;
    }

    List<Integer> filesOf(int mask) {
      List<Integer> chosen = new ArrayList<>();
      for (int f = 0; f < FILES; f++) {
        if ((mask & (1 << f)) != 0) {
          chosen.add(f);
        }
      }
      return chosen;
    }

    void play(List<Op> ops) {
      for (Op op : ops) {
        if (op instanceof Op.Attempt attempt) {
          if (!dead[attempt.session()]) {
            attempt(attempt.session(), attempt.files());
          }
        } else if (op instanceof Op.Try once) {
          if (!dead[once.session()]) {
            step(once.session(), once.files(), false);
          }
        } else if (op instanceof Op.Release release) {
          if (!dead[release.session()]) {
            release(release.session());
          }
        } else if (op instanceof Op.Leave leave) {
          if (!dead[leave.session()]) {
            leave(leave.session(), leave.files());
          }
        } else if (op instanceof Op.Advance advance) {
          clock.advance(Duration.ofMillis(advance.millis()));
        } else {
          int session = ((Op.Kill) op).session();
          dead[session] = true;
          liveness.kill(claimant(session).process().pid());
        }
        checkHolders(op);
      }
    }

    // ---- The model ----

    Instant now() {
      return clock.instant();
    }

    boolean live(Entry entry) {
      return !dead[entry.session] && now().isBefore(entry.renewed.plus(TICKET));
    }

    boolean holdsFresh(int session, int f) {
      return holders[f] != null && holders[f].session() == session && now().isBefore(holders[f].leaseEnd());
    }

    /** Another live session's fresh lease on {@code f}: what refuses a grant. */
    Option<Integer> blocker(int session, int f) {
      Holding holding = holders[f];
      return holding != null && holding.session() != session && now().isBefore(holding.leaseEnd())
          && !dead[holding.session()] ? Option.some(holding.session()) : Option.none();
    }

    /** The live waiters ahead of {@code session} in the line of {@code f}: all of them when it has no place. */
    List<Entry> ahead(int session, int f) {
      List<Entry> ahead = new ArrayList<>();
      for (Entry entry : lines.get(f)) {
        if (entry.session == session && live(entry)) {
          break;
        }
        if (live(entry) && entry.session != session) {
          ahead.add(entry);
        }
      }
      return ahead;
    }

    Entry own(int session, int f) {
      for (Entry entry : lines.get(f)) {
        if (entry.session == session && live(entry)) {
          return entry;
        }
      }
      return null;
    }

    /** The sessions {@code waiter} waits for: the holders of its files and the live waiters ahead of it. */
    Set<Integer> waitsFor(int waiter) {
      Set<Integer> on = new HashSet<>();
      for (int f = 0; f < FILES; f++) {
        if (own(waiter, f) == null) {
          continue;
        }
        on.addAll(blocker(waiter, f).toJavaList());
        for (Entry entry : ahead(waiter, f)) {
          on.add(entry.session);
        }
      }
      return on;
    }

    /** Whether {@code session} is on a cycle of waits and the youngest of its knot (reaches it, is reached by it). */
    boolean answeredWithDeadlock(int session) {
      Set<Integer> reached = new LinkedHashSet<>();
      List<Integer> queue = new ArrayList<>(List.of(session));
      boolean cycle = false;
      for (int next = 0; next < queue.size(); next++) {
        for (int on : waitsFor(queue.get(next))) {
          cycle |= on == session;
          if (on != session && reached.add(on)) {
            queue.add(on);
          }
        }
      }
      if (!cycle) {
        return false;
      }
      List<Integer> knot = new ArrayList<>(List.of(session));
      for (boolean changed = true; changed; ) {
        changed = false;
        for (int waiter : reached) {
          if (!knot.contains(waiter) && waitsFor(waiter).stream().anyMatch(knot::contains)) {
            knot.add(waiter);
            changed = true;
          }
        }
      }
      int youngest = -1;
      Instant joined = null;
      for (int member : knot) {
        Instant latest = Instant.MIN;
        for (int f = 0; f < FILES; f++) {
          Entry entry = own(member, f);
          if (entry != null && entry.joined.isAfter(latest)) {
            latest = entry.joined;
          }
        }
        if (youngest < 0 || latest.isAfter(joined) || (latest.equals(joined) && member > youngest)) {
          youngest = member;
          joined = latest;
        }
      }
      return youngest == session;
    }

    // ---- Steps: the core and the model side by side ----

    Turn<FileAcquisition> attempt(int session, int mask) {
      return step(session, mask, true);
    }

    /** The names of the line's records in the store (tickets and markers). */
    Set<String> lineRecords() {
      Set<String> names = new HashSet<>();
      for (dev.parallelsessionlock.core.Slot slot : store.list().get()) {
        if (FairLine.isLineRecord(slot.key())) {
          names.add(slot.key().name());
        }
      }
      return names;
    }

    /** An attempt ({@code keep}) or a try that keeps no place, in the core and in the model. */
    Turn<FileAcquisition> step(int session, int mask, boolean keep) {
      List<Integer> chosen = filesOf(mask);
      Set<String> recordsBefore = keep ? Set.of() : lineRecords();
      Claimant me = claimant(session);
      List<FileLocks.LockedFile> wanted = new ArrayList<>();
      List<LockKey> keys = new ArrayList<>();
      for (int f : chosen) {
        wanted.add(file(f));
        keys.add(file(f).key());
      }
      Turn<FileAcquisition> turn = keep ? line.attempt(keys, me, Grantor.files(files, wanted, me, LEASE)).get()
          : line.tryOnce(keys, me, Grantor.files(files, wanted, me, LEASE)).get();

      List<Integer> waitFor = new ArrayList<>();
      boolean someoneAhead = false;
      boolean skipping = false;
      boolean othersWaiting = false;
      for (int f : chosen) {
        othersWaiting |= !ahead(-1, f).isEmpty();
        if (!holdsFresh(session, f)) {
          waitFor.add(f);
          someoneAhead |= !ahead(session, f).isEmpty();
          for (Entry entry : lines.get(f)) {
            skipping |= entry.session != session && !live(entry);
          }
        }
      }
      boolean refused = false;
      for (int f : chosen) {
        refused |= blocker(session, f).isDefined();
      }
      if (!someoneAhead && !refused) {
        assertThat(turn).as("s%d at %s: its turn, nothing refuses it", session, chosen).isInstanceOf(Turn.Granted.class);
        boolean waited = false;
        for (int f : chosen) {
          waited |= lines.get(f).removeIf(entry -> entry.session == session);
          holders[f] = new Holding(session, now().plus(LEASE));
        }
        stats.grantedAfterWaiting.addAndGet(waited ? 1 : 0);
        stats.skipped.addAndGet(skipping ? 1 : 0);
        stats.renewedPastWaiters.addAndGet(waitFor.isEmpty() && othersWaiting ? 1 : 0);
        return turn;
      }
      if (!someoneAhead) {
        // The grant was tried and refused: as FileLocks does, the files the session held fresh stay renewed.
        for (int f : chosen) {
          if (holdsFresh(session, f)) {
            holders[f] = new Holding(session, now().plus(LEASE));
          }
        }
      }
      int position = 1;
      for (int f : waitFor) {
        Entry entry = own(session, f);
        if (!keep) {
          // no ticket written or renewed: the place it would take (behind every live waiter when it has none)
        } else if (entry == null) {
          lines.get(f).removeIf(old -> old.session == session);
          lines.get(f).add(new Entry(session, now()));
        } else {
          entry.renewed = now();
        }
        position = Math.max(position, ahead(session, f).size() + 1);
      }
      if (!keep) {
        boolean kept = false;
        for (int f : waitFor) {
          kept |= own(session, f) != null;
        }
        for (int f = 0; kept && f < FILES; f++) {
          if (chosen.contains(f)) {
            lines.get(f).removeIf(entry -> entry.session == session); // it does not wait now: its place is given up
          }
        }
        Set<String> after = lineRecords();
        after.removeAll(recordsBefore);
        assertThat(after).as("s%d's try at %s wrote no ticket or marker", session, chosen).isEmpty();
        stats.triedWithoutPlace.incrementAndGet();
      }
      if (keep && answeredWithDeadlock(session)) {
        assertThat(turn).as("s%d at %s: deadlock", session, chosen).isInstanceOf(Turn.Deadlock.class);
        List<Turn.Wait> cycle = ((Turn.Deadlock<?>) turn).cycle();
        assertThat(cycle.get(0).waiter()).isEqualTo(me.sessionId());
        assertThat(cycle.get(cycle.size() - 1).on()).isEqualTo(me.sessionId());
        for (int i = 1; i < cycle.size(); i++) {
          assertThat(cycle.get(i).waiter()).as("a cycle of waits").isEqualTo(cycle.get(i - 1).on());
        }
        for (int f : waitFor) {
          lines.get(f).removeIf(entry -> entry.session == session);
        }
        stats.deadlocks.incrementAndGet();
        return turn;
      }
      assertThat(turn).as("s%d at %s: waits", session, chosen).isInstanceOf(Turn.Waiting.class);
      Turn.Waiting<?> waiting = (Turn.Waiting<?>) turn;
      assertThat(waiting.position()).as("s%d's place", session).isEqualTo(position);
      assertThat(waiting.refused().isDefined()).as("the line let s%d try", session).isEqualTo(!someoneAhead);
      Set<String> holdersSeen = new HashSet<>();
      for (Acquisition.Blocked blocked : waiting.holders()) {
        holdersSeen.add(blocked.holder().get().sessionId());
      }
      Set<String> expected = new HashSet<>();
      for (int f : (someoneAhead ? waitFor : chosen)) {
        for (int holder : blocker(session, f)) {
          expected.add("s" + holder);
        }
      }
      assertThat(holdersSeen).as("the holders s%d is told", session).isEqualTo(expected);
      stats.waitedBehind.addAndGet(someoneAhead ? 1 : 0);
      return turn;
    }

    void release(int session) {
      files.releaseAll(claimant(session), false).get();
      for (int f = 0; f < FILES; f++) {
        if (holders[f] != null && holders[f].session() == session) {
          holders[f] = null;
        }
      }
    }

    void leave(int session, int mask) {
      List<LockKey> keys = new ArrayList<>();
      for (int f : filesOf(mask)) {
        keys.add(file(f).key());
        lines.get(f).removeIf(entry -> entry.session == session);
      }
      line.leave(keys, claimant(session)).get();
    }

    /** The store's holders are the model's: who holds each file fresh, and who does not. */
    void checkHolders(Op op) {
      for (int f = 0; f < FILES; f++) {
        for (int session = 0; session < SESSIONS; session++) {
          if (dead[session]) {
            continue;
          }
          LockStatus status = lock.status(file(f).key()).get();
          boolean holds = status instanceof LockStatus.Held held && held.record().sessionId().equals("s" + session)
              && !held.remaining().isZero();
          assertThat(holds).as("after %s: s%d holds f%d", op, session, f).isEqualTo(holdsFresh(session, f));
        }
      }
    }
  }
}
