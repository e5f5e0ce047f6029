/**
 * The lock protocol, pure: leases on a workspace (or any other {@link dev.parallelsessionlock.core.LockKey})
 * held by one agent session at a time.
 *
 * <p>{@link dev.parallelsessionlock.core.ParallelSessionLock} is the whole protocol: it reads a
 * {@link dev.parallelsessionlock.core.Slot} from a {@link dev.parallelsessionlock.core.LockStore}, classifies it
 * into a {@link dev.parallelsessionlock.core.SlotState} (the transition table), and writes back only through the
 * store's conditional primitives, retrying a bounded number of times when a rival's write lands first. So two
 * sessions that both see a stale lock can never both come out holding it.
 *
 * <p>Recipes on it: {@link dev.parallelsessionlock.core.FileLocks} (a lock per file, for sessions and plan tasks;
 * an acquire of several files is all or nothing, even across a crash, through an intent record) and
 * {@link dev.parallelsessionlock.core.WorkspaceLease} (the lease on a whole work tree). The two are one namespace,
 * as multi-granularity locking: each writes its own records first and then reads the other granularity, so of two
 * racers at least one sees the other and backs off.
 *
 * <p>Guarantees of this package:
 * <ul>
 *   <li>No file, process, environment or system-clock access: time is a {@link java.time.Clock}, storage is
 *       {@link dev.parallelsessionlock.core.LockStore}, process liveness is
 *       {@link dev.parallelsessionlock.core.ProcessLiveness}; all three are injected.</li>
 *   <li>Expected outcomes are values (sealed interfaces and records, vavr {@code Either}/{@code Option});
 *       no method throws for blocked, stale, missing or failed-store cases.</li>
 *   <li>{@link dev.parallelsessionlock.core.FailOpen#decide} never blocks on a missing or failed result.</li>
 * </ul>
 */
package dev.parallelsessionlock.core;
