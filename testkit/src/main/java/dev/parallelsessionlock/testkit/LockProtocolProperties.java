package dev.parallelsessionlock.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Refresh;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.core.WriteOutcome;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Random operation sequences over three sessions and two workspaces, run against the real protocol and a
 * small reference model side by side. After every step: the core agrees with the model; at most one live
 * holder per workspace; refresh and release never touch another session's lease; a block never names the
 * caller. A second property lets a rival write between every read and conditional write it chooses.
 */
public abstract class LockProtocolProperties {

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final int SESSIONS = 3;
  private static final List<LockKey> WORKSPACES = List.of(
      LockKey.workspace(WorkspaceHash.of("/ws/one")), LockKey.workspace(WorkspaceHash.of("/ws/two")));
  private static final List<Duration> TTLS = List.of(Duration.ofMinutes(5), Duration.ofSeconds(30));

  /** One step of a generated run. */
  sealed interface Op {
    record Acquire(int session, int workspace, int ttl) implements Op {}

    record Refresh(int session, int workspace) implements Op {}

    record Release(int session, int workspace) implements Op {}

    record Advance(int millis) implements Op {}

    /** The session's agent process dies; the session comes back in a new process. */
    record Kill(int session) implements Op {}

    /** Same agent process, new session id ({@code /clear}, resume, compaction). */
    record NewSessionId(int session) implements Op {}

    /**
     * The same session id is resumed in a second agent process while the first still runs ({@code claude
     * --resume X} in another terminal); the session acts from the new process from now on.
     */
    record ResumeElsewhere(int session) implements Op {}

    /** Refresh or release presenting the fencing generation the caller's acquire returned. */
    record Fenced(int session, int workspace, boolean release) implements Op {}
  }

  private static final Gen<Integer> SESSION = integers().between(0, SESSIONS - 1);
  private static final Gen<Integer> WORKSPACE = integers().between(0, WORKSPACES.size() - 1);

  /** The operations of a run: every kind, but a second live process of one session where the store keeps none. */
  private Gen<Op> ops() {
    java.util.List<Pair<Integer, Gen<Op>>> ops = new java.util.ArrayList<>(java.util.List.of(
        Pair.of(6, SESSION.zip(WORKSPACE, integers().between(0, TTLS.size() - 1), (s, w, t) -> (Op) new Op.Acquire(s, w, t))),
        Pair.of(3, SESSION.zip(WORKSPACE, (s, w) -> (Op) new Op.Refresh(s, w))),
        Pair.of(3, SESSION.zip(WORKSPACE, (s, w) -> (Op) new Op.Release(s, w))),
        Pair.of(3, integers().between(0, 400_000).map(ms -> (Op) new Op.Advance(ms))),
        Pair.of(1, SESSION.map(s -> (Op) new Op.Kill(s))),
        Pair.of(1, SESSION.map(s -> (Op) new Op.NewSessionId(s))),
        Pair.of(2, SESSION.zip(WORKSPACE, booleans().all(), (s, w, r) -> (Op) new Op.Fenced(s, w, r)))));
    if (!keepsProcessPerSession()) {
      ops.add(Pair.of(1, SESSION.map(s -> (Op) new Op.ResumeElsewhere(s))));
    }
    return Generate.frequency(ops);
  }

  /** A new, empty store for one run. */
  protected abstract LockStore newStore();

  /**
   * The record this store gives back after storing {@code written} under {@code key}; every field unless the store
   * says otherwise (as {@link LockStoreContract#asStored}). The model keeps what the store keeps and decides on it,
   * so a store that keeps less is held to all it does keep. A store that keeps no fencing generation (a work item)
   * cannot fence: every fenced call is then refused, which the model expects, and grants are not compared by
   * generation.
   */
  protected LockRecord asStored(LockKey key, LockRecord written) {
    return written;
  }

  /**
   * Whether the store keeps a holder's process per session, not per record: a work item names only its session, and
   * its store finds the process in a record per session, which the session's last write left. The model then reads
   * every record of a session with that process. Such a store cannot tell two live processes of one session apart,
   * so its runs never resume a session in a second live process ({@code ResumeElsewhere}): the one step where that
   * matters.
   */
  protected boolean keepsProcessPerSession() {
    return false;
  }

  /** Runs per property; a store that writes to disk or over a network may ask for fewer. */
  protected int examples() {
    return 400;
  }

  @Test
  public void protocol_agreesWithTheModel_andKeepsItsInvariants() {
    qt().withExamples(examples()).forAll(lists().of(ops()).ofSizeBetween(1, 60))
        .checkAssert(ops -> new Run(newStore(), false, List.empty()).play(ops));
  }

  @Test
  public void protocol_withARivalWritingBetweenReadAndWrite_keepsItsInvariants() {
    AtomicInteger conflicts = new AtomicInteger();
    qt().withExamples(examples() * 3 / 4)
        .forAll(lists().of(ops()).ofSizeBetween(1, 60), lists().of(booleans().all()).ofSizeBetween(1, 40))
        .checkAssert((ops, schedule) -> conflicts.addAndGet(new Run(newStore(), true, List.ofAll(schedule)).play(ops)));
    // The rival must actually have made writes lose, or this property tested nothing about retries.
    assertThat(conflicts.get()).isPositive();
  }

  /** One run: the system under test, the model, and what each participant believes it holds. */
  private final class Run {
    final MutableClock clock = new MutableClock(T0);
    final FakeLiveness liveness = new FakeLiveness();
    final WrittenProcesses backing;
    final boolean withRival;
    final RivalStore rivalStore;
    final ParallelSessionLock lock;
    final int[] sessionGeneration = new int[SESSIONS];
    final int[] processGeneration = new int[SESSIONS];
    /** Model: workspace -> lease. Only used when no rival writes (the rival is not modelled). */
    final Map<Integer, LockRecord> model = new HashMap<>();
    /** Belief: participant (process) -> workspace -> its lease end as it knows it. */
    final Map<ProcessRef, Map<Integer, Instant>> beliefs = new HashMap<>();
    /** The generation each participant's last acquire returned, per workspace. */
    final Map<ProcessRef, Map<Integer, Long>> generations = new HashMap<>();
    /** The highest generation granted per workspace so far: every grant must exceed it. */
    final Map<Integer, Long> highestGranted = new HashMap<>();

    /** Whether the store keeps the generations it is given: only then can it fence. */
    final boolean keepsGenerations;

    Run(LockStore store, boolean withRival, List<Boolean> schedule) {
      this.backing = new WrittenProcesses(store);
      this.keepsGenerations = asStored(WORKSPACES.get(0), lease(claimant(0), T0, TTLS.get(0), T0, 42,
          LockRecord.Details.NONE)).generation() == 42;
      this.withRival = withRival;
      this.rivalStore = new RivalStore(backing, schedule);
      this.lock = ParallelSessionLock.of(withRival ? rivalStore : backing, liveness, clock);
    }

    Claimant claimant(int session) {
      long pid = 1000L * (session + 1) + processGeneration[session];
      ProcessRef process = new ProcessRef(pid, Option.some("host"), Option.some(Instant.EPOCH.plusSeconds(pid)),
          Option.some(new ProcessRef.Identity("boot", "pid:[1]", pid * 7)));
      return new Claimant("s" + session + "." + sessionGeneration[session], process);
    }

    // The model's ownership rules, from the README, not from SlotState. Pids are unique per process here.

    /** The caller may renew and refresh: its own process, or its session id recorded for a dead process. */
    boolean modelMayRenew(Claimant me, LockRecord lease) {
      return lease.pid() == me.process().pid() || modelMayRelease(me, lease);
    }

    /** The caller may release: its session id, recorded for its own process or a dead one. */
    boolean modelMayRelease(Claimant me, LockRecord lease) {
      return lease.sessionId().equals(me.sessionId())
          && (lease.pid() == me.process().pid() || liveness.isDead(lease.pid()));
    }

    /** Plays every op; returns how many conditional writes the rival made lose. */
    int play(java.util.List<Op> ops) {
      for (Op op : ops) {
        step(op);
        checkInvariants(op);
      }
      return rivalStore.conflictsCaused;
    }

    void step(Op op) {
      if (op instanceof Op.Advance) {
        clock.advance(Duration.ofMillis(((Op.Advance) op).millis()));
      } else if (op instanceof Op.Kill) {
        int session = ((Op.Kill) op).session();
        liveness.kill(claimant(session).process().pid());
        processGeneration[session]++;
      } else if (op instanceof Op.NewSessionId) {
        sessionGeneration[((Op.NewSessionId) op).session()]++;
      } else if (op instanceof Op.ResumeElsewhere resumed) {
        processGeneration[resumed.session()]++; // the old process stays alive
      } else if (op instanceof Op.Fenced fenced) {
        fenced(fenced);
      } else if (op instanceof Op.Acquire) {
        acquire((Op.Acquire) op);
      } else if (op instanceof Op.Refresh) {
        refresh((Op.Refresh) op);
      } else {
        release((Op.Release) op);
      }
    }

    void acquire(Op.Acquire op) {
      Claimant me = claimant(op.session());
      LockKey key = WORKSPACES.get(op.workspace());
      Duration ttl = TTLS.get(op.ttl());
      Acquisition result = lock.acquire(key, me, ttl).get();
      if (result instanceof Acquisition.Blocked) {
        Acquisition.Blocked blocked = (Acquisition.Blocked) result;
        assertThat(blocked.holder()).as("a block names a holder").isNotEmpty();
        assertThat(blocked.holder().get().pid()).as("a block never names the caller's process")
            .isNotEqualTo(me.process().pid());
      } else {
        Acquisition.Acquired acquired = (Acquisition.Acquired) result;
        believe(me.process(), op.workspace(), acquired.record());
        generations.computeIfAbsent(me.process(), p -> new HashMap<>()).put(op.workspace(), acquired.record().generation());
        if (acquired.how() == Acquisition.How.RENEWED) {
          assertThat(acquired.record().generation()).as("a renewal keeps the generation")
              .isEqualTo(acquired.previous().get().generation());
        } else if (keepsGenerations) {
          long highest = highestGranted.getOrDefault(op.workspace(), 0L);
          long generation = acquired.record().generation();
          if (acquired.how() == Acquisition.How.NEW && clock.instant().toEpochMilli() <= highest) {
            // Stores forget a released key: a create in the very millisecond of an earlier grant may repeat it,
            // and the generations after it then grow from there again (a new chain of records on the key).
            assertThat(generation).as("a create takes the clock's milliseconds").isEqualTo(clock.instant().toEpochMilli());
            highestGranted.put(op.workspace(), generation);
          } else {
            assertThat(generation).as("a grant to a new holder gets a greater generation").isGreaterThan(highest);
            highestGranted.put(op.workspace(), generation);
          }
        }
      }
      if (!withRival) {
        Acquisition expected = modelAcquire(me, op.workspace(), ttl);
        assertThat(kindOf(result)).as("core and model agree on %s", op).isEqualTo(kindOf(expected));
        assertStoreMatchesModel(op.workspace());
      }
    }

    void refresh(Op.Refresh op) {
      Claimant me = claimant(op.session());
      Option<Slot> before = slot(op.workspace());
      Refresh result = lock.refresh(WORKSPACES.get(op.workspace()), me).get();
      if (result instanceof Refresh.Refreshed) {
        believe(me.process(), op.workspace(), ((Refresh.Refreshed) result).record());
      } else {
        forget(me.process(), op.workspace());
        assertUntouchedUnlessOwned(me, before, op.workspace());
      }
      if (!withRival) {
        LockRecord lease = view(op.workspace());
        boolean mine = lease != null && modelMayRenew(me, lease);
        assertThat(result instanceof Refresh.Refreshed).as("core and model agree on %s", op).isEqualTo(mine);
        if (mine) {
          model.put(op.workspace(), lease(me, clock.instant(), lease.ttl(), lease.heldSince(), lease.generation(),
              lease.details()));
        }
        assertStoreMatchesModel(op.workspace());
      }
    }

    /** A refresh or release that presents the generation this process's last acquire returned. */
    void fenced(Op.Fenced op) {
      Claimant me = claimant(op.session());
      LockKey key = WORKSPACES.get(op.workspace());
      Long mine = generations.getOrDefault(me.process(), new HashMap<>()).get(op.workspace());
      long presented = mine == null ? 1 : mine;
      Option<Slot> before = slot(op.workspace());
      boolean done;
      if (op.release()) {
        done = lock.release(key, me, presented).get() instanceof Release.Released;
        forget(me.process(), op.workspace());
      } else {
        Refresh result = lock.refresh(key, me, presented).get();
        done = result instanceof Refresh.Refreshed;
        if (done) {
          believe(me.process(), op.workspace(), ((Refresh.Refreshed) result).record());
        } else {
          forget(me.process(), op.workspace());
        }
      }
      if (!done) {
        assertUntouchedUnlessOwned(me, before, op.workspace());
      }
      if (!withRival) {
        LockRecord lease = view(op.workspace());
        boolean allowed = lease != null && lease.generation() == presented
            && (op.release() ? modelMayRelease(me, lease) : modelMayRenew(me, lease));
        assertThat(done).as("core and model agree on %s", op).isEqualTo(allowed);
        if (allowed && op.release()) {
          model.remove(op.workspace());
        } else if (allowed) {
          model.put(op.workspace(), lease(me, clock.instant(), lease.ttl(), lease.heldSince(), lease.generation(),
              lease.details()));
        }
        assertStoreMatchesModel(op.workspace());
      }
    }

    void release(Op.Release op) {
      Claimant me = claimant(op.session());
      Option<Slot> before = slot(op.workspace());
      Release result = lock.release(WORKSPACES.get(op.workspace()), me).get();
      forget(me.process(), op.workspace());
      if (result instanceof Release.NotHolder) {
        assertUntouchedUnlessOwned(me, before, op.workspace());
      }
      if (!withRival) {
        LockRecord lease = view(op.workspace());
        boolean mine = lease != null && modelMayRelease(me, lease);
        assertThat(result instanceof Release.Released).as("core and model agree on %s", op).isEqualTo(mine);
        if (mine) {
          model.remove(op.workspace());
        }
        assertStoreMatchesModel(op.workspace());
      }
    }

    /** The reference model of acquire, written from the rules, not from the core's {@code SlotState}. */
    Acquisition modelAcquire(Claimant me, int workspace, Duration ttl) {
      LockKey key = WORKSPACES.get(workspace);
      Instant now = clock.instant();
      LockRecord lease = view(workspace);
      Acquisition.How how;
      if (lease == null) {
        how = Acquisition.How.NEW;
      } else if (modelMayRenew(me, lease)) {
        how = Acquisition.How.RENEWED;
      } else if (!now.isBefore(lease.acquiredAt().plus(lease.ttl()))) {
        how = Acquisition.How.TOOK_OVER_STALE;
      } else if (liveness.isDead(lease.pid())) {
        how = Acquisition.How.TOOK_OVER_DEAD_HOLDER;
      } else {
        return new Acquisition.Blocked(key, Option.some(lease), lease.acquiredAt().plus(lease.ttl()));
      }
      LockRecord next;
      if (how == Acquisition.How.RENEWED) {
        next = lease(me, now, ttl, lease.heldSince(), lease.generation(), lease.details());
      } else {
        long generation = Math.max((lease == null ? 0 : lease.generation()) + 1, now.toEpochMilli());
        Option<String> from = lease == null ? Option.none() : Option.some(lease.sessionId());
        next = lease(me, now, ttl, now, generation, new LockRecord.Details(Option.none(), from));
      }
      model.put(workspace, next);
      return new Acquisition.Acquired(key, next, how, Option.of(lease));
    }

    void checkInvariants(Op after) {
      Instant now = clock.instant();
      for (int workspace = 0; workspace < WORKSPACES.size(); workspace++) {
        int live = 0;
        for (Map.Entry<ProcessRef, Map<Integer, Instant>> belief : beliefs.entrySet()) {
          Instant leaseEnd = belief.getValue().get(workspace);
          if (leaseEnd != null && now.isBefore(leaseEnd) && !liveness.isDead(belief.getKey().pid())) {
            live++;
          }
        }
        assertThat(live).as("live holders of workspace %d after %s", workspace, after).isLessThanOrEqualTo(1);
      }
    }

    void believe(ProcessRef process, int workspace, LockRecord lease) {
      beliefs.computeIfAbsent(process, p -> new HashMap<>()).put(workspace, lease.expiresAt());
    }

    void forget(ProcessRef process, int workspace) {
      beliefs.getOrDefault(process, new HashMap<>()).remove(workspace);
    }

    Option<Slot> slot(int workspace) {
      return backing.read(WORKSPACES.get(workspace)).get();
    }

    /** A failed refresh or release leaves any lease it does not own exactly as it was. */
    void assertUntouchedUnlessOwned(Claimant me, Option<Slot> before, int workspace) {
      boolean ownedBefore = before.exists(slot -> slot instanceof Slot.Held && modelMayRenew(me, ((Slot.Held) slot).record()));
      if (!ownedBefore && !withRival) {
        assertThat(slot(workspace)).as("another session's lease is untouched").isEqualTo(before);
      }
    }

    void assertStoreMatchesModel(int workspace) {
      Option<LockRecord> stored = slot(workspace).map(slot -> ((Slot.Held) slot).record());
      assertThat(stored).isEqualTo(Option.of(view(workspace)));
    }

    /** The model's lease on {@code workspace} as the store keeps it ({@link #asStored}), or null when free. */
    LockRecord view(int workspace) {
      LockRecord written = model.get(workspace);
      if (written == null) {
        return null;
      }
      return asStored(WORKSPACES.get(workspace),
          keepsProcessPerSession() ? backing.withSessionProcess(written) : written);
    }

    static String kindOf(Acquisition acquisition) {
      if (acquisition instanceof Acquisition.Acquired) {
        return ((Acquisition.Acquired) acquisition).how().name();
      }
      Acquisition.Blocked blocked = (Acquisition.Blocked) acquisition;
      return "BLOCKED by " + blocked.holder().map(LockRecord::sessionId).getOrNull() + " until " + blocked.freeAt();
    }

    /**
     * Wraps the store; before a conditional write that the schedule marks, a rival session runs a whole
     * acquire or release on the backing store, so the write that follows judges a slot that has changed.
     */
    final class RivalStore extends ForwardingLockStore {
      final List<Boolean> schedule;
      int writes;
      int conflictsCaused;
      final Claimant rival = new Claimant("rival", new ProcessRef(9, Option.some("host"), Option.some(Instant.EPOCH),
          Option.some(new ProcessRef.Identity("boot", "pid:[1]", 9))));

      RivalStore(LockStore inner, List<Boolean> schedule) {
        super(inner);
        this.schedule = schedule;
      }

      void interfere(LockKey key) {
        boolean go = !schedule.isEmpty() && schedule.get(writes % schedule.size());
        writes++;
        if (!go) {
          return;
        }
        ParallelSessionLock rivalLock = ParallelSessionLock.of(delegate(), liveness, clock);
        int workspace = WORKSPACES.indexOf(key);
        if (writes % 3 == 0) {
          rivalLock.release(key, rival);
          forget(rival.process(), workspace);
        } else {
          Acquisition got = rivalLock.acquire(key, rival, Duration.ofSeconds(30)).get();
          if (got instanceof Acquisition.Acquired) {
            believe(rival.process(), workspace, ((Acquisition.Acquired) got).record());
          }
        }
      }

      Either<StoreFailure, WriteOutcome> counted(Either<StoreFailure, WriteOutcome> outcome) {
        if (outcome.contains(WriteOutcome.CONFLICT)) {
          conflictsCaused++;
        }
        return outcome;
      }

      @Override
      public Either<StoreFailure, WriteOutcome> create(LockKey key, LockRecord record) {
        interfere(key);
        return counted(delegate().create(key, record));
      }

      @Override
      public Either<StoreFailure, WriteOutcome> replace(Slot expected, LockRecord next) {
        interfere(expected.key());
        return counted(delegate().replace(expected, next));
      }

      @Override
      public Either<StoreFailure, WriteOutcome> delete(Slot expected) {
        interfere(expected.key());
        return counted(delegate().delete(expected));
      }
    }
  }

  /** The lease the protocol writes for {@code me}: its session, process, task, bound session and agent. */
  static LockRecord lease(Claimant me, Instant now, Duration ttl, Instant heldSince, long generation,
      LockRecord.Details details) {
    LockRecord.Details mine = new LockRecord.Details(details.path(), details.takenOverFrom(), me.task(),
        me.boundSession(), me.agent().isDefined() ? me.agent() : details.agent());
    return new LockRecord(LockRecord.SCHEMA_VERSION, me.sessionId(), me.process(), now, ttl, heldSince, generation, mine);
  }

  @Test
  public void modelRun_canFail_whenTheProtocolTakesOverAFreshLease() {
    // Guard against a vacuous invariant: a protocol that ignores leases must be caught by checkInvariants.
    Run run = new Run(newStore(), false, List.empty());
    Claimant a = run.claimant(0);
    Claimant b = run.claimant(1);
    run.believe(a.process(), 0, lease(a, T0, Duration.ofMinutes(5), T0, 1, LockRecord.Details.NONE));
    run.believe(b.process(), 0, lease(b, T0, Duration.ofMinutes(5), T0, 2, LockRecord.Details.NONE));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> run.checkInvariants(new Op.Advance(0)))
        .isInstanceOf(AssertionError.class);
    assertThat(Objects.requireNonNull(run.model)).isEmpty();
  }
}
