package dev.parallelsessionlock.jdbc;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.DocumentsContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;

/** The testkit's document recipe ({@link DocumentsContract}) with its records in the JDBC store, on SQLite and PostgreSQL. */
final class JdbcDocumentsContractTest {

  /** One database for the whole contract ({@link TestDatabases.Shared}), emptied before each test. */
  abstract static class OnOneDatabase extends DocumentsContract {
    private final TestDatabases.Shared database;

    OnOneDatabase(TestDatabases.Shared database) {
      this.database = database;
    }

    @Override
    protected LockStore newStore() {
      return database.emptied();
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
      super(TestDatabases.sharedSqlite("documents"));
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
