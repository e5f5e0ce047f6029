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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class FileHolderIndexTest {

  @TempDir
  Path dir;

  private static final LockKey A = LockKey.file(WorkspaceHash.of("/r"), "/r/a");
  private static final LockKey B = LockKey.file(WorkspaceHash.of("/r"), "/r/b");

  /** What the file index adds to the contract (HolderIndexContract): a holder without keys leaves no folder. */
  @Test
  void removingTheLastEntry_removesTheHoldersFolder() throws Exception {
    FileHolderIndex index = FileHolderIndex.of(FileLockStore.open(dir).get());

    index.add("sess", B);
    index.add("sess", A);
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

}
