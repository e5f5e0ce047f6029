package dev.parallelsessionlock.jdbc;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.LockProtocolProperties;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;

/** The testkit's model-based protocol properties, run against the JDBC store on SQLite and on PostgreSQL. */
final class JdbcProtocolProperties {

  /** One store for the whole property, emptied before each generated run. */
  abstract static class OnOneDatabase extends LockProtocolProperties {
    JdbcLockStore store;

    @Override
    protected LockStore newStore() {
      try {
        store.clearAll();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
      return store;
    }

    @Override
    protected int examples() {
      return 150;
    }

    @AfterAll
    void close() {
      store.close();
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  final class Sqlite extends OnOneDatabase {
    @BeforeAll
    void open() throws java.io.IOException {
      Path dir = java.nio.file.Files.createTempDirectory("session-lock-sqlite-");
      dir.toFile().deleteOnExit();
      store = JdbcStores.open("jdbc:sqlite:" + dir.resolve("properties.db"), Map.of(), Duration.ofSeconds(5)).get();
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  final class Postgres extends OnOneDatabase {
    @BeforeAll
    void open() {
      store = JdbcStores.open(PostgresCluster.url(), Map.of(), Duration.ofSeconds(5)).get();
    }
  }
}
