/**
 * What every {@link dev.parallelsessionlock.core.LockStore} runs: the store contract, the model-based protocol and
 * file-locks properties, and the fakes they need (a clock that moves only when told, liveness by decree). A main-scope
 * module, as ShedLock's {@code shedlock-test-support} and Curator's {@code curator-test}: a store's tests depend on it
 * in their test scope and extend its suites in a few lines. Nothing here sleeps.
 */
package dev.parallelsessionlock.testkit;
