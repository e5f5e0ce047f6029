package dev.parallelsessionlock.jdbc;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.MixedModesProperties;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;

/** The testkit's {@link MixedModesProperties} over the JDBC store, on SQLite and on PostgreSQL. */
final class JdbcMixedModesProperties {

  /** One store for the whole property, emptied before each generated run. */
  abstract static class OnOneDatabase extends MixedModesProperties {
    JdbcLockStore store;

    @Override
    protected LockStore newStore() {
      return TestDatabases.emptied(store);
    }

    @Override
    protected int examples() {
      return 100;
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
    void open() throws IOException {
      java.nio.file.Path dir = Files.createTempDirectory("session-lock-sqlite-");
      dir.toFile().deleteOnExit();
      store = TestDatabases.sqlite(dir, "MixedModesProperties");
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  final class Postgres extends OnOneDatabase {
    @BeforeAll
    void open() {
      store = TestDatabases.postgres();
    }
  }
}
