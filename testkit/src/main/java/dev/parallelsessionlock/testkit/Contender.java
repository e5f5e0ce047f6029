package dev.parallelsessionlock.testkit;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The process-death harness: a JVM of its own that runs a scripted loop against one key of a store, for the tests
 * that need real processes (several racing through the real store, one killed with SIGKILL, one stuck). Every store
 * runs it: its test names a {@link ContenderStore} and a place, and checks what the contenders wrote with
 * {@link ContenderLog}. Log lines are single {@code O_APPEND} writes, so a log is one global order of what all the
 * contenders did.
 *
 * <pre>
 * Contender STORE PLACE contend ID ROUNDS LOG [HOST]  ROUNDS times: acquire (retrying until it has it), append
 *                                                     "E ID ROUND", append "X ID ROUND", release
 * Contender STORE PLACE race ID ROUNDS LOG GO [HOST]  for each round R: wait for the file GO-R, try once to acquire,
 *                                                     append "R R ID WON how", "R R ID BLOCKED" or "R R ID FAILED why";
 *                                                     then stay alive until GO-end exists (a winner that exited
 *                                                     would be a dead holder to the others)
 * Contender STORE PLACE hold SESSION TTL-MS [HOST]    acquire for TTL-MS, print HELD or BLOCKED, wait to be killed
 * Contender STORE PLACE churn SESSION                 acquire, refresh, release, over and over, printing GO once
 * Contender guard FILE                                take the OS lock on FILE, print LOCKED, wait to be killed
 * </pre>
 *
 * A {@code HOST} other than {@code local} makes the contender's records name another machine (another boot id), so
 * its process can only be judged by its lease, as a database store shared by several machines sees it. Liveness is
 * this host's real process table.
 */
public final class Contender {

  /** The key contenders fight over, unless the store names another. */
  public static final LockKey KEY = new LockKey("session-lock-c0ffee000000");

  private Contender() {}

  /** Starts a contender JVM running {@code script} against {@code store} at {@code place}; its stderr is this one's. */
  public static Process start(Class<? extends ContenderStore> store, String place, String... script) throws IOException {
    List<String> args = new ArrayList<>(List.of(store.getName(), place));
    args.addAll(List.of(script));
    return jvm(args);
  }

  /** Starts a JVM that takes the OS lock on {@code file} and keeps it: a process stuck holding a guard. */
  public static Process startGuard(Path file) throws IOException {
    return jvm(List.of("guard", file.toString()));
  }

  private static Process jvm(List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        Contender.class.getName()));
    command.addAll(args);
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /** The first line {@code contender} printed ({@code HELD}, {@code GO}, {@code LOCKED}, ...). */
  public static String firstLine(Process contender) throws IOException {
    return new BufferedReader(new InputStreamReader(contender.getInputStream(), StandardCharsets.UTF_8)).readLine();
  }

  /** Lets the racers of {@code round} go ({@code race}); {@code -1} lets them end. */
  public static void go(String go, int round) throws IOException {
    Files.createFile(Path.of(go + "-" + (round < 0 ? "end" : String.valueOf(round))));
  }

  public static void main(String[] args) throws Exception {
    if (args[0].equals("guard")) {
      guard(Path.of(args[1]));
      return;
    }
    ContenderStore factory = (ContenderStore) Class.forName(args[0]).getDeclaredConstructor().newInstance();
    String place = args[1];
    LockStore store = factory.open(place);
    LockKey key = factory.key(place);
    String script = args[2];
    switch (script) {
      case "contend" -> contend(store, key, args[3], Integer.parseInt(args[4]), Path.of(args[5]), host(args, 6));
      case "race" -> race(store, key, args[3], Integer.parseInt(args[4]), Path.of(args[5]), args[6], host(args, 7));
      case "hold" -> hold(store, key, args[3], Duration.ofMillis(Long.parseLong(args[4])), host(args, 5));
      case "churn" -> churn(store, key, args[3]);
      default -> throw new IllegalArgumentException("no script " + script);
    }
    if (store instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }

  private static String host(String[] args, int at) {
    return args.length > at ? args[at] : "local";
  }

  /** This JVM as a lock holder, on this host or (for {@code host} other than {@code local}) on another one. */
  public static ProcessRef as(String host) {
    ProcessRef me = LocalProcesses.current();
    if (host.equals("local")) {
      return me;
    }
    long ticks = me.identity().isDefined() ? me.identity().get().startTicks() : 1L;
    return new ProcessRef(me.pid(), Option.some(host), me.startedAt(),
        Option.some(new ProcessRef.Identity("boot-of-" + host, "pid-ns", ticks)));
  }

  private static ParallelSessionLock lock(LockStore store) {
    return ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC()).withMaxAttempts(10_000);
  }

  private static <T> T answer(Either<LockFailure, T> outcome) {
    return outcome.getOrElseThrow(failure -> new IllegalStateException(failure.describe()));
  }

  private static void contend(LockStore store, LockKey key, String id, int rounds, Path log, String host)
      throws IOException {
    ParallelSessionLock lock = lock(store).withTtl(Duration.ofHours(1)); // no takeover is legal while it runs
    Claimant me = new Claimant("contender-" + id, as(host));
    try (FileChannel out = ContenderLog.open(log)) {
      for (int round = 0; round < rounds; ) {
        if (!(answer(lock.acquire(key, me)) instanceof Acquisition.Acquired)) {
          Thread.onSpinWait();
          continue;
        }
        ContenderLog.append(out, "E " + id + " " + round);
        ContenderLog.append(out, "X " + id + " " + round);
        if (!(answer(lock.release(key, me)) instanceof Release.Released)) {
          throw new IllegalStateException("lost the lock while holding it");
        }
        round++;
      }
    }
  }

  private static void race(LockStore store, LockKey key, String id, int rounds, Path log, String go, String host)
      throws Exception {
    ParallelSessionLock lock = lock(store);
    Claimant me = new Claimant("racer-" + id, as(host));
    try (FileChannel out = ContenderLog.open(log)) {
      for (int round = 0; round < rounds; round++) {
        Path signal = Path.of(go + "-" + round);
        while (!Files.exists(signal)) {
          Thread.sleep(1);
        }
        Either<LockFailure, Acquisition> result = lock.acquire(key, me);
        String outcome = result.isLeft() ? "FAILED " + result.getLeft().describe()
            : result.get() instanceof Acquisition.Acquired acquired ? "WON " + acquired.how() : "BLOCKED";
        ContenderLog.append(out, "R " + round + " " + id + " " + outcome);
      }
    }
    while (!Files.exists(Path.of(go + "-end"))) {
      Thread.sleep(5);
    }
  }

  private static void hold(LockStore store, LockKey key, String session, Duration ttl, String host) throws Exception {
    Acquisition result = answer(lock(store).acquire(key, new Claimant(session, as(host)), ttl));
    System.out.println(result instanceof Acquisition.Acquired ? "HELD" : "BLOCKED");
    System.out.flush();
    System.in.read();
  }

  private static void churn(LockStore store, LockKey key, String session) {
    ParallelSessionLock lock = lock(store);
    Claimant me = new Claimant(session, LocalProcesses.current());
    boolean announced = false;
    while (true) {
      lock.acquire(key, me);
      lock.refresh(key, me);
      if (!announced) {
        System.out.println("GO");
        System.out.flush();
        announced = true;
      }
      lock.release(key, me);
    }
  }

  @SuppressWarnings("try")
  private static void guard(Path file) throws Exception {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
         FileLock held = channel.lock()) {
      System.out.println("LOCKED");
      System.out.flush();
      System.in.read();
    }
  }
}
