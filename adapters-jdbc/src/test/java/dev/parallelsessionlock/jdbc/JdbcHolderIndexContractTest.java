package dev.parallelsessionlock.jdbc;

import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.testkit.HolderIndexContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The holder index contract over the JDBC store's holder table, on SQLite and on PostgreSQL. */
final class JdbcHolderIndexContractTest {

  @Nested
  final class Sqlite extends HolderIndexContract {
    @TempDir
    Path temp;

    private JdbcLockStore last;

    @Override
    protected HolderIndex newIndex() {
      last = TestDatabases.sqlite(temp, "index-" + System.nanoTime());
      return last;
    }

    @AfterEach
    void close() {
      if (last != null) {
        last.close();
      }
    }
  }

  @Nested
  final class Postgres extends HolderIndexContract {
    private JdbcLockStore last;

    @Override
    protected HolderIndex newIndex() {
      last = TestDatabases.postgres();
      return last;
    }

    @AfterEach
    void close() {
      if (last != null) {
        last.close();
      }
    }
  }
}
