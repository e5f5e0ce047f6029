package dev.parallelsessionlock.jdbc;

import static dev.parallelsessionlock.testkit.Contender.KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import dev.parallelsessionlock.testkit.Contender;
import dev.parallelsessionlock.testkit.ContenderLog;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Separate JVMs (the testkit's {@link Contender}) contending through SQLite and through PostgreSQL, as two hosts, and
 * a host that dies.
 */
final class JdbcMultiProcessTest {

  @TempDir
  Path temp;

  private void contend(String url, String... hosts) throws Exception {
    int jvms = 8;
    int rounds = 200;
    Path log = temp.resolve("log-" + System.nanoTime());
    List<Process> contenders = new ArrayList<>();
    for (int id = 0; id < jvms; id++) {
      contenders.add(Contender.start(JdbcStoreContender.class, url, "contend", String.valueOf(id),
          String.valueOf(rounds), log.toString(), hosts[id % hosts.length]));
    }
    for (Process contender : contenders) {
      assertThat(contender.waitFor(5, TimeUnit.MINUTES)).isTrue();
      assertThat(contender.exitValue()).isZero();
    }
    ContenderLog.assertNoOverlap(log, jvms, rounds);
  }

  @Test
  void eightJvmsThroughSqlite_neverHoldTogether() throws Exception {
    contend("jdbc:sqlite:" + temp.resolve("locks.db"), "local");
  }

  @Test
  void eightJvmsThroughPostgres_asTwoHosts_neverHoldTogether() throws Exception {
    TestDatabases.postgres().close();
    contend(PostgresCluster.url(), "host-a", "host-b");
  }

  @Test
  void aDeadHostsLease_isHeldUntilItsTtl_thenTakenOver() throws Exception {
    JdbcLockStore store = TestDatabases.postgres();
    Process holder = Contender.start(JdbcStoreContender.class, PostgresCluster.url(), "hold", "holder-on-host-b",
        "3000", "host-b");
    assertThat(Contender.firstLine(holder)).isEqualTo("HELD");
    holder.destroyForcibly().waitFor();
    ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC());
    Claimant me = new Claimant("on-host-a", Contender.as("host-a"));

    var early = lock.acquire(KEY, me).get();
    assertThat(early).as("another host's process cannot be probed: its lease counts").isInstanceOf(Acquisition.Blocked.class);
    Thread.sleep(((Acquisition.Blocked) early).freeAt().toEpochMilli() - System.currentTimeMillis() + 200);
    var later = lock.acquire(KEY, me).get();

    assertThat(later).isInstanceOf(Acquisition.Acquired.class);
    assertThat(((Acquisition.Acquired) later).how()).isEqualTo(Acquisition.How.TOOK_OVER_STALE);
    store.close();
  }
}
