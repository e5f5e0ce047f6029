package dev.parallelsessionlock.jdbc;

import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.FairLineProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;

/** The testkit's fair line (its model-based properties) over the JDBC store and its holder table, on SQLite and on PostgreSQL. */
final class JdbcFairLineProperties {

  /** One database for the whole property ({@link TestDatabases.Shared}), emptied before each generated run; it is its own holder index. */
  abstract static class OnOneDatabase extends FairLineProperties {
    private final TestDatabases.Shared database;

    OnOneDatabase(TestDatabases.Shared database) {
      this.database = database;
    }

    @Override
    protected LockStore newStore() {
      return database.emptied();
    }

    @Override
    protected HolderIndex newIndex(LockStore store) {
      return (JdbcLockStore) store;
    }

    @Override
    protected int examples() {
      return 60;
    }

    @AfterAll
    void close() {
      database.close();
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  final class Sqlite extends OnOneDatabase {
    Sqlite() {
      super(TestDatabases.sharedSqlite("fair-line"));
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  final class Postgres extends OnOneDatabase {
    Postgres() {
      super(TestDatabases.sharedPostgres());
    }
  }
}
