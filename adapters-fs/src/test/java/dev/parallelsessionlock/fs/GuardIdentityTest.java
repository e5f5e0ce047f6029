package dev.parallelsessionlock.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessLiveness;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.testkit.Contender;
import io.vavr.control.Either;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One lock directory reached through two paths (a bind mount) is guarded as one, inside one JVM. */
final class GuardIdentityTest {

  @TempDir
  Path temp;

  @Test
  void storesOfOneDirectoryThroughABindMount_shareTheirGuards_andNeverThrow() throws Exception {
    Path real = Files.createDirectory(temp.resolve("locks"));
    Path mounted = Files.createDirectory(temp.resolve("mounted"));
    Process mount = new ProcessBuilder("mount", "--bind", real.toString(), mounted.toString())
        .redirectErrorStream(true).start();
    boolean bound = mount.waitFor(10, TimeUnit.SECONDS) && mount.exitValue() == 0;
    assumeTrue(bound, "bind mounts need root (CAP_SYS_ADMIN); this run has no permission: "
        + new String(mount.getInputStream().readAllBytes()).trim());
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      ParallelSessionLock[] locks = {
          ParallelSessionLock.of(FileLockStore.open(real).get(), ProcessLiveness.unknown(), Clock.systemUTC()),
          ParallelSessionLock.of(FileLockStore.open(mounted).get(), ProcessLiveness.unknown(), Clock.systemUTC())};
      assertThat(FileLockStore.open(mounted).get().directory()).isNotEqualTo(real.toRealPath());
      List<Future<List<Either<LockFailure, ?>>>> runs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        ParallelSessionLock lock = locks[t % 2];
        Claimant me = new Claimant("thread-" + t, LocalProcesses.current(), false);
        runs.add(threads.submit(() -> {
          List<Either<LockFailure, ?>> results = new ArrayList<>();
          for (int i = 0; i < 200; i++) {
            results.add(lock.acquire(Contender.KEY, me));
            results.add(lock.release(Contender.KEY, me));
          }
          return results;
        }));
      }
      for (Future<List<Either<LockFailure, ?>>> run : runs) {
        assertThat(run.get(2, TimeUnit.MINUTES)).allSatisfy(result -> assertThat(result.isRight()).isTrue());
      }
      assertThat(dev.parallelsessionlock.store.StripedGuard.inProcessGuards()).isZero();
    } finally {
      threads.shutdownNow();
      new ProcessBuilder("umount", mounted.toString()).start().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
