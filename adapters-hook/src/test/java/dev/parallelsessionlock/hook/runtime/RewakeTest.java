package dev.parallelsessionlock.hook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.Grantor;
import dev.parallelsessionlock.core.InMemoryLockStore;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Ticket;
import dev.parallelsessionlock.core.Turn;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.testkit.FakeLiveness;
import dev.parallelsessionlock.testkit.MutableClock;
import io.vavr.control.Option;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The waker's rules on an in-memory store, with a fake clock: each pause of the waker moves the clock. */
final class RewakeTest {

  private static final Duration TTL = Duration.ofMinutes(5);
  private static final String APP = "/repo/src/App.java";
  private static final LockKey FILE = LockKey.file(WorkspaceHash.of("/repo"), APP);

  private final MutableClock clock = MutableClock.at("2026-12-06T12:00:00Z");
  private final FakeLiveness liveness = new FakeLiveness();
  private final InMemoryLockStore store = new InMemoryLockStore();
  private final ParallelSessionLock lock = ParallelSessionLock.of(store, liveness, clock);
  private final FairLine line = FairLine.of(lock, store);

  private final Claimant codex = new Claimant("codex-1", process(4711), true).withAgent(Option.some("codex"));
  private final Claimant alice = new Claimant("alice", process(100), true).withAgent(Option.some("claude"));
  private final Claimant bob = new Claimant("bob", process(200), true).withAgent(Option.some("claude"));

  /** A process as the hook names one: its pid and its exact identity. */
  private static ProcessRef process(long pid) {
    return new ProcessRef(pid, Option.some("host"), Option.none(), Option.some(new ProcessRef.Identity("boot", "ns", pid)));
  }

  /** Moves the clock by each pause and runs {@code then} at the given pause (1 is the first). */
  private final class Script implements Rewake.Pause {
    final List<Runnable> steps = new ArrayList<>();
    int pauses;

    Script at(int pause, Runnable then) {
      while (steps.size() < pause) {
        steps.add(null);
      }
      steps.set(pause - 1, then);
      return this;
    }

    @Override
    public boolean pause(Duration length) {
      clock.advance(length);
      pauses++;
      if (pauses <= steps.size() && steps.get(pauses - 1) != null) {
        steps.get(pauses - 1).run();
      }
      return true;
    }
  }

  private void hold(Claimant holder) {
    assertThat(lock.acquire(FILE, holder, TTL, Option.some(APP)).get())
        .isInstanceOf(dev.parallelsessionlock.core.Acquisition.Acquired.class);
  }

  private void denied(Claimant waiter) {
    var turn = line.attempt(List.of(FILE), waiter, Grantor.lease(lock, FILE, waiter, TTL, Option.some(APP)));
    assertThat(turn.isRight()).as(turn.isLeft() ? turn.getLeft().describe() : "").isTrue();
    assertThat(turn.get())
        .isInstanceOf(Turn.Waiting.class);
  }

  private Rewake.Outcome watch(String session, Duration bound, Script script) {
    return Rewake.watch(store, lock, line, liveness, clock, session, true, bound, script);
  }

  private Runnable release(Claimant holder) {
    return new Runnable() {
      @Override
      public void run() {
        lock.release(FILE, holder);
      }
    };
  }

  @Test
  void watch_noTicket_endsQuietlyAtOnce() {
    hold(codex);
    Script script = new Script();

    Rewake.Outcome outcome = watch("alice", Rewake.BOUND, script);

    assertThat(outcome.exitCode).isZero();
    assertThat(outcome.line).isEmpty();
    assertThat(script.pauses).isZero();
  }

  @Test
  void watch_holderReleases_wakesWithOneLineNamingTheFileAndItsHolder() {
    hold(codex);
    denied(alice);
    Script script = new Script().at(3, release(codex));

    Rewake.Outcome outcome = watch("alice", Rewake.BOUND, script);

    assertThat(outcome.exitCode).isEqualTo(2);
    assertThat(script.pauses).isEqualTo(3);
    assertThat(outcome.line).doesNotContain("\n")
        .startsWith("session-lock: " + APP + " (held by session codex-1 (codex, pid 4711) until 12:05 UTC)")
        .endsWith("is free now and it is your turn; retry your edit.");
    // The waker does not take the lock: the session's next tool call does, in its turn.
    assertThat(lock.wouldBlock(FILE, bob).get()).isEmpty();
    assertThat(line.line(FILE).get()).extracting(Ticket::live).containsExactly(true);
  }

  @Test
  void watch_liveWaiterAhead_wakesOnlyWhenItsTurnComes() {
    hold(codex);
    denied(bob);
    clock.advance(Duration.ofMillis(5));
    denied(alice);
    Runnable bobServed = new Runnable() {
      @Override
      public void run() {
        assertThat(line.attempt(List.of(FILE), bob, Grantor.lease(lock, FILE, bob, TTL, Option.some(APP))).get())
            .isInstanceOf(Turn.Granted.class);
      }
    };
    Script script = new Script().at(2, release(codex)).at(5, bobServed).at(8, release(bob));

    Rewake.Outcome outcome = watch("alice", Rewake.BOUND, script);

    assertThat(outcome.exitCode).isEqualTo(2);
    assertThat(script.pauses).isEqualTo(8);
    assertThat(outcome.line).contains("held by session bob");
  }

  @Test
  void watch_longWait_renewsItsTicketsSoThePlaceIsKept() {
    hold(codex);
    denied(alice);
    Duration longer = line.ticketTtl().multipliedBy(4); // four ticket ttls, inside the holder's lease
    Script script = new Script();

    Rewake.Outcome outcome = watch("alice", longer, script);

    assertThat(outcome.exitCode).isZero(); // the bound passed; nothing was free
    assertThat(script.pauses).isGreaterThan(4 * 60 * 1000 / 200 - 2);
    List<Ticket> tickets = line.line(FILE).get();
    assertThat(tickets).hasSize(1);
    assertThat(tickets.get(0).live()).isTrue();
    assertThat(tickets.get(0).record().get().sessionId()).isEqualTo("alice");
  }

  @Test
  void watch_agentDies_endsQuietly() {
    hold(codex);
    denied(alice);
    Runnable dies = new Runnable() {
      @Override
      public void run() {
        liveness.kill(100);
      }
    };
    Script script = new Script().at(2, dies).at(3, release(codex));

    Rewake.Outcome outcome = watch("alice", Rewake.BOUND, script);

    assertThat(outcome.exitCode).isZero();
    assertThat(script.pauses).isEqualTo(2);
  }

  @Test
  void watch_ticketsGone_endsQuietly() {
    hold(codex);
    denied(alice);
    Runnable gaveUp = new Runnable() {
      @Override
      public void run() {
        line.leave(List.of(FILE), alice);
      }
    };
    Script script = new Script().at(4, gaveUp);

    Rewake.Outcome outcome = watch("alice", Rewake.BOUND, script);

    assertThat(outcome.exitCode).isZero();
    assertThat(script.pauses).isEqualTo(4);
  }

  @Test
  void watch_freeWhenTheTurnEnds_wakesAtOnce() {
    hold(codex);
    denied(alice);
    lock.release(FILE, codex);
    Script script = new Script();

    Rewake.Outcome outcome = watch("alice", Rewake.BOUND, script);

    assertThat(outcome.exitCode).isEqualTo(2);
    assertThat(script.pauses).isZero();
    assertThat(outcome.line).isEqualTo("session-lock: what you waited for is free now and it is your turn; retry your edit.");
  }

  @Test
  void watch_sessionGrantedWithoutLeavingTheLine_leavesItAndEndsQuietly() {
    hold(codex);
    denied(alice);
    lock.release(FILE, codex);
    hold(alice); // served by a grant that did not go through the line (a hook that does not wait in it)
    Script script = new Script();

    Rewake.Outcome outcome = watch("alice", Rewake.BOUND, script);

    assertThat(outcome.exitCode).as("no wake for what it holds already").isZero();
    assertThat(script.pauses).isZero();
    assertThat(line.line(FILE).get()).as("its ticket is gone, so the next turn's waker does not wake it").isEmpty();
  }

  @Test
  void watch_workItemTicket_isNotWatched_itsClaimIsKeptInTheItemsStore() {
    LockKey item = LockKey.claim("/repo/items/T-1.md");
    // The claim's holder is in the items store (here: a grant refused by it); only the line is in this store.
    var turn = line.attempt(List.of(item), alice, new Grantor<Object>() {
      @Override
      public io.vavr.control.Either<dev.parallelsessionlock.core.LockFailure, Taking<Object>> take() {
        return io.vavr.control.Either.right(new Taking.Refused<>(new Object(), List.of()));
      }
    });
    assertThat(turn.get()).isInstanceOf(Turn.Waiting.class);
    Script script = new Script();

    Rewake.Outcome outcome = watch("alice", Rewake.BOUND, script);

    assertThat(outcome.exitCode).as("a claim's holder is not read here: no wake on a guess").isZero();
    assertThat(script.pauses).isZero();
  }

  @Test
  void bound_endsInsideTheRegisteredTimeout() {
    assertThat(Rewake.BOUND.plus(Rewake.POLL).plus(Duration.ofSeconds(30)))
        .isLessThan(Duration.ofSeconds(Rewake.TIMEOUT_SECONDS));
  }
}
