package dev.parallelsessionlock.process;

import dev.parallelsessionlock.core.Liveness;
import dev.parallelsessionlock.core.ProcessLiveness;
import dev.parallelsessionlock.core.ProcessRef;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Liveness from this host's process table.
 *
 * <ul>
 *   <li>A holder with an exact identity is probed only when it was counted in the prober's own pid space (the
 *       same kernel boot id and pid namespace); otherwise it is {@link Liveness#UNKNOWN} and judged by its lease
 *       alone: another machine, a container with its own pid namespace, or a boot since. In its space it is
 *       {@link Liveness#DEAD} when its pid is gone or a zombie, or runs a process with other start ticks (pid
 *       reuse), compared exactly.</li>
 *   <li>A holder without an identity (records of older versions or other tools) is probed when it names this
 *       host or none, with its wall-clock start time compared to within one second.</li>
 *   <li>No pid: {@link Liveness#UNKNOWN}.</li>
 * </ul>
 */
public final class ProcessTableLiveness implements ProcessLiveness {

  /** For records without an identity: a reused pid starts far later than one second after the holder did. */
  static final Duration LEGACY_START_TOLERANCE = Duration.ofSeconds(1);

  private final LocalProcesses table;

  private ProcessTableLiveness(LocalProcesses table) {
    this.table = table;
  }

  /** Probes this host's real process table. */
  public static ProcessTableLiveness forThisHost() {
    return new ProcessTableLiveness(LocalProcesses.system());
  }

  /** Probes {@code table} (a fixture tree in tests). */
  public static ProcessTableLiveness of(LocalProcesses table) {
    return new ProcessTableLiveness(table);
  }

  @Override
  public Liveness of(ProcessRef process) {
    if (process.pid() <= 0) {
      return Liveness.UNKNOWN;
    }
    if (process.identity().isDefined()) {
      return byIdentity(process, process.identity().get());
    }
    if (process.host().isDefined() && !process.host().equals(table.hostName())) {
      return Liveness.UNKNOWN;
    }
    Option<Instant> started;
    if (table.hasProcFs()) {
      Option<LocalProcesses.Stat> stat = table.running(process.pid());
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
      return apart.compareTo(LEGACY_START_TOLERANCE) > 0 ? Liveness.DEAD : Liveness.ALIVE;
    }
    return Liveness.ALIVE;
  }

  private Liveness byIdentity(ProcessRef process, ProcessRef.Identity recorded) {
    Option<String> boot = table.bootId();
    if (boot.isEmpty() || !boot.get().equals(recorded.bootId())) {
      return Liveness.UNKNOWN;
    }
    if (table.hasProcFs()) {
      Option<String> namespace = table.pidNamespace();
      if (namespace.isEmpty() || !namespace.get().equals(recorded.pidNamespace())) {
        return Liveness.UNKNOWN;
      }
      Option<LocalProcesses.Stat> stat = table.running(process.pid());
      if (stat.isEmpty()) {
        return Liveness.DEAD;
      }
      return stat.get().startTicks() == recorded.startTicks() ? Liveness.ALIVE : Liveness.DEAD;
    }
    ProcessRef now = table.ref(process.pid());
    Optional<ProcessHandle> handle = ProcessHandle.of(process.pid());
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return Liveness.DEAD;
    }
    return now.identity().isDefined() && now.identity().get().sameAs(recorded) ? Liveness.ALIVE
        : now.identity().isDefined() ? Liveness.DEAD : Liveness.UNKNOWN;
  }
}
