package dev.parallelsessionlock.core;

/**
 * Port that says whether a lock holder's process still runs. Only a {@link Liveness#DEAD} answer lets a
 * fresh lease be taken over, so an implementation that is unsure must answer {@link Liveness#UNKNOWN}.
 */
@FunctionalInterface
public interface ProcessLiveness {

  Liveness of(ProcessRef process);

  /** Knows nothing: leases are judged by their ttl only. */
  static ProcessLiveness unknown() {
    return process -> Liveness.UNKNOWN;
  }
}
