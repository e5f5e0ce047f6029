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

  private static JdbcLockStore open(String url) {
    return JdbcStores.open(url, Map.of(), Duration.ofSeconds(5))
        .getOrElseThrow(failure -> new IllegalStateException(failure.describe()));
  }
}
