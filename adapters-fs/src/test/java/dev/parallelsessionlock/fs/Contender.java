package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessLiveness;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;

/**
 * A separate JVM that uses a {@link FileLockStore} for real, driven by the multi-process tests.
 *
 * <ul>
 *   <li>{@code contend <dir> <id> <rounds> <log>}: acquire, append {@code E id round}, append
 *       {@code X id round}, release; repeat. Appends are single O_APPEND writes, so the log is a global order.</li>
 *   <li>{@code hold <dir> <session>}: acquire as this JVM, print {@code HELD}, then wait to be killed.</li>
 *   <li>{@code churn <dir> <session>}: acquire, refresh and release in a loop, printing {@code GO} once.</li>
 *   <li>{@code takeover <dir> <id> <rounds> <log> <go>}: for each round r, wait for the file {@code <go>-r}, then
 *       try once to acquire (real liveness) and append {@code R r id WON how} or {@code R r id BLOCKED}; exit once
 *       {@code <go>-end} exists.</li>
 *   <li>{@code guard <file>}: take the OS lock on {@code file}, print {@code LOCKED}, wait to be killed (a stuck
 *       process holding a store's guard).</li>
 * </ul>
 */
public final class Contender {

  static final LockKey KEY = new LockKey("session-lock-c0ffee000000");

  public static void main(String[] args) throws Exception {
    if (args[0].equals("guard")) {
      guard(Path.of(args[1]));
      return;
    }
    FileLockStore store = FileLockStore.open(Path.of(args[1])).getOrElseThrow(f -> new IllegalStateException(f.describe()));
    switch (args[0]) {
      case "contend":
        contend(store, args[2], Integer.parseInt(args[3]), Path.of(args[4]));
        break;
      case "hold":
        hold(store, args[2]);
        break;
      case "churn":
        churn(store, args[2]);
        break;
      case "takeover":
        takeover(store, args[2], Integer.parseInt(args[3]), Path.of(args[4]), args[5]);
        break;
      default:
        throw new IllegalArgumentException(args[0]);
    }
  }

  private static void contend(FileLockStore store, String id, int rounds, Path log) throws IOException {
    ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessLiveness.unknown(), Clock.systemUTC())
        .withTtl(Duration.ofHours(1))
        .withMaxAttempts(10_000);
    Claimant me = new Claimant("contender-" + id, LocalProcesses.current());
    try (FileChannel out = FileChannel.open(log, StandardOpenOption.WRITE, StandardOpenOption.APPEND, StandardOpenOption.CREATE)) {
      for (int round = 0; round < rounds; ) {
        Acquisition result = lock.acquire(KEY, me).getOrElseThrow(f -> new IllegalStateException(f.describe()));
        if (!(result instanceof Acquisition.Acquired)) {
          Thread.onSpinWait();
          continue;
        }
        out.write(ByteBuffer.wrap(("E " + id + " " + round + "\n").getBytes(StandardCharsets.US_ASCII)));
        out.write(ByteBuffer.wrap(("X " + id + " " + round + "\n").getBytes(StandardCharsets.US_ASCII)));
        Release released = lock.release(KEY, me).getOrElseThrow(f -> new IllegalStateException(f.describe()));
        if (!(released instanceof Release.Released)) {
          throw new IllegalStateException("lost a lock while holding it: " + released);
        }
        round++;
      }
    }
  }

  private static void takeover(FileLockStore store, String id, int rounds, Path log, String go) throws Exception {
    ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC())
        .withMaxAttempts(10_000);
    Claimant me = new Claimant("taker-" + id, LocalProcesses.current());
    try (FileChannel out = FileChannel.open(log, StandardOpenOption.WRITE, StandardOpenOption.APPEND, StandardOpenOption.CREATE)) {
      for (int round = 0; round < rounds; round++) {
        Path signal = Path.of(go + "-" + round);
        while (!java.nio.file.Files.exists(signal)) {
          Thread.sleep(1);
        }
        Acquisition result = lock.acquire(KEY, me).getOrElseThrow(f -> new IllegalStateException(f.describe()));
        String line = result instanceof Acquisition.Acquired acquired
            ? "R " + round + " " + id + " WON " + acquired.how()
            : "R " + round + " " + id + " BLOCKED";
        out.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII)));
      }
    }
    // Stay alive until the coordinator is done: a winner that exits would be a dead holder to the others.
    while (!java.nio.file.Files.exists(Path.of(go + "-end"))) {
      Thread.sleep(5);
    }
  }

  @SuppressWarnings("try")
  private static void guard(Path file) throws Exception {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
         java.nio.channels.FileLock held = channel.lock()) {
      System.out.println("LOCKED");
      System.out.flush();
      System.in.read();
    }
  }

  private static void hold(FileLockStore store, String session) throws Exception {
    ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC());
    Acquisition result = lock.acquire(KEY, new Claimant(session, LocalProcesses.current())).get();
    System.out.println(result instanceof Acquisition.Acquired ? "HELD" : "BLOCKED");
    System.out.flush();
    System.in.read();
  }

  private static void churn(FileLockStore store, String session) {
    ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC());
    Claimant me = new Claimant(session, LocalProcesses.current());
    boolean announced = false;
    while (true) {
      lock.acquire(KEY, me);
      lock.refresh(KEY, me);
      if (!announced) {
        System.out.println("GO");
        System.out.flush();
        announced = true;
      }
      lock.release(KEY, me);
    }
  }
}
