package dev.parallelsessionlock.jdbc;

import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.FileLocksProperties;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;

/** The testkit's file-locks properties over the JDBC store and its holder table, on SQLite and on PostgreSQL. */
final class JdbcFileLocksProperties {

  /** One store for the whole property, emptied before each generated run; it is its own holder index. */
  abstract static class OnOneDatabase extends FileLocksProperties {
    JdbcLockStore store;

    @Override
    protected LockStore newStore() {
      return TestDatabases.emptied(store);
    }

    @Override
    protected HolderIndex newIndex(LockStore store) {
      return (JdbcLockStore) store;
    }

    @Override
    protected int examples() {
      return 300;
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
      store = TestDatabases.sqlite(dir, "file-locks");
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
