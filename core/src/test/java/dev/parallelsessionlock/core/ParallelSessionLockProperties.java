package dev.parallelsessionlock.core;

/** The model-based properties of the protocol ({@link LockProtocolProperties}) over the in-memory store. */
final class ParallelSessionLockProperties extends LockProtocolProperties {}
