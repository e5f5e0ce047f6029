package dev.parallelsessionlock.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.testkit.LockStoreContract;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class InMemoryLockStoreTest extends LockStoreContract {

  @Override
  protected LockStore newStore() {
    return new InMemoryLockStore();
  }

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
