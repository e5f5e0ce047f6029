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
        LockRecord lease;
        if (state.grantsToNewHolder()) {
          long before = previous.isDefined() ? previous.get().generation() : 0;
          before = before == Long.MAX_VALUE ? Long.MAX_VALUE - 1 : before; // the next one must not wrap around
          Option<String> takenFrom = state == SlotState.FOREIGN_STALE || state == SlotState.FOREIGN_DEAD
              ? Option.some(previous.get().sessionId()) : Option.none();
          lease = claimant.lease(now, leaseTtl, now, Math.max(before + 1, now.toEpochMilli()),
              new LockRecord.Details(path, takenFrom));
        } else if (state.onAcquire == SlotState.Step.HEARTBEAT) {
          LockRecord theirs = previous.get();
          lease = heartbeat(theirs, now, leaseTtl.compareTo(theirs.ttl()) > 0 ? leaseTtl : theirs.ttl());
        } else {
          LockRecord mine = previous.get();
          lease = claimant.lease(now, leaseTtl, mine.heldSince(), mine.generation(),
              mine.details().with(path.isDefined() ? path : mine.details().path(), mine.details().takenOverFrom()));
        }
        Acquisition.Acquired acquired = new Acquisition.Acquired(key, lease, state.acquiredAs.get(), previous);
        if (state.onAcquire == SlotState.Step.CREATE) {
          return new Plan.Create<>(key, lease, acquired);
        }
        return new Plan.Replace<>(lease, acquired);
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

  private Either<LockFailure, Refresh> refresh(
      LockKey key, Claimant claimant, Option<Long> generation, Option<Duration> leaseTtl) {
    return run(key, new Planner<Refresh>() {
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
        return new Plan.Replace<>(lease, new Refresh.Refreshed(key, lease));
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

  private Either<LockFailure, Release> release(LockKey key, Claimant claimant, Option<Long> generation) {
    return run(key, new Planner<Release>() {
      @Override
      public Plan<Release> plan(Option<Slot> current) {
        SlotState state = SlotState.classify(current, claimant, clock.instant(), liveness, ttl);
        if (state.onRelease != SlotState.Step.DELETE || !fenced(current.get(), generation)) {
          return new Plan.Done<>(new Release.NotHolder(key, current));
        }
        return new Plan.Delete<>(new Release.Released(key, recordOf(current.get()).get()));
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

  /** For a person: removes whatever lease is stored under {@code key} and returns it (none when free). */
  public Either<LockFailure, Option<Slot>> forceRelease(LockKey key) {
    return run(key, new Planner<Option<Slot>>() {
      @Override
      public Plan<Option<Slot>> plan(Option<Slot> current) {
        return current.isEmpty() ? new Plan.Done<>(Option.<Slot>none()) : new Plan.Delete<>(current);
      }
    });
  }

  /** The lock on {@code key} as a person would want to see it. */
  public Either<LockFailure, LockStatus> status(LockKey key) {
    return store.read(key)
        .<LockFailure>mapLeft(LockFailure.StoreUnavailable::new)
        .map(current -> current.map(this::statusOf).getOrElse(() -> new LockStatus.Free(key)));
  }

  /**
   * The longest ttl a record read here may have: {@link RecordBounds#MAX_TTL}, or this lock's ttl when longer. What
   * a record says beyond {@link RecordBounds} is judged bounded everywhere in this class.
   */
  public Duration maxTtl() {
    return RecordBounds.maxTtl(ttl);
  }

  /** Every lock in the store, by key. Each holder process is probed once, however many locks it holds. */
  public Either<LockFailure, List<LockStatus>> list() {
    return statuses(store.list());
  }

  /** The locks whose key starts with {@code keyPrefix} (e.g. one workspace's file locks), by key. */
  public Either<LockFailure, List<LockStatus>> list(String keyPrefix) {
    return statuses(store.list(keyPrefix));
  }

  /**
   * The locks whose key starts with {@code keyPrefix} that an acquire by {@code claimant} would refuse now
   * ({@link SlotState#FOREIGN_FRESH}): what a step touching all of them must wait for. Unreadable bytes are not
   * listed (they name no holder). Each holder process is probed once.
   */
  public Either<LockFailure, List<LockStatus.Held>> blocking(String keyPrefix, Claimant claimant) {
    java.util.Map<ProcessRef, Liveness> probed = new java.util.HashMap<>();
    ProcessLiveness once = process -> probed.computeIfAbsent(process, liveness::of);
    Instant now = clock.instant();
    return store.list(keyPrefix).<LockFailure>mapLeft(LockFailure.StoreUnavailable::new)
        .map(slots -> slots.map(slot -> RecordBounds.bound(slot, now, maxTtl()))
            .filter(slot -> slot instanceof Slot.Held
                && SlotState.classify(Option.some(slot), claimant, now, once, ttl) == SlotState.FOREIGN_FRESH)
            .map(slot -> (LockStatus.Held) statusOf(slot, once)));
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
    Objects.requireNonNull(key, "key");
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      Either<StoreFailure, Option<Slot>> read = store.read(key);
      if (read.isLeft()) {
        return Either.left(new LockFailure.StoreUnavailable(read.getLeft()));
      }
      // Judged within bounds; written against the slot as stored (a store compares what it has).
      Plan<T> plan = planner.plan(RecordBounds.bound(read.get(), clock.instant(), maxTtl()));
      if (plan instanceof Plan.Done) {
        return Either.right(((Plan.Done<T>) plan).outcome());
      }
      Either<StoreFailure, WriteOutcome> written = write(plan, read.get());
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

  /** Carries out {@code plan}; a replace or delete expects {@code stored}, the slot as read (the plan judged it bounded). */
  private Either<StoreFailure, WriteOutcome> write(Plan<?> plan, Option<Slot> stored) {
    if (plan instanceof Plan.Create) {
      Plan.Create<?> create = (Plan.Create<?>) plan;
      return store.create(create.key(), create.record());
    }
    if (plan instanceof Plan.Replace) {
      return store.replace(stored.get(), ((Plan.Replace<?>) plan).next());
    }
    return store.delete(stored.get());
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

    /** Replace the slot as read by {@code next}. */
    record Replace<T>(LockRecord next, T outcome) implements Plan<T> {}

    /** Delete the slot as read. */
    record Delete<T>(T outcome) implements Plan<T> {}
  }
}
