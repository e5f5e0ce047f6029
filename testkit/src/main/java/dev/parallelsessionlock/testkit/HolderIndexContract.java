package dev.parallelsessionlock.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.WorkspaceHash;
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
 * What every {@link HolderIndex} promises: per holder, the keys added and not removed since, ordered; adding twice
 * and removing what is not there change nothing; holders never see each other's keys; and adds from many threads
 * at once all stay, while the same holder's other keys come and go. An index's test extends this class and says
 * how to make a new, empty index.
 */
public abstract class HolderIndexContract {

  private static final LockKey A = LockKey.file(WorkspaceHash.of("/r"), "/r/a");
  private static final LockKey B = LockKey.file(WorkspaceHash.of("/r"), "/r/b");
  private static final LockKey C = LockKey.file(WorkspaceHash.of("/s"), "/s/c");

  /** A new index with nothing in it. Called once per test. */
  protected abstract HolderIndex newIndex();

  @Test
  public void keys_ofAHolderWithNone_isEmpty() {
    assertThat(newIndex().keys("session-a").get()).isEmpty();
  }

  @Test
  public void add_thenKeys_listsEveryKeyOnceInOrder() {
    HolderIndex index = newIndex();

    assertThat(index.add("session-a", C).get()).isEqualTo(C);
    index.add("session-a", A);
    index.add("session-a", B);
    index.add("session-a", A);

    assertThat(index.keys("session-a").get()).containsExactlyInAnyOrder(A, B, C)
        .isSortedAccordingTo(LockKey::compareTo);
  }

  @Test
  public void remove_forgetsThatKeyOnly_andRemovingWhatIsNotThereIsFine() {
    HolderIndex index = newIndex();
    index.add("session-a", A);
    index.add("session-a", B);

    assertThat(index.remove("session-a", A).get()).isEqualTo(A);
    assertThat(index.remove("session-a", A).isRight()).isTrue();
    assertThat(index.remove("session-b", B).isRight()).isTrue();

    assertThat(index.keys("session-a").get()).containsExactly(B);
    index.remove("session-a", B);
    assertThat(index.keys("session-a").get()).isEmpty();
    index.add("session-a", A);
    assertThat(index.keys("session-a").get()).containsExactly(A);
  }

  @Test
  public void holders_areIndependent_whateverTheirNames() {
    HolderIndex index = newIndex();
    String task = "task:T-1";
    String odd = "séance / \"quoted\" 1";

    index.add("session-a", A);
    index.add(task, B);
    index.add(odd, C);
    index.remove(task, A);

    assertThat(index.keys("session-a").get()).containsExactly(A);
    assertThat(index.keys(task).get()).containsExactly(B);
    assertThat(index.keys(odd).get()).containsExactly(C);
    assertThat(index.keys("session-b").get()).isEmpty();
  }

  /** Eight threads add keys of one holder at once, and remove every other one: every add that stays is listed. */
  @Test
  public void concurrentAddsAndRemoves_ofOneHolder_loseNoEntry() throws Exception {
    HolderIndex index = newIndex();
    int threads = 8;
    int keys = 100;
    runConcurrently(threads, thread -> {
      for (int i = 0; i < keys; i++) {
        LockKey key = new LockKey("file-000000000000-" + thread + "-" + i);
        assertThat(index.add("session-a", key).isRight()).isTrue();
        if (i % 2 == 0) {
          assertThat(index.remove("session-a", key).isRight()).isTrue();
        }
      }
    });

    assertThat(index.keys("session-a").get()).hasSize(threads * keys / 2);
  }

  /**
   * Each thread adds and removes its own key of one holder over and over, so the holder has keys, then none, then
   * some (an index that drops a holder with no keys is racing its own adds): an add is there right after it.
   */
  @Test
  public void addsRacingTheRemovalOfTheHoldersLastKey_stillLeaveTheirEntry() throws Exception {
    HolderIndex index = newIndex();
    AtomicInteger lost = new AtomicInteger();
    runConcurrently(8, thread -> {
      LockKey key = new LockKey("file-000000000000-only-" + thread);
      for (int i = 0; i < 200; i++) {
        index.add("session-a", key);
        if (!index.keys("session-a").get().contains(key)) {
          lost.incrementAndGet();
        }
        index.remove("session-a", key);
      }
    });

    assertThat(lost.get()).as("adds whose entry was not there right after").isZero();
    assertThat(index.keys("session-a").get()).isEmpty();
  }

  /** One thread's work in {@link #runConcurrently}. */
  protected interface Work {
    void run(int thread) throws Exception;
  }

  /** Runs {@code work} on {@code threads} threads started at once; fails with the first thread's failure. */
  protected static void runConcurrently(int threads, Work work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      done.add(pool.submit(() -> {
        start.await();
        work.run(thread);
        return null;
      }));
    }
    start.countDown();
    try {
      for (Future<?> future : done) {
        future.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
