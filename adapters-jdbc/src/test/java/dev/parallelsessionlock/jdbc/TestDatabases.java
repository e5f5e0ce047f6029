package dev.parallelsessionlock.jdbc;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

/** The two databases the testkit's suites run against: a SQLite file, and the throwaway PostgreSQL server. */
final class TestDatabases {

  private TestDatabases() {}

  /** A store in a new SQLite file in {@code dir}. */
  static JdbcLockStore sqlite(Path dir, String name) {
    return open("jdbc:sqlite:" + dir.resolve(name + ".db"));
  }

  /** A store on the test server, emptied. */
  static JdbcLockStore postgres() {
    return emptied(open(PostgresCluster.url()));
  }

  /** {@code store} with nothing in it. */
  static JdbcLockStore emptied(JdbcLockStore store) {
    try {
      store.clearAll();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return store;
  }

  /** A SQLite file of its own, named {@code name}, opened on first use: one for a whole property class. */
  static Shared sharedSqlite(String name) {
    return new Shared(name);
  }

  /** The test server, opened on first use: one for a whole property class. */
  static Shared sharedPostgres() {
    return new Shared(null);
  }

  /**
   * One database for all the generated runs of a property class (opening one per run would cost seconds): opened
   * on first use, emptied before each run, closed once after all. Each property class over the JDBC store has a
   * nested class per database that hands its {@link #emptied} store to the testkit and {@link #close}s it after all.
   */
  static final class Shared {
    private final String sqliteName;
    private JdbcLockStore store;

    private Shared(String sqliteName) {
      this.sqliteName = sqliteName;
    }

    /** The store, empty. */
    JdbcLockStore emptied() {
      if (store == null) {
        store = sqliteName == null ? postgres() : sqlite(temporaryFolder(), sqliteName);
      }
      return TestDatabases.emptied(store);
    }

    void close() {
      if (store != null) {
        store.close();
        store = null;
      }
    }

    private static Path temporaryFolder() {
      try {
        Path dir = java.nio.file.Files.createTempDirectory("session-lock-sqlite-");
        dir.toFile().deleteOnExit();
        return dir;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private static JdbcLockStore open(String url) {
    return JdbcStores.open(url, Map.of(), Duration.ofSeconds(5))
        .getOrElseThrow(failure -> new IllegalStateException(failure.describe()));
  }
}
