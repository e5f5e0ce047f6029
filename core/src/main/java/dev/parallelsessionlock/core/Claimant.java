package dev.parallelsessionlock.core;

import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Who asks for a lease: an agent session and the agent process it runs in, or a plan task.
 *
 * <p>Ownership, decided by {@link SlotState} because it needs the holder's liveness:
 * <ul>
 *   <li>the same session id in the same process, or in a process that is gone or cannot be probed: the owner;</li>
 *   <li>the same session id in <em>another live process</em> ({@code claude --resume X} in two terminals): not
 *       the owner; two live processes are never one owner;</li>
 *   <li>another session id in the very same agent process ({@code /clear}, resume, auto-compact change the id
 *       without a restart): the owner for acquire and refresh, so a user is never locked out of their own
 *       workspace, but not for release, so a late end-of-session event of an old id frees nothing;
 *       {@code sameProcessIsSameOwner = false} turns this off (several sessions hosted in one process).</li>
 *   <li>a plan task ({@link #task}) is one holder whatever process asks under its id; a task lock taken from
 *       inside an agent session ({@code boundSession}, or the same agent process) may be used by that session
 *       (it renews the task's lease and edits) but not released by it; that task may take over the session's
 *       own lock on a file it needs.</li>
 * </ul>
 *
 * @param sessionId the agent's session id, or {@code task:<id>} for a task; never blank
 * @param process the agent process (not a short-lived hook process); {@link ProcessRef#unknown} when none
 *     could be told
 * @param sameProcessIsSameOwner whether another session id in the very same process counts as the owner
 * @param task the task id, when the claimant is a plan task
 * @param boundSession for a task: the agent session it was taken from
 * @param agent the agent's name, kept in the record for people
 * @param doing what the claimant is doing now (its tool and file), kept in the records it writes for the sessions
 *     that wait for it ({@link LockRecord.Details#doing})
 */
public record Claimant(
    String sessionId, ProcessRef process, boolean sameProcessIsSameOwner, Option<String> task,
    Option<String> boundSession, Option<String> agent, Option<String> doing) {

  /** The prefix of a task holder's {@code session_id}: tasks and sessions never share an id. */
  public static final String TASK_PREFIX = "task:";

  public Claimant {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(process, "process");
    if (sessionId.isBlank()) {
      throw new IllegalArgumentException("session id must not be blank");
    }
    task = task == null ? Option.none() : task;
    boundSession = boundSession == null ? Option.none() : boundSession;
    agent = agent == null ? Option.none() : agent;
    doing = doing == null ? Option.none() : doing;
  }

  /** A claimant that says nothing of what it is doing. */
  public Claimant(
      String sessionId, ProcessRef process, boolean sameProcessIsSameOwner, Option<String> task,
      Option<String> boundSession, Option<String> agent) {
    this(sessionId, process, sameProcessIsSameOwner, task, boundSession, agent, Option.none());
  }

  /** A session claimant; {@code sameProcessIsSameOwner} as above. */
  public Claimant(String sessionId, ProcessRef process, boolean sameProcessIsSameOwner) {
    this(sessionId, process, sameProcessIsSameOwner, Option.none(), Option.none(), Option.none());
  }

  /** A session claimant under the default rule: the same process is the same owner. */
  public Claimant(String sessionId, ProcessRef process) {
    this(sessionId, process, true);
  }

  /**
   * A plan task: {@code taskId}, taken by {@code process} (the agent process when run from an agent's shell, so
   * it dies with the session; else the process that ran the command), for {@code boundSession} when it was taken
   * from inside an agent session.
   */
  public static Claimant task(String taskId, ProcessRef process, Option<String> boundSession) {
    Objects.requireNonNull(taskId, "taskId");
    if (taskId.isBlank()) {
      throw new IllegalArgumentException("task id must not be blank");
    }
    return new Claimant(TASK_PREFIX + taskId, process, false, Option.some(taskId), boundSession, Option.none());
  }

  /** The same claimant, naming its agent in the records it writes. */
  public Claimant withAgent(Option<String> agentName) {
    return new Claimant(sessionId, process, sameProcessIsSameOwner, task, boundSession, agentName, doing);
  }

  /** The same claimant, saying in the records it writes what it is doing ({@code Edit src/A.java}). */
  public Claimant withDoing(Option<String> what) {
    return new Claimant(sessionId, process, sameProcessIsSameOwner, task, boundSession, agent, what);
  }

  /** Whether this claimant is a plan task. */
  public boolean isTask() {
    return task.isDefined();
  }

  /**
   * Whether {@code record} is certainly this claimant's own: the same task; or the same session id, written by
   * this very process, or with a process on either side that cannot be told. (The same session id in another
   * process is decided by {@link SlotState} with the holder's liveness.)
   */
  boolean isOwnSessionOf(LockRecord record) {
    if (isTask() || record.details().isTask()) {
      return isTask() && task.equals(record.details().task());
    }
    return sessionId.equals(record.sessionId())
        && (process.isSameProcessAs(record.holder()) || !process.isKnown() || !record.holder().isKnown());
  }

  /** Whether {@code record} was written by this very agent process (and that counts as this owner). */
  boolean isSameProcessAs(LockRecord record) {
    return sameProcessIsSameOwner && process.isSameProcessAs(record.holder());
  }

  /**
   * Whether this session may use {@code record}, a task's lock: the task was taken from this session, or from
   * this very agent process.
   */
  boolean mayUseTaskLock(LockRecord record) {
    return !isTask() && record.details().isTask()
        && (is(record.details().boundSession(), sessionId) || isSameProcessAs(record));
  }

  /** Whether this task was taken from the session that holds {@code record}, a session's lock. */
  boolean mayAdoptSessionLock(LockRecord record) {
    return isTask() && !record.details().isTask()
        && (is(boundSession, record.sessionId())
            || (process.isKnown() && process.isSameProcessAs(record.holder())));
  }

  /** Whether {@code value} is {@code expected}; vavr's {@code contains} would load a lambda on the hook path. */
  private static boolean is(Option<String> value, String expected) {
    return value.isDefined() && value.get().equals(expected);
  }

  /** A fresh lease for this claimant, starting now; {@code details} gain this claimant's task, session and agent. */
  LockRecord lease(Instant now, Duration ttl, Instant heldSince, long generation, LockRecord.Details details) {
    LockRecord.Details mine = new LockRecord.Details(details.path(), details.takenOverFrom(), task, boundSession,
        agent.isDefined() ? agent : details.agent(), details.attempt(), details.pendingSince(), Option.none(),
        doing.isDefined() ? doing : details.doing());
    return new LockRecord(LockRecord.SCHEMA_VERSION, sessionId, process, now, ttl, heldSince, generation, mine);
  }
}
