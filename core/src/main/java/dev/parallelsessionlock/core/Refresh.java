package dev.parallelsessionlock.core;

import io.vavr.control.Option;

/** Outcomes of {@link ParallelSessionLock#refresh}: only the holder can extend a lease. */
public sealed interface Refresh {

  /** The caller's lease now runs from the refresh time. */
  record Refreshed(LockKey key, LockRecord record) implements Refresh {}

  /** The caller is not the holder; nothing was written. {@code current} is the lease as found, if any. */
  record NotHolder(LockKey key, Option<Slot> current) implements Refresh {}
}
