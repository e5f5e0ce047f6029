package dev.parallelsessionlock.core;

import io.vavr.control.Option;
import java.time.Instant;

/**
 * A process, identified by its pid and, when known, its host and start time. The start time tells a live
 * holder from an unrelated process that was later given the same pid.
 *
 * @param pid operating-system process id (0 or negative when unknown)
 * @param host host name the pid belongs to; pids on other hosts are never probed
 * @param startedAt when the process started, to detect pid reuse
 */
public record ProcessRef(long pid, Option<String> host, Option<Instant> startedAt) {

  public ProcessRef {
    host = host == null ? Option.none() : host;
    startedAt = startedAt == null ? Option.none() : startedAt;
  }

  /** A process known only by its pid. */
  public static ProcessRef ofPid(long pid) {
    return new ProcessRef(pid, Option.none(), Option.none());
  }

  /**
   * True only when both sides name the same pid, the same host and the same start time: a pid alone is not
   * enough to call two processes the same.
   */
  public boolean isSameProcessAs(ProcessRef other) {
    return pid > 0
        && pid == other.pid
        && host.isDefined() && host.equals(other.host)
        && startedAt.isDefined() && startedAt.equals(other.startedAt);
  }
}
