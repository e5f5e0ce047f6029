package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.Liveness;
import dev.parallelsessionlock.core.ProcessLiveness;
import dev.parallelsessionlock.core.ProcessRef;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Liveness from this host's process table. A holder is {@link Liveness#DEAD} when its pid is gone (or a zombie),
 * or when the pid now belongs to a process that started at another time (pid reuse). A holder on another host,
 * or without a pid, is {@link Liveness#UNKNOWN}: its lease is judged by its ttl alone.
 */
public final class ProcessTableLiveness implements ProcessLiveness {

  /** A reused pid starts far later than one second after the holder did; clock-tick rounding is far less. */
  private static final Duration START_TOLERANCE = Duration.ofSeconds(1);

  private final Option<String> localHost;

  private ProcessTableLiveness(Option<String> localHost) {
    this.localHost = localHost;
  }

  /** Probes pids of records written on this host (or naming no host). */
  public static ProcessTableLiveness forThisHost() {
    return new ProcessTableLiveness(LocalProcesses.hostName());
  }

  @Override
  public Liveness of(ProcessRef process) {
    if (process.pid() <= 0) {
      return Liveness.UNKNOWN;
    }
    if (process.host().isDefined() && !process.host().equals(localHost)) {
      return Liveness.UNKNOWN;
    }
    Option<Instant> started;
    if (LocalProcesses.hasProcFs()) {
      Option<LocalProcesses.Stat> stat = LocalProcesses.running(process.pid());
      if (stat.isEmpty()) {
        return Liveness.DEAD;
      }
      started = stat.get().startedAt();
    } else {
      Optional<ProcessHandle> handle = ProcessHandle.of(process.pid());
      if (handle.isEmpty() || !handle.get().isAlive()) {
        return Liveness.DEAD;
      }
      started = Option.ofOptional(handle.get().info().startInstant());
    }
    if (process.startedAt().isDefined() && started.isDefined()) {
      Duration apart = Duration.between(process.startedAt().get(), started.get()).abs();
      return apart.compareTo(START_TOLERANCE) > 0 ? Liveness.DEAD : Liveness.ALIVE;
    }
    return Liveness.ALIVE;
  }
}
