package dev.parallelsessionlock.core;

/** What a {@link ProcessLiveness} probe can say about a holder's process. */
public enum Liveness {
  /** The process runs and, where a start time is recorded, it is the same process. */
  ALIVE,
  /** Provably gone: no such pid on this host, or the pid now belongs to a process started at another time. */
  DEAD,
  /** Cannot tell (another host, no pid, probe not permitted); the lease is then judged by its ttl alone. */
  UNKNOWN
}
