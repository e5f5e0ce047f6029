package dev.parallelsessionlock.core;

import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One lease, as stored. Schema version 1 is the seed's {@code {schema_version, session_id, pid, acquired_at,
 * ttl_ms}}; the extra fields below are optional on read, so records written by the seed stay readable, and
 * a seed reader still judges staleness correctly from {@code acquired_at + ttl_ms}.
 *
 * @param schemaVersion always {@value #SCHEMA_VERSION} when written by this library
 * @param sessionId the agent session that holds the lease
 * @param holder the holder's process ({@code pid}; extra fields {@code host}, {@code process_started_at},
 *     {@code boot_id}, {@code pid_ns}, {@code start_ticks})
 * @param acquiredAt start of the current lease; every acquire or refresh by the holder moves it forward
 * @param ttl lease length ({@code ttl_ms}); the lease is stale from {@code acquiredAt + ttl} on
 * @param heldSince (extra field {@code held_since}) first acquisition by this holder, for people reading it
 * @param generation (extra field {@code generation}) the fencing generation: it grows with every grant of the
 *     lease to a new holder and stays the same while one holder renews; 0 when the record has none
 * @param details what the key stands for and how the lease was got, for people
 */
public record LockRecord(
    int schemaVersion, String sessionId, ProcessRef holder, Instant acquiredAt, Duration ttl, Instant heldSince,
    long generation, Details details) {

  public static final int SCHEMA_VERSION = 1;

  /**
   * Optional facts kept with a lease for people and for the holder that lost it.
   *
   * @param path (extra field {@code path}) the resolved path the key stands for: the workspace, or the file
   * @param takenOverFrom (extra field {@code taken_over_from}) the session whose stale or dead lease this one
   *     took over, so that session's next hook can tell it lost the lease
   * @param task (extra field {@code task_id}) set when the holder is a plan task rather than an agent session
   *     (its {@code session_id} is then {@code task:<id>}, see {@link Claimant#task})
   * @param boundSession (extra field {@code bound_session}) the agent session a task lock was taken from; that
   *     session may edit the task's files
   * @param agent (extra field {@code agent}) the agent's name ({@code claude}, {@code codex}, ...), for people
   * @param attempt (extra field {@code attempt}) the multi-file acquire that took this lock; it means something
   *     only while that acquire's intent record, {@link LockKey#intent} of this id, is there (see {@link
   *     FileLocks}). On an intent record itself, its own id. A renewal of a lock its holder already held, fresh and
   *     settled, drops the tag, so a holder's earlier locks never carry the tag of a later attempt.
   * @param pendingSince (extra field {@code pending_since}) when a grant that still checks the other granularity
   *     (the workspace lease against the files, a file against the workspace lease; see {@link WorkspaceLease})
   *     wrote it; cleared when the check passed. Until then, and for a short grace from this instant however often
   *     the lease is refreshed, another call of the same holder waits instead of renewing it as its own.
   * @param clamped never stored: what the protocol found out of bounds in the record as read and how it reads it
   *     instead ({@link RecordBounds}), for the people who see the record; none for a record within bounds
   * @param doing (extra field {@code doing}) what the holder was doing at its last tool call, for those who wait for
   *     it: its tool and file ({@code Edit src/A.java}); written by the claimant's leases ({@link
   *     Claimant#withDoing}), kept by renewals that say nothing new, absent in older records
   */
  public record Details(
      Option<String> path, Option<String> takenOverFrom, Option<String> task, Option<String> boundSession,
      Option<String> agent, Option<String> attempt, Option<Instant> pendingSince, Option<String> clamped,
      Option<String> doing) {

    public static final Details NONE = new Details(Option.none(), Option.none());

    public Details {
      path = path == null ? Option.none() : path;
      takenOverFrom = takenOverFrom == null ? Option.none() : takenOverFrom;
      task = task == null ? Option.none() : task;
      boundSession = boundSession == null ? Option.none() : boundSession;
      agent = agent == null ? Option.none() : agent;
      attempt = attempt == null ? Option.none() : attempt;
      pendingSince = pendingSince == null ? Option.none() : pendingSince;
      clamped = clamped == null ? Option.none() : clamped;
      doing = doing == null ? Option.none() : doing;
    }

    /** Details without a note of what the holder is doing. */
    public Details(
        Option<String> path, Option<String> takenOverFrom, Option<String> task, Option<String> boundSession,
        Option<String> agent, Option<String> attempt, Option<Instant> pendingSince, Option<String> clamped) {
      this(path, takenOverFrom, task, boundSession, agent, attempt, pendingSince, clamped, Option.none());
    }

    /** Details as stored: nothing clamped. */
    public Details(
        Option<String> path, Option<String> takenOverFrom, Option<String> task, Option<String> boundSession,
        Option<String> agent, Option<String> attempt, Option<Instant> pendingSince) {
      this(path, takenOverFrom, task, boundSession, agent, attempt, pendingSince, Option.none());
    }

    /** Details without an attempt tag, settled. */
    public Details(
        Option<String> path, Option<String> takenOverFrom, Option<String> task, Option<String> boundSession,
        Option<String> agent) {
      this(path, takenOverFrom, task, boundSession, agent, Option.none(), Option.none());
    }

    /** Details of a session's lease: a path and whom it was taken from. */
    public Details(Option<String> path, Option<String> takenOverFrom) {
      this(path, takenOverFrom, Option.none(), Option.none(), Option.none(), Option.none(), Option.none());
    }

    /** The same details with another path and taken-over-from. */
    public Details with(Option<String> newPath, Option<String> newTakenOverFrom) {
      return new Details(newPath, newTakenOverFrom, task, boundSession, agent, attempt, pendingSince, clamped, doing);
    }

    /** The same details with another attempt tag and pending mark. */
    public Details marked(Option<String> newAttempt, Option<Instant> newPendingSince) {
      return new Details(path, takenOverFrom, task, boundSession, agent, newAttempt, newPendingSince, clamped, doing);
    }

    /** The same details saying what was clamped ({@code note}), or as stored when none. */
    public Details withClamped(Option<String> note) {
      return new Details(path, takenOverFrom, task, boundSession, agent, attempt, pendingSince, note, doing);
    }

    /** The same details saying what the holder is doing (its last tool and file), or as they were when none. */
    public Details withDoing(Option<String> what) {
      return new Details(path, takenOverFrom, task, boundSession, agent, attempt, pendingSince, clamped, what);
    }

    /** Whether the holder is a plan task. */
    public boolean isTask() {
      return task.isDefined();
    }
  }

  public LockRecord {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(holder, "holder");
    Objects.requireNonNull(acquiredAt, "acquiredAt");
    Objects.requireNonNull(ttl, "ttl");
    heldSince = heldSince == null ? acquiredAt : heldSince;
    details = details == null ? Details.NONE : details;
  }

  /** A record without a generation or details, as the seed writes them. */
  public LockRecord(
      int schemaVersion, String sessionId, ProcessRef holder, Instant acquiredAt, Duration ttl, Instant heldSince) {
    this(schemaVersion, sessionId, holder, acquiredAt, ttl, heldSince, 0, Details.NONE);
  }

  /** The same lease with other details. */
  public LockRecord withDetails(Details newDetails) {
    return new LockRecord(schemaVersion, sessionId, holder, acquiredAt, ttl, heldSince, generation, newDetails);
  }

  /** The holder's pid, as in the seed's record. */
  public long pid() {
    return holder.pid();
  }

  /** When the lease ends unless renewed. */
  public Instant expiresAt() {
    return acquiredAt.plus(ttl);
  }

  /**
   * Time left on the lease at {@code now}, never negative. A record stamped more than one ttl in the future
   * is nonsense (a broken clock, a hand edit) and has no time left, so it cannot hold a workspace
   * indefinitely; smaller skew between hosts is tolerated.
   */
  public Duration remainingAt(Instant now) {
    Duration left = Duration.between(now, expiresAt());
    return left.isNegative() || left.compareTo(ttl.multipliedBy(2)) > 0 ? Duration.ZERO : left;
  }

  /** A lease is stale once no time is left on it; a stale lease may be taken over. */
  public boolean isStaleAt(Instant now) {
    return remainingAt(now).isZero();
  }
}
