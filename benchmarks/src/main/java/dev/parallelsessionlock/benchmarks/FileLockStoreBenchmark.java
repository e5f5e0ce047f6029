package dev.parallelsessionlock.benchmarks;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One acquire and one release of a workspace lock through the whole protocol on the real {@link FileLockStore}:
 * read, OS lock on the guard file, compare, temp file, atomic rename (and fsync when {@code durable}), then the
 * conditional delete. The peer is proper-lockfile's lock+unlock, run by {@code store-bench.sh} in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FileLockStoreBenchmark {

  @Param({"false", "true"})
  public boolean durable;

  private Path dir;
  private ParallelSessionLock lock;
  private Claimant me;
  private final LockKey key = new LockKey("session-lock-bench00000000");

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("session-lock-bench");
    FileLockStore store = FileLockStore.open(dir, durable).getOrElseThrow(f -> new IllegalStateException(f.describe()));
    lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC());
    me = new Claimant("bench", LocalProcesses.current());
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  @Benchmark
  public Release acquireRelease() {
    Acquisition acquired = lock.acquire(key, me).get();
    if (!(acquired instanceof Acquisition.Acquired)) {
      throw new IllegalStateException("not acquired: " + acquired);
    }
    return lock.release(key, me).get();
  }
}
