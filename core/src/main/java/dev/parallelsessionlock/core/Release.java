package dev.parallelsessionlock.core;

import io.vavr.control.Option;

/** Outcomes of {@link ParallelSessionLock#release}: only the holder can release. */
public sealed interface Release {

  /** The caller's lease was removed. */
  record Released(LockKey key, LockRecord record) implements Release {}

  /** The caller is not the holder; nothing was removed. {@code current} is the lease as found, if any. */
  record NotHolder(LockKey key, Option<Slot> current) implements Release {}
}
