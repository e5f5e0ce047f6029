package dev.parallelsessionlock.jdbc;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import io.vavr.control.Option;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * A JVM using a {@link JdbcLockStore} for real, driven by {@link JdbcMultiProcessTest}.
 *
 * <ul>
 *   <li>{@code contend <url> <id> <rounds> <log> <host>}: acquire, append {@code E id round}, append
 *       {@code X id round}, release; repeat. Appends are single O_APPEND writes, so the log is a global order.
 *       {@code host} names the machine the records say it runs on (a host other than this one has another boot
 *       id, so its process can only be judged by its lease).</li>
 *   <li>{@code hold <url> <host> <ttlMillis>}: acquire with that lease, print {@code HELD}, wait to be killed.</li>
 * </ul>
 */
public final class JdbcContender {

  static final LockKey KEY = new LockKey("session-lock-jdbc00000000");

  static ProcessRef as(String host) {
    ProcessRef me = LocalProcesses.current();
    if (host.equals("local")) {
      return me;
    }
    return new ProcessRef(me.pid(), Option.some(host), me.startedAt(),
        Option.some(new ProcessRef.Identity("boot-of-" + host, "pid-ns", me.identity().map(ProcessRef.Identity::startTicks).getOrElse(1L))));
  }

  public static void main(String[] args) throws Exception {
    JdbcLockStore store = JdbcStores.open(args[1], Map.of(), Duration.ofSeconds(10))
        .getOrElseThrow(f -> new IllegalStateException(f.describe()));
    ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC())
        .withMaxAttempts(1000);
    if (args[0].equals("hold")) {
      Claimant me = new Claimant("holder-on-" + args[2], as(args[2]));
      lock.acquire(KEY, me, Duration.ofMillis(Long.parseLong(args[3])));
      System.out.println("HELD");
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
    String id = args[2];
    int rounds = Integer.parseInt(args[3]);
    Path log = Path.of(args[4]);
    Claimant me = new Claimant("contender-" + id, as(args[5]));
    try (FileChannel out = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      for (int round = 0; round < rounds; round++) {
        while (!(lock.acquire(KEY, me, Duration.ofMinutes(5)).get() instanceof Acquisition.Acquired)) {
          Thread.onSpinWait();
        }
        out.write(ByteBuffer.wrap(("E " + id + " " + round + "\n").getBytes(StandardCharsets.UTF_8)));
        out.write(ByteBuffer.wrap(("X " + id + " " + round + "\n").getBytes(StandardCharsets.UTF_8)));
        if (!(lock.release(KEY, me).get() instanceof Release.Released)) {
          throw new IllegalStateException("lost the lock while holding it");
        }
      }
    }
    store.close();
  }
}
