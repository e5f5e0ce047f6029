package dev.parallelsessionlock.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Who asks for a lease: an agent session and the agent process it runs in.
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
 * </ul>
 *
 * @param sessionId the agent's session id, never blank
 * @param process the agent process (not a short-lived hook process); {@link ProcessRef#unknown} when none
 *     could be told
 * @param sameProcessIsSameOwner whether another session id in the very same process counts as the owner
 */
public record Claimant(String sessionId, ProcessRef process, boolean sameProcessIsSameOwner) {

  public Claimant {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(process, "process");
    if (sessionId.isBlank()) {
      throw new IllegalArgumentException("session id must not be blank");
    }
  }

  /** A claimant under the default rule: the same process is the same owner. */
  public Claimant(String sessionId, ProcessRef process) {
    this(sessionId, process, true);
  }

  /**
   * Whether {@code record} is certainly this session's own: the same session id, written by this very process,
   * or with a process on either side that cannot be told. (The same id in another process is decided by
   * {@link SlotState} with the holder's liveness.)
   */
  boolean isOwnSessionOf(LockRecord record) {
    return sessionId.equals(record.sessionId())
        && (process.isSameProcessAs(record.holder()) || !process.isKnown() || !record.holder().isKnown());
  }

  /** Whether {@code record} was written by this very agent process (and that counts as this owner). */
  boolean isSameProcessAs(LockRecord record) {
    return sameProcessIsSameOwner && process.isSameProcessAs(record.holder());
  }

  /** A fresh lease for this claimant, starting now. */
  LockRecord lease(Instant now, Duration ttl, Instant heldSince, long generation, LockRecord.Details details) {
    return new LockRecord(LockRecord.SCHEMA_VERSION, sessionId, process, now, ttl, heldSince, generation, details);
  }
}
