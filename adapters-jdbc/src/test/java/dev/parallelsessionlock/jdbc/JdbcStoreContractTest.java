package dev.parallelsessionlock.jdbc;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.LockStoreContract;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The shared store contract over SQLite and over a real PostgreSQL server. */
final class JdbcStoreContractTest {

  @Nested
  final class Sqlite extends LockStoreContract {
    @TempDir
    Path temp;

    private int stores;
    private JdbcLockStore last;

    @Override
    protected LockStore newStore() {
      last = JdbcStores.open("jdbc:sqlite:" + temp.resolve("locks-" + stores++ + ".db"), Map.of(), Duration.ofSeconds(5))
          .getOrElseThrow(f -> new IllegalStateException(f.describe()));
      return last;
    }

    @Override
    protected int contentionRounds() {
      return 100;
    }

    @AfterEach
    void close() {
      if (last != null) {
        last.close();
      }
    }
  }

  @Nested
  final class Postgres extends LockStoreContract {
    private JdbcLockStore last;

    @Override
    protected LockStore newStore() {
      last = JdbcStores.open(PostgresCluster.url(), Map.of(), Duration.ofSeconds(5))
          .getOrElseThrow(f -> new IllegalStateException(f.describe()));
      try {
        last.clearAll();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
      return last;
    }

    @Override
    protected int contentionRounds() {
      return 100;
    }

    @AfterEach
    void close() {
      if (last != null) {
        last.close();
      }
    }
  }
}
