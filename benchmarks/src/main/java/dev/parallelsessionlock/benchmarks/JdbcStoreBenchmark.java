package dev.parallelsessionlock.benchmarks;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.jdbc.JdbcLockStore;
import dev.parallelsessionlock.jdbc.JdbcStores;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
 * One acquire plus one release on the JDBC store, through the whole protocol, against ShedLock's JDBC lock +
 * unlock of one name on the same database and connection. ShedLock's artifacts are not served by the registry
 * this project can reach, so the peer runs the statements its JDBC provider runs (ShedLock 6,
 * {@code AbstractJdbcStorageAccessor}): once the row exists, a lock is {@code UPDATE shedlock SET lock_until = ?,
 * locked_at = ?, locked_by = ? WHERE name = ? AND lock_until <= ?} and an unlock {@code UPDATE shedlock SET
 * lock_until = ? WHERE name = ?}, each with auto-commit. {@code -Dpg.url=jdbc:postgresql://...} names the
 * PostgreSQL server; SQLite uses a file in a temp folder.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JdbcStoreBenchmark {

  @Param({"sqlite", "postgres"})
  public String database;

  private JdbcLockStore store;
  private ParallelSessionLock lock;
  private Claimant me;
  private Connection shedlockConnection;
  private String hostname;
  private static final LockKey KEY = new LockKey("session-lock-bench0000000");

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    String url = database.equals("sqlite")
        ? "jdbc:sqlite:" + Files.createTempDirectory("jdbc-bench").resolve("locks.db")
        : System.getProperty("pg.url");
    store = JdbcStores.open(url, Map.of(), Duration.ofSeconds(10)).getOrElseThrow(f -> new IllegalStateException(f.describe()));
    store.clearAll();
    lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC());
    me = new Claimant("bench", LocalProcesses.current());
    shedlockConnection = DriverManager.getConnection(url);
    try (Statement statement = shedlockConnection.createStatement()) {
      statement.execute("CREATE TABLE IF NOT EXISTS shedlock (name VARCHAR(64) NOT NULL PRIMARY KEY, "
          + "lock_until TIMESTAMP NOT NULL, locked_at TIMESTAMP NOT NULL, locked_by VARCHAR(255) NOT NULL)");
      statement.execute("DELETE FROM shedlock");
    }
    hostname = java.net.InetAddress.getLocalHost().getHostName();
    try (java.sql.PreparedStatement insert = shedlockConnection.prepareStatement(
        "INSERT INTO shedlock(name, lock_until, locked_at, locked_by) VALUES(?, ?, ?, ?)")) {
      insert.setString(1, "bench");
      insert.setTimestamp(2, java.sql.Timestamp.from(Instant.now()));
      insert.setTimestamp(3, java.sql.Timestamp.from(Instant.now()));
      insert.setString(4, hostname);
      insert.executeUpdate();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    store.close();
    shedlockConnection.close();
  }

  @Benchmark
  public boolean sessionLockAcquireRelease() {
    return lock.acquire(KEY, me).get() instanceof Acquisition.Acquired
        && lock.release(KEY, me).get() instanceof Release.Released;
  }

  @Benchmark
  public boolean shedlockLockUnlock() throws Exception {
    Instant now = Instant.now();
    boolean locked;
    shedlockConnection.setAutoCommit(true);
    try (java.sql.PreparedStatement lock = shedlockConnection.prepareStatement(
        "UPDATE shedlock SET lock_until = ?, locked_at = ?, locked_by = ? WHERE name = ? AND lock_until <= ?")) {
      lock.setTimestamp(1, java.sql.Timestamp.from(now.plus(Duration.ofMinutes(5))));
      lock.setTimestamp(2, java.sql.Timestamp.from(now));
      lock.setString(3, hostname);
      lock.setString(4, "bench");
      lock.setTimestamp(5, java.sql.Timestamp.from(now));
      locked = lock.executeUpdate() > 0;
    }
    if (locked) {
      shedlockConnection.setAutoCommit(true);
      try (java.sql.PreparedStatement unlock = shedlockConnection.prepareStatement(
          "UPDATE shedlock SET lock_until = ? WHERE name = ?")) {
        unlock.setTimestamp(1, java.sql.Timestamp.from(Instant.now()));
        unlock.setString(2, "bench");
        unlock.executeUpdate();
      }
    }
    return locked;
  }
}
