package dev.parallelsessionlock.jdbc;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.CrashedAcquireProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;

/** The testkit's {@link CrashedAcquireProperties} over the JDBC store, on SQLite and on PostgreSQL. */
final class JdbcCrashedAcquireProperties {

  /** One database for the whole property ({@link TestDatabases.Shared}), emptied before each generated run. */
  abstract static class OnOneDatabase extends CrashedAcquireProperties {
    private final TestDatabases.Shared database;

    OnOneDatabase(TestDatabases.Shared database) {
      this.database = database;
    }

    @Override
    protected LockStore newStore() {
      return database.emptied();
    }

    @Override
    protected int examples() {
      return 100;
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
      super(TestDatabases.sharedSqlite("CrashedAcquireProperties"));
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
