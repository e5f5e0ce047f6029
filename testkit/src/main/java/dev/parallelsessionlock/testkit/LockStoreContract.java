package dev.parallelsessionlock.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessLiveness;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.WriteOutcome;
import io.vavr.control.Option;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LockStore} must do, whatever it stores in. A store's test extends this class and says
 * how to make a new, empty store; it runs the conditional primitives one by one and then the full protocol
 * from many threads at once.
 */
public abstract class LockStoreContract {

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final LockKey KEY = new LockKey("session-lock-0123456789ab");

  /** A new store with nothing in it. Called once per test. */
  protected abstract LockStore newStore();

  /**
   * The record as this store gives it back after storing {@code written} under {@code key}. Most stores keep every
   * field; a store that keeps only some (a work item's frontmatter holds a session and a time) says which here.
   */
  protected LockRecord asStored(LockKey key, LockRecord written) {
    return written;
  }

  /** Acquire/release rounds per thread in the contention test; a slow (durable) store may lower it. */
  protected int contentionRounds() {
    return 200;
  }

  protected static LockRecord record(String session, long pid) {
    return new LockRecord(LockRecord.SCHEMA_VERSION, session, ProcessRef.ofPid(pid), T0, Duration.ofMinutes(5), T0);
  }

  private static Slot readSlot(LockStore store, LockKey key) {
    return store.read(key).get().getOrElseThrow(() -> new AssertionError("expected a slot under " + key));
  }

  @Test
  public void read_whenEmpty_returnsNone() {
    assertThat(newStore().read(KEY).get()).isEqualTo(Option.none());
  }

  @Test
  public void create_whenAbsent_storesTheRecordAsIs() {
    LockStore store = newStore();
    LockRecord record = new LockRecord(1, "s-a", new ProcessRef(42, Option.some("host-1"),
        Option.some(Instant.parse("2026-11-22T09:00:00.123Z"))), T0, Duration.ofMillis(1234), T0.minusSeconds(60));

    assertThat(store.create(KEY, record).get()).isEqualTo(WriteOutcome.WRITTEN);

    Slot slot = readSlot(store, KEY);
    assertThat(slot).isInstanceOf(Slot.Held.class);
    assertThat(((Slot.Held) slot).record()).isEqualTo(asStored(KEY, record));
    assertThat(slot.key()).isEqualTo(KEY);
  }

  @Test
  public void create_whenPresent_conflictsAndKeepsTheFirst() {
    LockStore store = newStore();
    store.create(KEY, record("s-a", 1));

    assertThat(store.create(KEY, record("s-b", 2)).get()).isEqualTo(WriteOutcome.CONFLICT);
    assertThat(((Slot.Held) readSlot(store, KEY)).record().sessionId()).isEqualTo("s-a");
  }

  @Test
  public void replace_whenUnchanged_writes() {
    LockStore store = newStore();
    store.create(KEY, record("s-a", 1));
    Slot seen = readSlot(store, KEY);

    assertThat(store.replace(seen, record("s-b", 2)).get()).isEqualTo(WriteOutcome.WRITTEN);
    assertThat(((Slot.Held) readSlot(store, KEY)).record().sessionId()).isEqualTo("s-b");
  }

  @Test
  public void replace_whenChangedSinceRead_conflictsAndWritesNothing() {
    LockStore store = newStore();
    store.create(KEY, record("s-a", 1));
    Slot seen = readSlot(store, KEY);
    store.replace(seen, record("s-b", 2));

    assertThat(store.replace(seen, record("s-c", 3)).get()).isEqualTo(WriteOutcome.CONFLICT);
    assertThat(((Slot.Held) readSlot(store, KEY)).record().sessionId()).isEqualTo("s-b");
  }

  @Test
  public void replace_whenDeletedSinceRead_conflictsAndCreatesNothing() {
    LockStore store = newStore();
    store.create(KEY, record("s-a", 1));
    Slot seen = readSlot(store, KEY);
    store.delete(seen);

    assertThat(store.replace(seen, record("s-c", 3)).get()).isEqualTo(WriteOutcome.CONFLICT);
    assertThat(store.read(KEY).get()).isEqualTo(Option.none());
  }

  @Test
  public void replace_whenRecreatedWithSameContentSinceRead_neverResurrectsAStaleView() {
    LockStore store = newStore();
    store.create(KEY, record("s-a", 1));
    Slot seen = readSlot(store, KEY);
    store.replace(seen, record("s-b", 2));
    store.replace(readSlot(store, KEY), record("s-a", 1));

    // The slot holds what was seen again: replacing it is then harmless, so either answer is allowed,
    // but the store must stay readable and hold exactly one of the two records.
    store.replace(seen, record("s-c", 3));
    String holder = ((Slot.Held) readSlot(store, KEY)).record().sessionId();
    assertThat(holder).isIn("s-a", "s-c");
  }

  @Test
  public void delete_whenUnchanged_removes() {
    LockStore store = newStore();
    store.create(KEY, record("s-a", 1));

    assertThat(store.delete(readSlot(store, KEY)).get()).isEqualTo(WriteOutcome.WRITTEN);
    assertThat(store.read(KEY).get()).isEqualTo(Option.none());
  }

  @Test
  public void delete_whenChangedSinceRead_conflictsAndKeepsTheNewRecord() {
    LockStore store = newStore();
    store.create(KEY, record("s-a", 1));
    Slot seen = readSlot(store, KEY);
    store.replace(seen, record("s-b", 2));

    assertThat(store.delete(seen).get()).isEqualTo(WriteOutcome.CONFLICT);
    assertThat(((Slot.Held) readSlot(store, KEY)).record().sessionId()).isEqualTo("s-b");
  }

  @Test
  public void create_afterDelete_writesAgain() {
    LockStore store = newStore();
    store.create(KEY, record("s-a", 1));
    store.delete(readSlot(store, KEY));

    assertThat(store.create(KEY, record("s-b", 2)).get()).isEqualTo(WriteOutcome.WRITTEN);
  }

  @Test
  public void list_returnsEverySlotOrderedByKey() {
    LockStore store = newStore();
    LockKey b = new LockKey("session-lock-bbbbbbbbbbbb");
    LockKey a = new LockKey("session-lock-aaaaaaaaaaaa");
    LockKey other = new LockKey("file-lock.x_y-1");
    store.create(b, record("s-b", 2));
    store.create(a, record("s-a", 1));
    store.create(other, record("s-c", 3));

    assertThat(store.list().get().map(Slot::key).toJavaList()).containsExactly(other, a, b);
  }

  @Test
  public void slots_byPrefix_areTheSlotsListWithThatPrefix_inKeyOrder() {
    LockStore store = newStore();
    LockKey b = new LockKey("file-aaaaaaaaaaaa-b");
    LockKey a = new LockKey("file-aaaaaaaaaaaa-a");
    LockKey otherTree = new LockKey("file-bbbbbbbbbbbb-a");
    store.create(b, record("s-b", 2));
    store.create(a, record("s-a", 1));
    store.create(otherTree, record("s-c", 3));
    store.create(KEY, record("s-d", 4));

    assertThat(store.slots("file-aaaaaaaaaaaa-").get()).extracting(Slot::key).containsExactly(a, b);
    assertThat(store.slots("file-aaaaaaaaaaaa-").get()).extracting(Slot::version)
        .containsExactlyElementsOf(store.list("file-aaaaaaaaaaaa-").get().map(Slot::version));
    assertThat(store.slots("intent-").get()).isEmpty();
  }

  @Test
  public void keys_areIndependent() {
    LockStore store = newStore();
    LockKey other = new LockKey("session-lock-bbbbbbbbbbbb");
    store.create(KEY, record("s-a", 1));

    assertThat(store.create(other, record("s-b", 2)).get()).isEqualTo(WriteOutcome.WRITTEN);
    store.delete(readSlot(store, KEY));
    assertThat(store.read(other).get()).isNotEmpty();
  }

  /**
   * Many threads run the whole protocol against one key. Each holder checks that nobody else is inside
   * while it holds; ttl is long so no takeover is legal, and every round must end.
   */
  @Test
  public void protocol_underThreadContention_neverHasTwoHolders() throws Exception {
    LockStore store = newStore();
    ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessLiveness.unknown(), Clock.systemUTC())
        .withTtl(Duration.ofHours(1))
        .withMaxAttempts(1000);
    int threads = 8;
    int rounds = contentionRounds();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger held = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Claimant me = new Claimant("thread-" + t, ProcessRef.ofPid(1000 + t));
      done.add(pool.submit(() -> {
        start.await();
        int mine = 0;
        while (mine < rounds) {
          var result = lock.acquire(KEY, me).get();
          if (result instanceof Acquisition.Acquired) {
            if (inside.incrementAndGet() != 1) {
              overlaps.incrementAndGet();
            }
            held.incrementAndGet();
            inside.decrementAndGet();
            assertThat(lock.release(KEY, me).get()).isInstanceOf(Release.Released.class);
            mine++;
          } else {
            Thread.onSpinWait();
          }
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> future : done) {
      future.get(2, TimeUnit.MINUTES);
    }
    pool.shutdown();

    assertThat(overlaps.get()).isZero();
    assertThat(held.get()).isEqualTo(threads * rounds);
    assertThat(store.read(KEY).get()).isEqualTo(Option.none());
  }
}
