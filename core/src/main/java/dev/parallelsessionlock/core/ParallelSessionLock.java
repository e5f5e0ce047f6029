package dev.parallelsessionlock.core;

import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The whole lock protocol, over an injected {@link LockStore}, {@link ProcessLiveness} and {@link Clock}.
 *
 * <p>Every operation is one loop: read the slot, classify it with {@link SlotState} (the transition table),
 * and either answer at once or make one conditional write. A write that loses ({@link WriteOutcome#CONFLICT})
 * means a rival changed the slot since it was read; the loop reads again, up to {@link #maxAttempts()} times,
 * then answers {@link LockFailure.Contended}. Because a takeover replaces exactly the slot that was judged
 * stale, two claimants that both saw it stale cannot both succeed.
 *
 * <p>Rules, each stated once:
 * <ul>
 *   <li>acquire: takes a lock that is absent, stale (past its ttl), held by a provably dead process, or
 *       unreadable for longer than one ttl; renews the caller's own lock (idempotent); otherwise is
 *       {@link Acquisition.Blocked}, naming the holder.</li>
 *   <li>refresh: only the holder, and only while its record is still there; never steals. With a fencing
 *       generation, only while the record still has it.</li>
 *   <li>release: only the holder under the session id in the record; never removes another session's lock.</li>
 *   <li>forceRelease: for people; removes whatever is there and says what it was.</li>
 * </ul>
 * "Holder" follows the ownership rule in {@link Claimant}; the states and steps are {@link SlotState}. Every slot
 * read is judged within {@link RecordBounds} (a ttl of at most a day, times not in the far future) first.
 *
 * <p>Instances are immutable and thread-safe when the store is.
 */
public final class ParallelSessionLock {

  /** The seed's default lease: 5 minutes. */
  public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

  /** Conditional writes tried before giving up with {@link LockFailure.Contended}. */
  public static final int DEFAULT_MAX_ATTEMPTS = 8;

  private final LockStore store;
  private final ProcessLiveness liveness;
  private final Clock clock;
  private final Duration ttl;
  private final int maxAttempts;

  private ParallelSessionLock(
      LockStore store, ProcessLiveness liveness, Clock clock, Duration ttl, int maxAttempts) {
    this.store = Objects.requireNonNull(store, "store");
    this.liveness = Objects.requireNonNull(liveness, "liveness");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.ttl = requirePositive(ttl);
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
    }
    this.maxAttempts = maxAttempts;
  }

  /** A lock with the default ttl and attempt budget. */
  public static ParallelSessionLock of(LockStore store, ProcessLiveness liveness, Clock clock) {
    return new ParallelSessionLock(store, liveness, clock, DEFAULT_TTL, DEFAULT_MAX_ATTEMPTS);
  }

  /** A copy whose leases last {@code ttl} unless a call says otherwise. */
  public ParallelSessionLock withTtl(Duration ttl) {
    return new ParallelSessionLock(store, liveness, clock, ttl, maxAttempts);
  }

  /** A copy that tries at most {@code maxAttempts} conditional writes per call. */
  public ParallelSessionLock withMaxAttempts(int maxAttempts) {
    return new ParallelSessionLock(store, liveness, clock, ttl, maxAttempts);
  }

  public Duration ttl() {
    return ttl;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  /** The seed's workspace hash of an already resolved path; see {@link WorkspaceHash}. */
  public static WorkspaceHash workspaceHash(String resolvedPath) {
    return WorkspaceHash.of(resolvedPath);
  }

  /** {@link #acquire(LockKey, Claimant, Duration)} with this lock's ttl. */
  public Either<LockFailure, Acquisition> acquire(LockKey key, Claimant claimant) {
    return acquire(key, claimant, ttl, Option.none());
  }

  /** Takes or renews the lease on {@code key} for {@code leaseTtl}, or reports who blocks it. */
  public Either<LockFailure, Acquisition> acquire(LockKey key, Claimant claimant, Duration leaseTtl) {
    return acquire(key, claimant, leaseTtl, Option.none());
  }

  /**
   * Takes or renews the lease on {@code key} for {@code leaseTtl}, or reports who blocks it. {@code path} is
   * what the key stands for (a workspace's resolved path), kept in the record for people; none keeps the path
   * a renewed record already has.
   *
   * <p>A grant to a new holder (create, takeover) gets a new fencing generation, greater than the one it
   * replaced and at least the current time in milliseconds, so it also grows across a release and a later
   * create unless the clock steps back; a renewal keeps the holder's generation.
   */
  public Either<LockFailure, Acquisition> acquire(
      LockKey key, Claimant claimant, Duration leaseTtl, Option<String> path) {
    requirePositive(leaseTtl);
    Objects.requireNonNull(path, "path");
    return run(key, new Planner<Acquisition>() {
      @Override
      public Plan<Acquisition> plan(Option<Slot> current) {
        Instant now = clock.instant();
        SlotState state = SlotState.classify(current, claimant, now, liveness, leaseTtl);
        Option<LockRecord> previous = current.isEmpty() ? Option.none() : recordOf(current.get());
        if (state.onAcquire == SlotState.Step.BLOCK) {
          return new Plan.Done<>(new Acquisition.Blocked(key, previous, freeAt(current.get(), now, leaseTtl)));
        }
        Acquisition.Acquired acquired =
            new Acquisition.Acquired(key, leaseFor(state, previous, claimant, now, leaseTtl, path), state.acquiredAs.get(),
                previous);
        return planWrite(key, state, current, acquired.record(), acquired);
      }
    });
  }

  /** The record an acquire from {@code state} writes. */
  private static LockRecord leaseFor(SlotState state, Option<LockRecord> previous, Claimant claimant, Instant now,
      Duration leaseTtl, Option<String> path) {
    if (state.grantsToNewHolder()) {
      long before = previous.isDefined() ? previous.get().generation() : 0;
      Option<String> takenFrom = state == SlotState.FOREIGN_STALE || state == SlotState.FOREIGN_DEAD
          ? Option.some(previous.get().sessionId()) : Option.none();
      before = before == Long.MAX_VALUE ? Long.MAX_VALUE - 1 : before; // the next one must not wrap around
      return claimant.lease(now, leaseTtl, now, Math.max(before + 1, now.toEpochMilli()),
          new LockRecord.Details(path, takenFrom));
    }
    if (state.onAcquire == SlotState.Step.HEARTBEAT) {
      LockRecord theirs = previous.get();
      return heartbeat(theirs, now, leaseTtl.compareTo(theirs.ttl()) > 0 ? leaseTtl : theirs.ttl());
    }
    LockRecord mine = previous.get();
    return claimant.lease(now, leaseTtl, mine.heldSince(), mine.generation(),
        mine.details().with(path.isDefined() ? path : mine.details().path(), mine.details().takenOverFrom()));
  }

  /** The conditional write of an acquire from {@code state}, answering {@code outcome} when it lands. */
  private static <T> Plan<T> planWrite(
      LockKey key, SlotState state, Option<Slot> current, LockRecord record, T outcome) {
    if (state.onAcquire == SlotState.Step.CREATE) {
      return new Plan.Create<>(key, record, outcome);
    }
    return new Plan.Replace<>(current.get(), record, outcome);
  }

  // ---- Two-phase grants: one namespace for the workspace lease and the file locks (WorkspaceLease, FileLocks) ----

  /**
   * How long a pending record (a grant still checking the other granularity) makes another call of the same
   * holder wait. Past it the grant is taken for crashed between its write and its check; the waiting call renews
   * the record and checks for itself. Only waiting depends on it, never who holds what: a grant whose record was
   * renewed under it cannot settle, and does not win.
   */
  static final Duration PENDING_GRACE = Duration.ofSeconds(2);

  /** Where the multi-file acquire that tagged a record stands (its intent record, read now). */
  enum AttemptState {
    /** No intent: the acquire finished (or was freed); the tag means nothing now. */
    SETTLED,
    /** The intent is there and its writer may still run. */
    RUNNING,
    /** The intent is there and its writer is provably dead: its files are to be freed. */
    ABANDONED
  }

  /** Tells where the acquire that tagged {@code record} ({@link LockRecord.Details#attempt}) stands. */
  interface Attempts {
    Either<LockFailure, AttemptState> stateOf(LockRecord record);
  }

  /** What one key of a two-phase grant came to. */
  sealed interface Grant {
    /**
     * Written. {@code checked}: it only renewed what the holder already held, settled and fresh, so it needs no
     * look at the other granularity (the existing holder wins); otherwise it was written pending (or tagged with
     * the acquire's attempt) and must be checked, then settled or undone.
     */
    record Granted(Acquisition.Acquired acquired, boolean checked) implements Grant {}

    /** Another holder's; nothing written. */
    record Refused(Acquisition.Blocked blocked) implements Grant {}

    /** A grant of the same holder is still checking this key: try again shortly; nothing written. */
    record Busy(LockKey key) implements Grant {}

    /** The record was newly taken by an acquire whose writer died half-way: free its files first. */
    record Abandoned(LockRecord met) implements Grant {}
  }

  /**
   * The first phase of a grant that must then look at the other granularity: as {@link #acquire}, but what it
   * writes is marked, with {@code attempt} (a multi-file acquire's tag, pending while its intent is there) or,
   * without one, the record's {@code pending} flag; and it never writes over a grant of the same holder that is
   * still checking. Only the renewal of a lease the holder already held fresh and settled is written unmarked: it
   * needs no check and never backs off.
   */
  Either<LockFailure, Grant> grant(LockKey key, Claimant claimant, Duration leaseTtl, Option<String> path,
      Option<String> attempt, Attempts attempts) {
    requirePositive(leaseTtl);
    return run(key, new Planner<Grant>() {
      @Override
      public Plan<Grant> plan(Option<Slot> current) {
        Instant now = clock.instant();
        SlotState state = SlotState.classify(current, claimant, now, liveness, leaseTtl);
        Option<LockRecord> previous = current.isEmpty() ? Option.none() : recordOf(current.get());
        AttemptState tagged = AttemptState.SETTLED;
        if (previous.isDefined() && previous.get().details().attempt().isDefined()
            && !(attempt.isDefined() && attempt.get().equals(previous.get().details().attempt().get()))) {
          Either<LockFailure, AttemptState> stands = attempts.stateOf(previous.get());
          if (stands.isLeft()) {
            return new Plan.Failed<>(stands.getLeft());
          }
          tagged = stands.get();
          if (tagged == AttemptState.ABANDONED) {
            return new Plan.Done<>(new Grant.Abandoned(previous.get()));
          }
        }
        if (state.onAcquire == SlotState.Step.BLOCK) {
          return new Plan.Done<>(new Grant.Refused(
              new Acquisition.Blocked(key, previous, freeAt(current.get(), now, leaseTtl))));
        }
        boolean renewal = !state.grantsToNewHolder();
        if (renewal && (tagged == AttemptState.RUNNING || pendingAt(previous.get(), now))) {
          return new Plan.Done<>(new Grant.Busy(key));
        }
        LockRecord lease = leaseFor(state, previous, claimant, now, leaseTtl, path);
        boolean checked = renewal && heldFresh(previous.get(), claimant, now);
        // A settled renewal drops a finished acquire's tag; anything else is marked until its check settles it.
        lease = lease.withDetails(checked ? lease.details().marked(Option.none(), Option.none())
            : lease.details().marked(attempt, attempt.isEmpty() ? Option.some(now) : Option.none()));
        Acquisition.Acquired acquired = new Acquisition.Acquired(key, lease, state.acquiredAs.get(), previous);
        return planWrite(key, state, current, lease, (Grant) new Grant.Granted(acquired, checked));
      }
    });
  }

  /**
   * Whether {@code record} is another grant's first phase, still within its grace: counted from when that grant
   * wrote it, so refreshes of a record whose grant crashed before its check do not keep it pending.
   */
  private static boolean pendingAt(LockRecord record, Instant now) {
    return record.details().pendingSince().isDefined()
        && now.isBefore(record.details().pendingSince().get().plus(PENDING_GRACE));
  }

  /**
   * Whether the holder already held {@code before} in a way every rival had to respect: fresh, its process not
   * provably dead (the caller's own process is alive). Settledness is checked by the caller of this.
   */
  private boolean heldFresh(LockRecord before, Claimant claimant, Instant now) {
    return !before.isStaleAt(now)
        && (before.holder().isSameProcessAs(claimant.process()) || liveness.of(before.holder()) != Liveness.DEAD);
  }

  /**
   * The second phase of a single-key grant whose check passed: clears the pending flag, if the record is still
   * exactly the one written. False when it changed meanwhile (then the grant did not win: try again).
   */
  Either<LockFailure, Boolean> settle(Acquisition.Acquired acquired) {
    return run(acquired.key(), new Planner<Boolean>() {
      @Override
      public Plan<Boolean> plan(Option<Slot> current) {
        if (current.isEmpty() || !(current.get() instanceof Slot.Held held) || !sameLease(held.record(), acquired.record())) {
          return new Plan.Done<>(Boolean.FALSE);
        }
        LockRecord written = held.record();
        return new Plan.Replace<>(current.get(),
            written.withDetails(written.details().marked(written.details().attempt(), Option.none())), Boolean.TRUE);
      }
    });
  }

  /** Extends the caller's own lease by its ttl from now; never touches another holder's lease. */
  public Either<LockFailure, Refresh> refresh(LockKey key, Claimant claimant) {
    return refresh(key, claimant, Option.none(), Option.none());
  }

  /**
   * Extends the caller's own lease by {@code leaseTtl} from now (a lease stretched for a long tool call goes
   * back to the usual length this way); never touches another holder's lease.
   */
  public Either<LockFailure, Refresh> refresh(LockKey key, Claimant claimant, Duration leaseTtl) {
    return refresh(key, claimant, Option.none(), Option.some(requirePositive(leaseTtl)));
  }

  /**
   * Extends the caller's own lease only if it still has fencing generation {@code generation}, the one its
   * acquire returned: a holder that lost the lease and comes back cannot extend the next holder's lease, even
   * under the same session id.
   */
  public Either<LockFailure, Refresh> refresh(LockKey key, Claimant claimant, long generation) {
    return refresh(key, claimant, Option.some(generation), Option.none());
  }

  /**
   * {@link #refresh(LockKey, Claimant, Duration)} from {@code read}, the slot as the caller just read it: no read of
   * its own, unless the slot changed since (the conditional write then loses, and it reads again).
   */
  public Either<LockFailure, Refresh> refresh(Slot read, Claimant claimant, Duration leaseTtl) {
    return refresh(read.key(), claimant, Option.none(), Option.some(requirePositive(leaseTtl)), Option.some(read));
  }

  private Either<LockFailure, Refresh> refresh(
      LockKey key, Claimant claimant, Option<Long> generation, Option<Duration> leaseTtl) {
    return refresh(key, claimant, generation, leaseTtl, Option.none());
  }

  private Either<LockFailure, Refresh> refresh(LockKey key, Claimant claimant, Option<Long> generation,
      Option<Duration> leaseTtl, Option<Slot> read) {
    return run(key, read, new Planner<Refresh>() {
      @Override
      public Plan<Refresh> plan(Option<Slot> current) {
        Instant now = clock.instant();
        SlotState state = SlotState.classify(current, claimant, now, liveness, ttl);
        boolean heartbeat = state.onRefresh == SlotState.Step.HEARTBEAT;
        if ((state.onRefresh != SlotState.Step.REPLACE && !heartbeat) || !fenced(current.get(), generation)) {
          return new Plan.Done<>(new Refresh.NotHolder(key, current));
        }
        LockRecord mine = recordOf(current.get()).get();
        LockRecord lease = heartbeat ? heartbeat(mine, now, mine.ttl())
            : claimant.lease(now, leaseTtl.getOrElse(mine.ttl()), mine.heldSince(), mine.generation(), mine.details());
        return new Plan.Replace<>(current.get(), lease, new Refresh.Refreshed(key, lease));
      }
    });
  }

  /** Removes the caller's own lease; never removes another holder's. */
  public Either<LockFailure, Release> release(LockKey key, Claimant claimant) {
    return release(key, claimant, Option.none());
  }

  /** Removes the caller's own lease only if it still has fencing generation {@code generation}. */
  public Either<LockFailure, Release> release(LockKey key, Claimant claimant, long generation) {
    return release(key, claimant, Option.some(generation));
  }

  /**
   * {@link #release(LockKey, Claimant)} from {@code read}, the slot as the caller just read it: no read of its own,
   * unless the slot changed since (the conditional delete then loses, and it reads again).
   */
  public Either<LockFailure, Release> release(Slot read, Claimant claimant) {
    return release(read.key(), claimant, Option.none(), Option.some(read));
  }

  private Either<LockFailure, Release> release(LockKey key, Claimant claimant, Option<Long> generation) {
    return release(key, claimant, generation, Option.none());
  }

  private Either<LockFailure, Release> release(LockKey key, Claimant claimant, Option<Long> generation,
      Option<Slot> read) {
    return run(key, read, new Planner<Release>() {
      @Override
      public Plan<Release> plan(Option<Slot> current) {
        SlotState state = SlotState.classify(current, claimant, clock.instant(), liveness, ttl);
        if (state.onRelease != SlotState.Step.DELETE || !fenced(current.get(), generation)) {
          return new Plan.Done<>(new Release.NotHolder(key, current));
        }
        return new Plan.Delete<>(current.get(), new Release.Released(key, recordOf(current.get()).get()));
      }
    });
  }

  /** {@code record} as it is, its lease running from {@code now} for {@code leaseTtl}. */
  private static LockRecord heartbeat(LockRecord record, Instant now, Duration leaseTtl) {
    return new LockRecord(record.schemaVersion(), record.sessionId(), record.holder(), now, leaseTtl,
        record.heldSince(), record.generation(), record.details().withClamped(Option.none()));
  }

  private static boolean fenced(Slot slot, Option<Long> generation) {
    return generation.isEmpty()
        || (slot instanceof Slot.Held held && held.record().generation() == generation.get().longValue());
  }

  /**
   * Takes back what {@code acquired} did, if the slot is still exactly what it wrote: a grant to a new holder is
   * deleted (a lease it took over from a stale, dead or unreadable holder stays free), a renewal gets the record
   * it replaced back. Answers whether it wrote. For a multi-key step that backs off: it leaves every slot as it
   * found it, and never touches a slot someone changed since.
   */
  public Either<LockFailure, Boolean> undo(Acquisition.Acquired acquired) {
    return run(acquired.key(), new Planner<Boolean>() {
      @Override
      public Plan<Boolean> plan(Option<Slot> current) {
        if (current.isEmpty() || !(current.get() instanceof Slot.Held held) || !sameLease(held.record(), acquired.record())) {
          return new Plan.Done<>(Boolean.FALSE);
        }
        if (acquired.how() == Acquisition.How.RENEWED && acquired.previous().isDefined()) {
          return new Plan.Replace<>(current.get(), acquired.previous().get(), Boolean.TRUE);
        }
        return new Plan.Delete<>(current.get(), Boolean.TRUE);
      }
    });
  }

  /**
   * Whether {@code stored} is the record {@code written}, as a store gives it back: instants and durations to the
   * millisecond (the lock directory and the databases keep milliseconds). Field by field: a record's generated
   * equals spins classes on the hook path.
   */
  private static boolean sameLease(LockRecord a, LockRecord b) {
    return a.generation() == b.generation() && a.acquiredAt().toEpochMilli() == b.acquiredAt().toEpochMilli()
        && a.ttl().toMillis() == b.ttl().toMillis()
        && a.sessionId().equals(b.sessionId()) && a.holder().pid() == b.holder().pid()
        && a.details().pendingSince().isDefined() == b.details().pendingSince().isDefined()
        && a.details().attempt().isDefined() == b.details().attempt().isDefined()
        && (a.details().attempt().isEmpty() || a.details().attempt().get().equals(b.details().attempt().get()));
  }

  /**
   * What an acquire of {@code key} by {@code claimant} would be refused for now, without writing: the lease of
   * another holder, fresh, whose process is not provably dead ({@link SlotState#FOREIGN_FRESH}); none otherwise.
   * One read. Unreadable bytes are not named (they name no holder), as in {@link #blockingAmong}.
   */
  public Either<LockFailure, Option<Acquisition.Blocked>> wouldBlock(LockKey key, Claimant claimant) {
    Either<StoreFailure, Option<Slot>> stored = store.read(key);
    if (stored.isLeft()) {
      return Either.left(new LockFailure.StoreUnavailable(stored.getLeft()));
    }
    Instant now = clock.instant();
    Option<Slot> read = stored.get().isEmpty() ? stored.get()
        : Option.some(RecordBounds.bound(stored.get().get(), now, maxTtl()));
    if (read.isEmpty() || !(read.get() instanceof Slot.Held held)
        || SlotState.classify(read, claimant, now, liveness, ttl) != SlotState.FOREIGN_FRESH) {
      return Either.right(Option.none());
    }
    return Either.right(Option.some(new Acquisition.Blocked(key, Option.some(held.record()), freeAt(held, now, ttl))));
  }

  /**
   * Whether {@code claimant} holds the lock on {@code key} now, fresh: its own lease (the same session, its very
   * agent process, or a task of its own it may use) with time left. What a renewal needs; the fair line never
   * stands in its way ({@link FairLine}). One read.
   */
  Either<LockFailure, Boolean> holds(LockKey key, Claimant claimant) {
    Either<StoreFailure, Option<Slot>> stored = store.read(key);
    if (stored.isLeft()) {
      return Either.left(new LockFailure.StoreUnavailable(stored.getLeft()));
    }
    Instant now = clock.instant();
    Option<Slot> read = RecordBounds.bound(stored.get(), now, maxTtl());
    if (read.isEmpty() || !(read.get() instanceof Slot.Held held) || held.record().isStaleAt(now)) {
      return Either.right(Boolean.FALSE);
    }
    SlotState state = SlotState.classify(read, claimant, now, liveness, ttl);
    return Either.right(state == SlotState.OWN || state == SlotState.OWN_PROCESS || state == SlotState.BOUND_TASK);
  }

  /**
   * Of {@code slots}, those an acquire by {@code claimant} would refuse now ({@link SlotState#FOREIGN_FRESH}), as
   * people see them; each holder process probed once. Plain loops and {@code java.util} (the hook path).
   */
  java.util.List<LockStatus.Held> blockingAmong(java.util.List<Slot> slots, Claimant claimant) {
    Instant now = clock.instant();
    ProbedOnce once = new ProbedOnce(liveness);
    java.util.List<LockStatus.Held> blocking = new java.util.ArrayList<>();
    for (Slot slot : slots) {
      if (slot instanceof Slot.Held
          && SlotState.classify(Option.some(slot), claimant, now, once, ttl) == SlotState.FOREIGN_FRESH) {
        blocking.add((LockStatus.Held) statusOf(slot, once));
      }
    }
    return blocking;
  }

  /** A liveness that probes each process once, keyed by pid (a record's hashCode would spin classes). */
  private static final class ProbedOnce implements ProcessLiveness {
    private final ProcessLiveness liveness;
    private final java.util.Map<Long, java.util.List<Object[]>> probed = new java.util.HashMap<>();

    ProbedOnce(ProcessLiveness liveness) {
      this.liveness = liveness;
    }

    @Override
    public Liveness of(ProcessRef process) {
      java.util.List<Object[]> known = probed.get(process.pid());
      if (known == null) {
        known = new java.util.ArrayList<>(1);
        probed.put(process.pid(), known);
      }
      for (Object[] entry : known) {
        ProcessRef seen = (ProcessRef) entry[0];
        if (seen.isSameProcessAs(process) || (!seen.isKnown() && !process.isKnown())) {
          return (Liveness) entry[1];
        }
      }
      Liveness answer = liveness.of(process);
      known.add(new Object[] {process, answer});
      return answer;
    }
  }

  /** The clock leases are judged by. */
  Instant now() {
    return clock.instant();
  }

  /** The liveness probe holders are judged by. */
  ProcessLiveness liveness() {
    return liveness;
  }

  /** For a person: removes whatever lease is stored under {@code key} and returns it (none when free). */
  public Either<LockFailure, Option<Slot>> forceRelease(LockKey key) {
    return run(key, new Planner<Option<Slot>>() {
      @Override
      public Plan<Option<Slot>> plan(Option<Slot> current) {
        return current.isEmpty() ? new Plan.Done<>(Option.<Slot>none()) : new Plan.Delete<>(current.get(), current);
      }
    });
  }

  /** The lock on {@code key} as a person would want to see it. */
  public Either<LockFailure, LockStatus> status(LockKey key) {
    return store.read(key)
        .<LockFailure>mapLeft(LockFailure.StoreUnavailable::new)
        .map(current -> current.map(this::statusOf).getOrElse(() -> new LockStatus.Free(key)));
  }

  /** Every lock in the store, by key. Each holder process is probed once, however many locks it holds. */
  public Either<LockFailure, List<LockStatus>> list() {
    return statuses(store.list());
  }

  /** The locks whose key starts with {@code keyPrefix} (e.g. one workspace's file locks), by key. */
  public Either<LockFailure, List<LockStatus>> list(String keyPrefix) {
    return statuses(store.list(keyPrefix));
  }

  private Either<LockFailure, List<LockStatus>> statuses(Either<StoreFailure, List<Slot>> listed) {
    java.util.Map<ProcessRef, Liveness> probed = new java.util.HashMap<>();
    ProcessLiveness once = process -> probed.computeIfAbsent(process, liveness::of);
    return listed.<LockFailure>mapLeft(LockFailure.StoreUnavailable::new)
        .map(slots -> slots.map(slot -> statusOf(slot, once)));
  }

  private LockStatus statusOf(Slot slot) {
    return statusOf(slot, liveness);
  }

  private LockStatus statusOf(Slot stored, ProcessLiveness liveness) {
    Instant now = clock.instant();
    Slot slot = RecordBounds.bound(stored, now, maxTtl());
    if (slot instanceof Slot.Unreadable unreadable) {
      return new LockStatus.Unreadable(
          slot.key(), unreadable.modifiedAt(), unreadable.problem(), SlotState.unreadableFreeAt(unreadable, ttl));
    }
    LockRecord record = ((Slot.Held) slot).record();
    Duration age = Duration.between(record.heldSince(), now);
    return new LockStatus.Held(
        slot.key(), record, liveness.of(record.holder()), age.isNegative() ? Duration.ZERO : age,
        record.remainingAt(now));
  }

  private <T> Either<LockFailure, T> run(LockKey key, Planner<T> planner) {
    return run(key, Option.none(), planner);
  }

  /** Plans and writes until a write is not lost; the first plan from {@code given} when there is one, not a read. */
  private <T> Either<LockFailure, T> run(LockKey key, Option<Slot> given, Planner<T> planner) {
    Objects.requireNonNull(key, "key");
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      Either<StoreFailure, Option<Slot>> read = attempt == 1 && given.isDefined()
          ? Either.right(given) : store.read(key);
      if (read.isLeft()) {
        return Either.left(new LockFailure.StoreUnavailable(read.getLeft()));
      }
      // Judged within bounds; written against the slot as stored (a store compares what it has).
      Option<Slot> stored = read.get();
      Plan<T> plan = planner.plan(stored.isEmpty() ? stored
          : Option.some(RecordBounds.bound(stored.get(), clock.instant(), maxTtl())));
      if (plan instanceof Plan.Done) {
        return Either.right(((Plan.Done<T>) plan).outcome());
      }
      if (plan instanceof Plan.Failed<T> failed) {
        return Either.left(failed.failure());
      }
      Either<StoreFailure, WriteOutcome> written = write(plan, stored);
      if (written.isLeft()) {
        return Either.left(new LockFailure.StoreUnavailable(written.getLeft()));
      }
      if (written.get() == WriteOutcome.WRITTEN) {
        return Either.right(plan.outcome());
      }
      // CONFLICT: a rival wrote between our read and our write; judge the new slot afresh.
    }
    return Either.left(new LockFailure.Contended(key, maxAttempts));
  }

  /**
   * Carries out {@code plan}. A replace or delete expects the slot the plan was given; when that is the slot as read,
   * judged within bounds, the store is given the slot as it stored it.
   */
  private Either<StoreFailure, WriteOutcome> write(Plan<?> plan, Option<Slot> stored) {
    if (plan instanceof Plan.Create) {
      Plan.Create<?> create = (Plan.Create<?>) plan;
      return store.create(create.key(), create.record());
    }
    if (plan instanceof Plan.Replace) {
      Plan.Replace<?> replace = (Plan.Replace<?>) plan;
      return store.replace(asStored(replace.expected(), stored), replace.next());
    }
    return store.delete(asStored(((Plan.Delete<?>) plan).expected(), stored));
  }

  private static Slot asStored(Slot expected, Option<Slot> stored) {
    return stored.isDefined() && stored.get().version() == expected.version()
        && stored.get().key().equals(expected.key()) ? stored.get() : expected;
  }

  /**
   * The longest ttl a record read here may have: {@link RecordBounds#MAX_TTL}, or this lock's ttl when longer. What
   * a record says beyond {@link RecordBounds} is judged bounded everywhere in this class.
   */
  public Duration maxTtl() {
    return RecordBounds.maxTtl(ttl);
  }

  private static Option<LockRecord> recordOf(Slot slot) {
    return slot instanceof Slot.Held ? Option.some(((Slot.Held) slot).record()) : Option.none();
  }

  private static Instant freeAt(Slot slot, Instant now, Duration unreadableTtl) {
    if (slot instanceof Slot.Held held) {
      return now.plus(held.record().remainingAt(now));
    }
    return SlotState.unreadableFreeAt((Slot.Unreadable) slot, unreadableTtl);
  }

  private static Duration requirePositive(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive: " + ttl);
    }
    return ttl;
  }

  /**
   * One pass of an operation: from the slot as read to a plan. Implemented by anonymous classes rather than
   * lambdas: this runs in every hook process, whose path loads no lambda class (HookStartupIT).
   */
  private interface Planner<T> {
    Plan<T> plan(Option<Slot> current);
  }

  /** What one pass of the loop decided: an answer now, or one conditional write and the answer if it lands. */
  private sealed interface Plan<T> {
    T outcome();

    record Done<T>(T outcome) implements Plan<T> {}

    record Create<T>(LockKey key, LockRecord record, T outcome) implements Plan<T> {}

    record Replace<T>(Slot expected, LockRecord next, T outcome) implements Plan<T> {}

    record Delete<T>(Slot expected, T outcome) implements Plan<T> {}

    /** A read the plan needed failed. */
    record Failed<T>(LockFailure failure) implements Plan<T> {
      @Override
      public T outcome() {
        throw new IllegalStateException("a failed plan has no outcome");
      }
    }
  }
}
