/**
 * Test kit shipped as the core's test-jar: {@link dev.parallelsessionlock.core.testkit.LockStoreContract},
 * which every {@link dev.parallelsessionlock.core.LockStore} runs, and the fakes it needs (a clock that moves
 * only when told, liveness by decree). Nothing here sleeps.
 */
package dev.parallelsessionlock.core.testkit;
