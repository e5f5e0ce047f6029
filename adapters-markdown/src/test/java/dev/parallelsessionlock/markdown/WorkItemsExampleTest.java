package dev.parallelsessionlock.markdown;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.LockStatus;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's work-item example, line for line. */
final class WorkItemsExampleTest {

  @TempDir
  Path temp;

  @Test
  void readmeExample_claimsReadsAndUnclaimsAnItem() throws Exception {
    Path lockDir = temp.resolve("locks");
    Path cwd = temp;
    Path itemsDir = Files.createDirectories(temp.resolve("items"));
    Files.writeString(itemsDir.resolve("WRK-157.md"), "---\nid: WRK-157\nlocked_by: \"\"\nlocked_at: \"\"\n---\n");
    Claimant me = new Claimant("release-bot-42", LocalProcesses.current());
    // --- README example starts
    WorkItems items = WorkItems.open(lockDir, ProcessTableLiveness.forThisHost(), Clock.systemUTC(),
        WorkItems.DEFAULT_STALE_AFTER).getOrElseThrow(failure -> new IllegalStateException(failure.describe()));
    Path item = WorkItems.find("WRK-157", cwd, Option.some(itemsDir)).get();   // Left: NotFound, Ambiguous
    Either<ClaimFailure, Acquisition> claim = items.claim(item, me);           // Acquired or Blocked(holder)
    Either<ClaimFailure, LockStatus> now = items.read(item);                   // Free or Held(holder, age, left)
    Either<ClaimFailure, Release> done = items.unclaim(item, me);              // Released or NotHolder
    // --- README example ends
    assertThat(claim.get()).isInstanceOf(Acquisition.Acquired.class);
    assertThat(((LockStatus.Held) now.get()).record().sessionId()).isEqualTo("release-bot-42");
    assertThat(done.get()).isInstanceOf(Release.Released.class);
  }
}
