package dev.parallelsessionlock.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Who asks for a lease: an agent session and the agent process it runs in.
 *
 * <p>Ownership rule: a claimant owns a record when the session ids are equal, or when the record names the
 * very same agent process (same pid, host and start time). The second half keeps a user in their own
 * workspace when the agent changes its session id without restarting ({@code /clear}, resume, auto-compact),
 * and makes subagents that run inside the parent's process one owner with it.
 *
 * @param sessionId the agent's session id, never empty
 * @param process the agent process (not a short-lived hook process)
 */
public record Claimant(String sessionId, ProcessRef process) {

  public Claimant {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(process, "process");
    if (sessionId.isBlank()) {
      throw new IllegalArgumentException("session id must not be blank");
    }
  }

  /** True when this claimant is the holder of {@code record} under the ownership rule above. */
  public boolean owns(LockRecord record) {
    return sessionId.equals(record.sessionId()) || process.isSameProcessAs(record.holder());
  }

  /** A fresh lease for this claimant, starting now. */
  LockRecord lease(Instant now, Duration ttl, Instant heldSince) {
    return new LockRecord(LockRecord.SCHEMA_VERSION, sessionId, process, now, ttl, heldSince);
  }
}
