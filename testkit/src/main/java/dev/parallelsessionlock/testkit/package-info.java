/**
 * What every {@link dev.parallelsessionlock.core.LockStore} runs, in a main-scope module (as ShedLock's
 * {@code shedlock-test-support} and Curator's {@code curator-test}): a store's tests depend on it in their test scope
 * and extend its suites in a few lines.
 *
 * <ul>
 *   <li>{@link dev.parallelsessionlock.testkit.LockStoreContract}: the conditional primitives one by one, then the
 *       whole protocol from many threads.</li>
 *   <li>{@link dev.parallelsessionlock.testkit.LockProtocolProperties} and
 *       {@link dev.parallelsessionlock.testkit.FileLocksProperties}: random operations against the real protocol and
 *       a reference model side by side, the first also with a rival writing between read and write.</li>
 *   <li>{@link dev.parallelsessionlock.testkit.HolderIndexContract}: what a
 *       {@link dev.parallelsessionlock.core.HolderIndex} promises.</li>
 *   <li>{@link dev.parallelsessionlock.testkit.Contender} and {@link dev.parallelsessionlock.testkit.ContenderLog}:
 *       the process-death harness, one JVM with a scripted loop against a store a
 *       {@link dev.parallelsessionlock.testkit.ContenderStore} opens, and the check of what it logged.</li>
 *   <li>{@link dev.parallelsessionlock.testkit.MutableClock} and {@link dev.parallelsessionlock.testkit.FakeLiveness}:
 *       time that moves only when told, deaths by decree. Nothing here sleeps on a clock.</li>
 * </ul>
 *
 * A store that cannot keep something (a work item keeps a session and a time) says so through the suites' hooks
 * ({@code asStored}, {@code keepsProcessPerSession}) and is held to all it does keep; no suite is skipped.
 */
package dev.parallelsessionlock.testkit;
