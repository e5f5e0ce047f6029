package dev.parallelsessionlock.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FileAcquisition;
import dev.parallelsessionlock.core.FileLocks;
import dev.parallelsessionlock.core.WorkspaceAcquisition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's embedding example, line for line, so it keeps compiling and doing what it says. */
final class EmbeddingExampleTest {

  @TempDir
  Path dir;

  @Test
  void readmeExample_takesAndReleasesAFileLockAndAWorkspaceLease() {
    Path repo = Path.of("/home/me/repo");
    // --- README example starts
    LocalLocks locks = LocalLocks.open(dir).getOrElseThrow(failure -> new IllegalStateException(failure.describe()));
    Claimant me = locks.claimant("release-bot-42");

    FileLocks.LockedFile pom = LocalLocks.file(repo, repo.resolve("pom.xml"));
    var files = locks.files().acquire(List.of(pom), me, Duration.ofMinutes(5)).get();
    if (files instanceof FileAcquisition.Blocked blocked) {
      System.err.println("held by " + blocked.held().get(0).holder().get().sessionId());
    }
    locks.files().release(List.of(pom), me);

    var lease = locks.workspace().acquire(LocalLocks.workspaceHash(repo), me, Duration.ofMinutes(5)).get();
    // Acquired, Blocked (another session's lease) or FilesHeld (others' file locks there), never an exception
    locks.lock().release(LocalLocks.workspaceKey(repo), me);
    // --- README example ends
    assertThat(files).isInstanceOf(FileAcquisition.Acquired.class);
    assertThat(lease).isInstanceOf(WorkspaceAcquisition.Acquired.class);
    assertThat(locks.store().list().get()).isEmpty();
  }
}
