package dev.parallelsessionlock.core;

import io.vavr.control.Option;
import java.time.Instant;

/**
 * A process, identified by values that do not move while it runs.
 *
 * <p>{@link Identity} is the exact identity (on Linux: the kernel's boot id, the pid namespace and the raw start
 * time in clock ticks since boot). None of it depends on the wall clock, so a clock step (NTP, resume from
 * sleep, WSL time sync) never makes a live process look like another one. {@code host} and {@code startedAt}
 * are kept for people and for records written without an identity (older versions, other tools).
 *
 * @param pid operating-system process id; 0 or negative when no agent process could be told, and the holder
 *     is then identified by its session id alone
 * @param host host name the pid belongs to, for people and for records without an identity
 * @param startedAt when the process started, by the wall clock (for people; compared only for old records)
 * @param identity the exact identity, when the platform gives one
 */
public record ProcessRef(long pid, Option<String> host, Option<Instant> startedAt, Option<Identity> identity) {

  /**
   * Where a pid is valid and when the process started there, compared exactly.
   *
   * @param bootId the kernel's boot id: a new one after every boot; another machine has another one
   * @param pidNamespace the pid namespace the pid is counted in (a container has its own)
   * @param startTicks the process's start in the platform's own unit (Linux: clock ticks since boot)
   */
  public record Identity(String bootId, String pidNamespace, long startTicks) {

    /** Whether a pid of {@code other} can be probed from here: the same boot and pid namespace. */
    public boolean sameSpaceAs(Identity other) {
      return bootId.equals(other.bootId) && pidNamespace.equals(other.pidNamespace);
    }

    /**
     * Field by field, as {@code equals} would, but without a record's generated {@code equals}: its
     * invokedynamic bootstrap spins classes at run time, milliseconds of every cold hook start.
     */
    public boolean sameAs(Identity other) {
      return startTicks == other.startTicks && sameSpaceAs(other);
    }
  }

  public ProcessRef {
    host = host == null ? Option.none() : host;
    startedAt = startedAt == null ? Option.none() : startedAt;
    identity = identity == null ? Option.none() : identity;
  }

  /** A process known by pid, host and start time only (records written without an identity). */
  public ProcessRef(long pid, Option<String> host, Option<Instant> startedAt) {
    this(pid, host, startedAt, Option.none());
  }

  /** A process known only by its pid. */
  public static ProcessRef ofPid(long pid) {
    return new ProcessRef(pid, Option.none(), Option.none(), Option.none());
  }

  /** No process could be told: the holder is its session id alone, judged by its lease only. */
  public static ProcessRef unknown(Option<String> host) {
    return new ProcessRef(0, host, Option.none(), Option.none());
  }

  /** Whether this names a process at all. */
  public boolean isKnown() {
    return pid > 0;
  }

  /**
   * True only when both sides certainly name one process: the same pid and the same exact identity; for a
   * side without an identity, the same pid, host and start time. A pid alone is never enough.
   */
  public boolean isSameProcessAs(ProcessRef other) {
    if (pid <= 0 || pid != other.pid) {
      return false;
    }
    if (identity.isDefined() && other.identity.isDefined()) {
      return identity.get().sameAs(other.identity.get());
    }
    return host.isDefined() && host.equals(other.host)
        && startedAt.isDefined() && startedAt.equals(other.startedAt);
  }
}
