package dev.parallelsessionlock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class JdbcStoresTest {

  @TempDir
  Path temp;

  @Test
  void aNewerSchema_orATableWithOtherColumns_isRefused_andLeftAsItWas() throws Exception {
    String newer = "jdbc:sqlite:" + temp.resolve("newer.db");
    try (Connection c = DriverManager.getConnection(newer); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE session_lock_schema (version INTEGER NOT NULL)");
      s.execute("INSERT INTO session_lock_schema VALUES (2)");
    }
    String other = "jdbc:sqlite:" + temp.resolve("other.db");
    try (Connection c = DriverManager.getConnection(other); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE session_lock_records (lock_key VARCHAR(120) PRIMARY KEY, version BIGINT NOT NULL, "
          + "record TEXT NOT NULL, updated_at BIGINT NOT NULL, owner TEXT)");
    }

    assertThat(JdbcStores.open(newer, Map.of(), Duration.ofSeconds(5)).getLeft().describe())
        .contains("schema version 2, newer than this version's 1", "nothing was changed");
    assertThat(JdbcStores.open(other, Map.of(), Duration.ofSeconds(5)).getLeft().describe())
        .contains("has the columns [lock_key, owner, record, updated_at, version]");
    try (Connection c = DriverManager.getConnection(newer); Statement s = c.createStatement();
        var rows = s.executeQuery("SELECT COUNT(*) FROM session_lock_schema")) {
      rows.next();
      assertThat(rows.getInt(1)).isEqualTo(1);
    }
  }

  @Test
  void aDatabaseOnANetworkFileSystem_isRefused() throws Exception {
    Path mounts = Files.writeString(temp.resolve("mounts"), "/dev/sda1 / ext4 rw 0 0\n"
        + "server:/export /mnt/shared nfs4 rw 0 0\n");

    assertThat(JdbcStores.networkFileSystem(Path.of("/mnt/shared/locks.db"), mounts).get()).contains("nfs4 at /mnt/shared");
    assertThat(JdbcStores.networkFileSystem(Path.of("/home/me/locks.db"), mounts).isEmpty()).isTrue();
    assertThat(JdbcStores.networkFileSystem(Path.of("/mnt/sharedness/x.db"), mounts).isEmpty()).isTrue();
  }

  @Test
  void credentials_comeFromTheEnvironment_orAPrivateFile_andAReadableFileIsRefused() throws Exception {
    Path file = Files.writeString(temp.resolve("creds"), "user=locker\npassword=s3cr=t\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    assertThat(JdbcStores.credentials(Map.of("SESSION_LOCK_STORE_CREDENTIALS", file.toString())).getLeft())
        .contains("can be read or written by others").doesNotContain("s3cr=t");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThat(JdbcStores.credentials(Map.of("SESSION_LOCK_STORE_CREDENTIALS", file.toString())).get().get())
        .containsExactly("locker", "s3cr=t");
    assertThat(JdbcStores.credentials(Map.of("SESSION_LOCK_STORE_USER", "u", "SESSION_LOCK_STORE_PASSWORD", "p")).get()
        .get()).containsExactly("u", "p");
    assertThat(JdbcStores.credentials(Map.of()).get().isEmpty()).isTrue();
  }

  @Test
  void aServerThatIsDown_failsWithinTheTimeout_withoutTheCredentials() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    var result = JdbcStores.open("jdbc:postgresql://127.0.0.1:" + port + "/db?user=x", Map.of(
        "SESSION_LOCK_STORE_USER", "x", "SESSION_LOCK_STORE_PASSWORD", "hunter2"), Duration.ofSeconds(1));

    assertThat(result.isLeft()).isTrue();
    assertThat(result.getLeft().describe()).startsWith("cannot use the database: jdbc:postgresql://127.0.0.1:" + port
        + "/db: ").doesNotContain("hunter2").doesNotContain("user=x");
  }

  @Test
  void theDatabaseClock_isTheDatabasesTime() throws Exception {
    JdbcLockStore sqlite = JdbcStores.open("jdbc:sqlite:" + temp.resolve("clock.db"), Map.of(), Duration.ofSeconds(5)).get();
    JdbcLockStore postgres = JdbcStores.open(PostgresCluster.url(), Map.of(), Duration.ofSeconds(5)).get();

    for (JdbcLockStore store : new JdbcLockStore[] {sqlite, postgres}) {
      Instant db = store.databaseClock(java.time.Clock.systemUTC()).get().instant();
      assertThat(Duration.between(db, Instant.now()).abs()).isLessThan(Duration.ofSeconds(5));
      store.close();
    }
  }

  @Test
  void databaseClock_ofADatabaseThatCannotTellItsTime_isAFailureValue() {
    JdbcLockStore sqlite = JdbcStores.open("jdbc:sqlite:" + temp.resolve("gone.db"), Map.of(), Duration.ofSeconds(5)).get();
    sqlite.close();

    var clock = sqlite.databaseClock(java.time.Clock.systemUTC());

    assertThat(clock.isLeft()).isTrue();
    assertThat(clock.getLeft().describe()).contains("read the database's time", "gone.db", "closed");
  }

  @Test
  void keys_ofAHolderWithARowNoVersionWrote_leaveItOut() throws Exception {
    String url = "jdbc:sqlite:" + temp.resolve("foreign.db");
    JdbcLockStore store = JdbcStores.open(url, Map.of(), Duration.ofSeconds(5)).get();
    dev.parallelsessionlock.core.LockKey key = new dev.parallelsessionlock.core.LockKey("file-aaaaaaaaaaaa-a");
    store.add("session:s1", key);
    try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO session_lock_holders (holder, lock_key) VALUES ('session:s1', 'not a key/../x')");
    }

    assertThat(store.keys("session:s1").get()).containsExactly(key);
    store.close();
  }
}
