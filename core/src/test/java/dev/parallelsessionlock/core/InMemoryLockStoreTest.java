package dev.parallelsessionlock.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the in-memory store adds to the contract (which the testkit runs against it): unreadable bytes kept aside. */
final class InMemoryLockStoreTest {

  @Test
  void delete_ofUnreadableSlot_keepsItAside() {
    InMemoryLockStore store = new InMemoryLockStore();
    LockKey key = new LockKey("session-lock-0123456789ab");
    store.putUnreadable(key, Instant.parse("2026-11-22T10:00:00Z"), "truncated");
    Slot seen = store.read(key).get().get();

    assertThat(store.delete(seen).get()).isEqualTo(WriteOutcome.WRITTEN);
    assertThat(store.keptAside()).containsExactly((Slot.Unreadable) seen);
  }
}
