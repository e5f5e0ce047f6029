package dev.parallelsessionlock.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FileAcquisition;
import dev.parallelsessionlock.core.FileLocks;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessLiveness;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.WorkspaceHash;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class FileHolderIndexTest {

  @TempDir
  Path dir;

  private static final LockKey A = LockKey.file(WorkspaceHash.of("/r"), "/r/a");
  private static final LockKey B = LockKey.file(WorkspaceHash.of("/r"), "/r/b");

  @Test
  void add_isIdempotent_keysAreOrdered_andRemovingTheLastEntryRemovesTheFolder() throws Exception {
    FileHolderIndex index = FileHolderIndex.of(FileLockStore.open(dir).get());

    index.add("sess", B);
    index.add("sess", A);
    index.add("sess", A);

    assertThat(index.keys("sess").get()).containsExactly(A, B).isSortedAccordingTo(LockKey::compareTo);
    assertThat(index.keys("other").get()).isEmpty();
    index.remove("sess", A);
    index.remove("sess", B);
    index.remove("sess", B);
    assertThat(index.keys("sess").get()).isEmpty();
    try (var left = Files.list(dir.resolve(FileHolderIndex.DIRECTORY))) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void theStoresListing_ignoresTheIndexFolder_andAPrefixReadsOnlyMatchingRecords() {
    FileLockStore store = FileLockStore.open(dir).get();
    FileLocks locks = FileLocks.of(ParallelSessionLock.of(store, ProcessLiveness.unknown(), Clock.systemUTC()), store,
        FileHolderIndex.of(store));
    Claimant alice = new Claimant("alice", ProcessRef.ofPid(1));
    assertThat(locks.acquire(List.of(new FileLocks.LockedFile(WorkspaceHash.of("/r"), "/r/a"),
        new FileLocks.LockedFile(WorkspaceHash.of("/s"), "/s/a")), alice, Duration.ofMinutes(5)).get())
        .isInstanceOf(FileAcquisition.Acquired.class);
    ParallelSessionLock.of(store, ProcessLiveness.unknown(), Clock.systemUTC())
        .acquire(LockKey.workspace(WorkspaceHash.of("/r")), alice);

    assertThat(store.list().get()).hasSize(3);
    assertThat(store.list(LockKey.filePrefix(WorkspaceHash.of("/r"))).get()).extracting(s -> s.key()).containsExactly(A);
    assertThat(locks.releaseAll(alice, false).get()).hasSize(2);
    assertThat(store.list().get()).hasSize(1);
  }

  @Test
  void concurrentAddsAndRemovesOfOneHolder_loseNoEntry() throws Exception {
    FileHolderIndex index = FileHolderIndex.of(FileLockStore.open(dir).get());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int id = t;
      threads.add(new Thread(() -> {
        for (int i = 0; i < 500; i++) {
          LockKey key = new LockKey("file-000000000000-" + id + "-" + i);
          assertThat(index.add("sess", key).isRight()).isTrue();
          if (i % 2 == 0) {
            assertThat(index.remove("sess", key).isRight()).isTrue();
          }
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(index.keys("sess").get()).hasSize(8 * 250);
  }

  /**
   * The holder's folder appears and disappears all the time here (each thread adds and removes its one key), the
   * race in which {@code createDirectories} sees the folder, another thread deletes it, and it then throws
   * {@code FileAlreadyExistsException}: an add must still leave its entry.
   */
  @Test
  void addsRacingTheFoldersRemoval_stillLeaveTheirEntry() throws Exception {
    FileHolderIndex index = FileHolderIndex.of(FileLockStore.open(dir).get());
    java.util.concurrent.atomic.AtomicInteger lost = new java.util.concurrent.atomic.AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      LockKey key = new LockKey("file-000000000000-only-" + t);
      threads.add(new Thread(() -> {
        for (int i = 0; i < 2000; i++) {
          index.add("sess", key);
          if (!index.keys("sess").get().contains(key)) {
            lost.incrementAndGet();
          }
          index.remove("sess", key);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(lost.get()).as("adds whose entry was not there right after").isZero();
  }
}
