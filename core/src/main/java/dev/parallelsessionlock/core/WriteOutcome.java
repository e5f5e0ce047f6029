package dev.parallelsessionlock.core;

/** Result of a conditional write: it either took effect, or the slot was not as expected and nothing changed. */
public enum WriteOutcome {
  /** The write took effect atomically. */
  WRITTEN,
  /** Another writer got there first (the key exists, or changed since it was read); nothing was written. */
  CONFLICT
}
