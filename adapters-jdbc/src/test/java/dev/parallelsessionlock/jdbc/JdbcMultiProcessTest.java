package dev.parallelsessionlock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Separate JVMs contending through SQLite and through PostgreSQL, as two hosts, and a host that dies. */
final class JdbcMultiProcessTest {

  @TempDir
  Path temp;

  private static Process jvm(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), JdbcContender.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }

  /** Every E is followed by the X of the same JVM and round before any other E: no two holders ever overlapped. */
  private static void assertNoOverlap(Path log, int jvms, int rounds) throws Exception {
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).hasSize(2 * jvms * rounds);
    for (int i = 0; i < lines.size(); i += 2) {
      String enter = lines.get(i);
      String exit = lines.get(i + 1);
      assertThat(enter).as("line %d", i).startsWith("E ");
      assertThat(exit).as("line %d", i + 1).isEqualTo("X " + enter.substring(2));
    }
  }

  private void contend(String url, String... hosts) throws Exception {
    int jvms = 8;
    int rounds = 200;
    Path log = temp.resolve("log-" + System.nanoTime());
    List<Process> contenders = new ArrayList<>();
    for (int id = 0; id < jvms; id++) {
      contenders.add(jvm("contend", url, String.valueOf(id), String.valueOf(rounds), log.toString(),
          hosts[id % hosts.length]));
    }
    for (Process contender : contenders) {
      assertThat(contender.waitFor(5, TimeUnit.MINUTES)).isTrue();
      assertThat(contender.exitValue()).isZero();
    }
    assertNoOverlap(log, jvms, rounds);
  }

  @Test
  void eightJvmsThroughSqlite_neverHoldTogether() throws Exception {
    contend("jdbc:sqlite:" + temp.resolve("locks.db"), "local");
  }

  @Test
  void eightJvmsThroughPostgres_asTwoHosts_neverHoldTogether() throws Exception {
    JdbcStores.open(PostgresCluster.url(), Map.of(), Duration.ofSeconds(5)).get().clearAll();
    contend(PostgresCluster.url(), "host-a", "host-b");
  }

  @Test
  void aDeadHostsLease_isHeldUntilItsTtl_thenTakenOver() throws Exception {
    JdbcLockStore store = JdbcStores.open(PostgresCluster.url(), Map.of(), Duration.ofSeconds(5)).get();
    store.clearAll();
    Process holder = jvm("hold", PostgresCluster.url(), "host-b", "3000");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (store.read(JdbcContender.KEY).get().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    holder.destroyForcibly().waitFor();
    ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC());
    Claimant me = new Claimant("on-host-a", JdbcContender.as("host-a"));

    var early = lock.acquire(JdbcContender.KEY, me).get();
    assertThat(early).as("another host's process cannot be probed: its lease counts").isInstanceOf(Acquisition.Blocked.class);
    Thread.sleep(((Acquisition.Blocked) early).freeAt().toEpochMilli() - System.currentTimeMillis() + 200);
    var later = lock.acquire(JdbcContender.KEY, me).get();

    assertThat(later).isInstanceOf(Acquisition.Acquired.class);
    assertThat(((Acquisition.Acquired) later).how()).isEqualTo(Acquisition.How.TOOK_OVER_STALE);
    store.close();
  }
}
