package dev.parallelsessionlock.jdbc;

import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WriteOutcome;
import dev.parallelsessionlock.store.RecordCodec;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@link LockStore} in one database table, over plain JDBC: SQLite on one machine, PostgreSQL when sessions
 * span machines. One row per key with a version bumped on every write; create is an insert that does nothing when
 * the key exists, replace and delete are conditional on the version read; the row count says whether a write won.
 * The record is the same JSON a lock file holds ({@link RecordCodec}), so every field survives.
 *
 * <pre>
 * session_lock_schema    (version INTEGER)                                 one row: {@value #SCHEMA_VERSION}
 * session_lock_records   (lock_key VARCHAR(120) PRIMARY KEY, version BIGINT, record TEXT, updated_at BIGINT)
 * session_lock_aside     (lock_key VARCHAR(120), record TEXT, kept_at BIGINT)   unreadable records replaced
 * session_lock_holders   (holder VARCHAR(200), lock_key VARCHAR(120), PRIMARY KEY (holder, lock_key))
 * </pre>
 *
 * Created when missing. A newer schema version, or tables with other columns, are refused with one line, never
 * rewritten. One connection per store; calls are serialized on it.
 *
 * <p>Reads of a key this store itself wrote last are answered from memory, without a round trip: the slot it
 * wrote, or that it deleted it. That is safe for the protocol because such a slot is always the caller's own
 * (every write is of the caller's own lease), so every decision made on it is a conditional write that fails
 * when another process changed the row meanwhile; a write that loses drops the key from memory and the retry
 * reads the database. {@link #list} always reads the database.
 */
public final class JdbcLockStore implements LockStore, HolderIndex, AutoCloseable {

  public static final int SCHEMA_VERSION = 1;
  private static final String RECORDS = "session_lock_records";
  private static final Set<String> RECORD_COLUMNS = Set.of("lock_key", "version", "record", "updated_at");
  private static final SecureRandom VERSIONS = new SecureRandom();

  private final Connection connection;
  private final String description;
  private final boolean sqlite;
  /** What this store wrote last per key: the slot, or none when it deleted it. */
  private final java.util.Map<LockKey, Option<Slot>> written = new java.util.HashMap<>();
  /** Guarded by this: every read asks the database ({@link #readingThrough}). */
  private boolean readThrough;

  private JdbcLockStore(Connection connection, String description, boolean sqlite) {
    this.connection = connection;
    this.description = description;
    this.sqlite = sqlite;
  }

  /** A store on {@code connection}, its tables checked (and made when missing). */
  public static Either<StoreFailure, JdbcLockStore> on(Connection connection, String description) {
    try {
      boolean sqlite = connection.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("sqlite");
      connection.setAutoCommit(true);
      JdbcLockStore store = new JdbcLockStore(connection, description, sqlite);
      Option<String> problem = store.prepare();
      if (problem.isDefined()) {
        connection.close();
        return Either.left(new StoreFailure(null, "use the database", description + ": " + problem.get()));
      }
      return Either.right(store);
    } catch (SQLException e) {
      return Either.left(new StoreFailure(null, "use the database", description + ": " + oneLine(e)));
    }
  }

  public String description() {
    return description;
  }

  /**
   * This store, answering every read from the database, never from what it wrote last: for a store that serves many
   * sessions for a long time (the resident helper), where what it wrote may since have been changed by others.
   */
  public synchronized JdbcLockStore readingThrough() {
    readThrough = true;
    written.clear();
    return this;
  }

  private void remember(LockKey key, Option<Slot> slot) {
    if (!readThrough) {
      written.put(key, slot);
    }
  }

  /** Whether its connection still works (asked within a second). */
  public synchronized boolean isValid() {
    try {
      return connection.isValid(1);
    } catch (SQLException e) {
      return false;
    }
  }

  public boolean isSqlite() {
    return sqlite;
  }

  /** Makes the tables when missing; refuses a newer schema or unknown columns. */
  private Option<String> prepare() throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE IF NOT EXISTS session_lock_schema (version INTEGER NOT NULL)");
      statement.execute("CREATE TABLE IF NOT EXISTS " + RECORDS + " (lock_key VARCHAR(120) PRIMARY KEY, "
          + "version BIGINT NOT NULL, record TEXT NOT NULL, updated_at BIGINT NOT NULL)");
      statement.execute("CREATE TABLE IF NOT EXISTS session_lock_aside (lock_key VARCHAR(120) NOT NULL, "
          + "record TEXT NOT NULL, kept_at BIGINT NOT NULL)");
      statement.execute("CREATE TABLE IF NOT EXISTS session_lock_holders (holder VARCHAR(200) NOT NULL, "
          + "lock_key VARCHAR(120) NOT NULL, PRIMARY KEY (holder, lock_key))");
      try (ResultSet version = statement.executeQuery("SELECT MAX(version) FROM session_lock_schema")) {
        version.next();
        int found = version.getInt(1);
        if (version.wasNull()) {
          statement.execute("INSERT INTO session_lock_schema (version) VALUES (" + SCHEMA_VERSION + ")");
        } else if (found > SCHEMA_VERSION) {
          return Option.some("its lock tables have schema version " + found + ", newer than this version's "
              + SCHEMA_VERSION + "; upgrade session-lock (nothing was changed)");
        }
      }
    }
    Set<String> columns = new TreeSet<>();
    DatabaseMetaData meta = connection.getMetaData();
    for (String table : new String[] {RECORDS, RECORDS.toUpperCase(java.util.Locale.ROOT)}) {
      try (ResultSet found = meta.getColumns(null, null, table, null)) {
        while (found.next()) {
          columns.add(found.getString("COLUMN_NAME").toLowerCase(java.util.Locale.ROOT));
        }
      }
    }
    if (!columns.equals(new TreeSet<>(RECORD_COLUMNS))) {
      return Option.some("the table " + RECORDS + " has the columns " + columns + ", not " + new TreeSet<>(RECORD_COLUMNS)
          + "; it is not one this version wrote (nothing was changed)");
    }
    return Option.none();
  }

  @Override
  public synchronized Either<StoreFailure, Option<Slot>> read(LockKey key) {
    Option<Slot> mine = readThrough ? null : written.get(key);
    if (mine != null) {
      return Either.right(mine);
    }
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT version, record, updated_at FROM " + RECORDS + " WHERE lock_key = ?")) {
      select.setString(1, key.name());
      try (ResultSet row = select.executeQuery()) {
        return Either.right(row.next() ? Option.some(slot(key, row)) : Option.none());
      }
    } catch (SQLException e) {
      return failed(key, "read", e);
    }
  }

  /** The slot in a row with the columns {@code version, record, updated_at} (by name). */
  private static Slot slot(LockKey key, ResultSet row) throws SQLException {
    long version = row.getLong("version");
    String record = row.getString("record");
    Either<String, LockRecord> decoded = RecordCodec.decode(record.getBytes(StandardCharsets.UTF_8));
    if (decoded.isRight()) {
      return new Slot.Held(key, version, decoded.get());
    }
    return new Slot.Unreadable(
        key, version, Instant.ofEpochMilli(row.getLong("updated_at")), decoded.getLeft(), record.length());
  }

  @Override
  public synchronized Either<StoreFailure, WriteOutcome> create(LockKey key, LockRecord record) {
    written.remove(key);
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + RECORDS
        + " (lock_key, version, record, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (lock_key) DO NOTHING")) {
      long version = VERSIONS.nextLong() & Long.MAX_VALUE;
      insert.setString(1, key.name());
      insert.setLong(2, version);
      insert.setString(3, encode(record));
      insert.setLong(4, System.currentTimeMillis());
      if (insert.executeUpdate() != 1) {
        return Either.right(WriteOutcome.CONFLICT);
      }
      remember(key, Option.some(new Slot.Held(key, version, record)));
      return Either.right(WriteOutcome.WRITTEN);
    } catch (SQLException e) {
      return failed(key, "create", e);
    }
  }

  @Override
  public synchronized Either<StoreFailure, WriteOutcome> replace(Slot expected, LockRecord next) {
    try {
      return Either.right(conditional(expected, "UPDATE " + RECORDS
          + " SET version = ?, record = ?, updated_at = ? WHERE lock_key = ? AND version = ?", next));
    } catch (SQLException e) {
      return failed(expected.key(), "replace", e);
    }
  }

  @Override
  public synchronized Either<StoreFailure, WriteOutcome> delete(Slot expected) {
    try {
      return Either.right(conditional(expected, "DELETE FROM " + RECORDS + " WHERE lock_key = ? AND version = ?", null));
    } catch (SQLException e) {
      return failed(expected.key(), "delete", e);
    }
  }

  /** One conditional statement; unreadable bytes it replaces or deletes are kept aside in the same transaction. */
  private WriteOutcome conditional(Slot expected, String sql, LockRecord next) throws SQLException {
    written.remove(expected.key());
    boolean keepAside = expected instanceof Slot.Unreadable;
    if (keepAside) {
      connection.setAutoCommit(false);
    }
    try {
      String before = null;
      if (keepAside) {
        try (PreparedStatement select = connection.prepareStatement(
            "SELECT record FROM " + RECORDS + " WHERE lock_key = ? AND version = ?")) {
          select.setString(1, expected.key().name());
          select.setLong(2, expected.version());
          try (ResultSet row = select.executeQuery()) {
            before = row.next() ? row.getString(1) : null;
          }
        }
      }
      int changed;
      long nextVersion = expected.version() == Long.MAX_VALUE ? 1 : expected.version() + 1;
      try (PreparedStatement write = connection.prepareStatement(sql)) {
        int i = 1;
        if (next != null) {
          write.setLong(i++, nextVersion);
          write.setString(i++, encode(next));
          write.setLong(i++, System.currentTimeMillis());
        }
        write.setString(i++, expected.key().name());
        write.setLong(i, expected.version());
        changed = write.executeUpdate();
      }
      if (keepAside && changed == 1 && before != null) {
        try (PreparedStatement aside = connection.prepareStatement(
            "INSERT INTO session_lock_aside (lock_key, record, kept_at) VALUES (?, ?, ?)")) {
          aside.setString(1, expected.key().name());
          aside.setString(2, before);
          aside.setLong(3, System.currentTimeMillis());
          aside.executeUpdate();
        }
      }
      if (keepAside) {
        connection.commit();
      }
      if (changed == 1) {
        remember(expected.key(), next == null ? Option.none()
            : Option.some(new Slot.Held(expected.key(), nextVersion, next)));
      }
      return changed == 1 ? WriteOutcome.WRITTEN : WriteOutcome.CONFLICT;
    } catch (SQLException e) {
      if (keepAside) {
        connection.rollback();
      }
      throw e;
    } finally {
      if (keepAside) {
        connection.setAutoCommit(true);
      }
    }
  }

  @Override
  public Either<StoreFailure, List<Slot>> list() {
    return list("");
  }

  @Override
  public synchronized Either<StoreFailure, List<Slot>> list(String keyPrefix) {
    String like = keyPrefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
    try (PreparedStatement select = connection.prepareStatement("SELECT lock_key, version, record, updated_at FROM "
        + RECORDS + " WHERE lock_key LIKE ? ESCAPE '!' ORDER BY lock_key")) {
      select.setString(1, like);
      java.util.List<Slot> slots = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          Option<LockKey> key = LockKey.parse(rows.getString(1));
          if (key.isDefined()) { // else a row no version of this library wrote: not a lock
            slots.add(slot(key.get(), rows));
          }
        }
      }
      return Either.right(List.ofAll(slots));
    } catch (SQLException e) {
      return failed(null, "list", e);
    }
  }

  // ---- HolderIndex: one row per (holder, key) ----

  @Override
  public synchronized Either<StoreFailure, LockKey> add(String holder, LockKey key) {
    return index("INSERT INTO session_lock_holders (holder, lock_key) VALUES (?, ?) ON CONFLICT (holder, lock_key) DO NOTHING",
        holder, key, "index");
  }

  @Override
  public synchronized Either<StoreFailure, LockKey> remove(String holder, LockKey key) {
    return index("DELETE FROM session_lock_holders WHERE holder = ? AND lock_key = ?", holder, key, "unindex");
  }

  private Either<StoreFailure, LockKey> index(String sql, String holder, LockKey key, String operation) {
    try (PreparedStatement update = connection.prepareStatement(sql)) {
      update.setString(1, holder);
      update.setString(2, key.name());
      update.executeUpdate();
      return Either.right(key);
    } catch (SQLException e) {
      return failed(key, operation, e);
    }
  }

  @Override
  public synchronized Either<StoreFailure, java.util.List<LockKey>> keys(String holder) {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT lock_key FROM session_lock_holders WHERE holder = ? ORDER BY lock_key")) {
      select.setString(1, holder);
      java.util.List<LockKey> keys = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          Option<LockKey> key = LockKey.parse(rows.getString(1));
          if (key.isDefined()) { // else a row no version of this library wrote: no key of the holder's
            keys.add(key.get());
          }
        }
      }
      return Either.right(java.util.List.copyOf(keys));
    } catch (SQLException e) {
      return failed(null, "read the index of " + holder, e);
    }
  }

  /**
   * The database's clock, one for every host that shares it (as ShedLock's {@code usingDbTime()}), read once
   * now: {@code local} moved by how far the database's time is from it (measured at the middle of the query), so
   * the core's clock never queries and never throws. A database that cannot tell its time is a failure here, a
   * value the hook fails open on.
   */
  public synchronized Either<StoreFailure, Clock> databaseClock(Clock local) {
    String sql = sqlite ? "SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
        : "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";
    try (Statement statement = connection.createStatement()) {
      long before = local.millis();
      try (ResultSet now = statement.executeQuery(sql)) {
        long after = local.millis();
        if (!now.next()) {
          return Either.left(new StoreFailure(null, "read the database's time", description + ": no row"));
        }
        long skew = now.getLong(1) - (before + (after - before) / 2);
        return Either.right(Clock.offset(local, Duration.ofMillis(skew)));
      }
    } catch (SQLException e) {
      return failed(null, "read the database's time", e);
    }
  }

  /** Removes every row (tests only: a fresh store on a shared database). */
  public synchronized void clearAll() throws SQLException {
    written.clear();
    try (Statement statement = connection.createStatement()) {
      statement.execute("DELETE FROM " + RECORDS);
      statement.execute("DELETE FROM session_lock_aside");
      statement.execute("DELETE FROM session_lock_holders");
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // closing: nothing left to do
    }
  }

  private static String encode(LockRecord record) {
    return new String(RecordCodec.encode(record), StandardCharsets.UTF_8).strip();
  }

  private <T> Either<StoreFailure, T> failed(LockKey key, String operation, SQLException e) {
    return Either.left(new StoreFailure(key, operation, description + ": " + oneLine(e)));
  }

  static String oneLine(SQLException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.replace('\n', ' ').replace('\r', ' ').strip();
  }
}
