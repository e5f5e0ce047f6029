package dev.parallelsessionlock.jdbc;

import dev.parallelsessionlock.core.StoreFailure;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Opens a {@link JdbcLockStore} from a JDBC URL ({@code SESSION_LOCK_STORE}):
 *
 * <ul>
 *   <li>{@code jdbc:sqlite:/path/locks.db}: WAL journal, a busy timeout, immediate transactions; a database on a
 *       network file system (NFS, SMB, sshfs) is refused, since its file locks are not reliable there.</li>
 *   <li>{@code jdbc:postgresql://host:port/db}: credentials from {@code SESSION_LOCK_STORE_USER} and
 *       {@code SESSION_LOCK_STORE_PASSWORD}, or from the file {@code SESSION_LOCK_STORE_CREDENTIALS} ({@code user=}
 *       and {@code password=} lines; refused unless only its owner can read it); connect and socket timeouts from
 *       the caller's deadline. Credentials never appear in a message.</li>
 * </ul>
 */
public final class JdbcStores {

  private static final Set<String> NETWORK_FILE_SYSTEMS = Set.of("nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs",
      "afs", "9p", "ceph", "glusterfs", "fuse.glusterfs", "lustre");

  private JdbcStores() {}

  /** The store {@code url} names, connecting within {@code timeout}. */
  public static Either<StoreFailure, JdbcLockStore> open(String url, Map<String, String> env, Duration timeout) {
    String description = url.indexOf('?') >= 0 ? url.substring(0, url.indexOf('?')) : url;
    try {
      if (url.startsWith("jdbc:sqlite:")) {
        String file = description.substring("jdbc:sqlite:".length());
        Option<String> problem = networkFileSystem(Path.of(file).toAbsolutePath());
        if (problem.isDefined()) {
          return refuse(description, problem.get());
        }
        Properties properties = new Properties();
        properties.setProperty("journal_mode", "WAL");
        properties.setProperty("busy_timeout", Long.toString(Math.max(100, timeout.toMillis())));
        properties.setProperty("transaction_mode", "IMMEDIATE");
        properties.setProperty("synchronous", "NORMAL");
        // The driver itself, not DriverManager: its first call loads every driver on the class path (PostgreSQL's
        // too) through a ServiceLoader, start-up time a hook pays on every call.
        Connection connection = new org.sqlite.JDBC().connect(url, properties);
        return JdbcLockStore.on(connection, description);
      }
      if (url.startsWith("jdbc:postgresql:")) {
        Properties properties = new Properties();
        Either<String, Option<String[]>> credentials = credentials(env);
        if (credentials.isLeft()) {
          return refuse(description, credentials.getLeft());
        }
        if (credentials.get().isDefined()) {
          properties.setProperty("user", credentials.get().get()[0]);
          properties.setProperty("password", credentials.get().get()[1]);
        }
        int seconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
        // A server that cannot be reached fails within the connect timeout (the caller's deadline). The login is
        // bounded by the socket timeout, not by a login timeout of the deadline: the driver counts its own start in
        // that (its classes, on a machine busy with many hooks starting at once) and gave up on a server that was up.
        properties.setProperty("connectTimeout", Integer.toString(seconds));
        properties.setProperty("loginTimeout", Integer.toString(Math.max(seconds, 10)));
        properties.setProperty("socketTimeout", Integer.toString(Math.max(seconds, 10)));
        properties.setProperty("ApplicationName", "session-lock");
        Connection connection = new org.postgresql.Driver().connect(url, properties);
        if (connection == null) {
          return refuse(description, "not a PostgreSQL URL the driver accepts");
        }
        return JdbcLockStore.on(connection, description);
      }
      return refuse(description, "not a store this version knows: jdbc:sqlite:/path or jdbc:postgresql://host/db");
    } catch (SQLException e) {
      return refuse(description, JdbcLockStore.oneLine(e));
    }
  }

  /**
   * Where in the jar sqlite-jdbc keeps its native library for this machine ({@code org/sqlite/native/Linux/x86_64/
   * libsqlitejdbc.so}). Unpacked once into the install home, and named with {@code org.sqlite.lib.path} and
   * {@code org.sqlite.lib.name}, it spares each start unpacking a copy into the temp folder, which a hook that ends
   * with {@code halt} also leaves behind.
   */
  public static String sqliteNativeLibraryEntry() {
    return "org/sqlite/native/" + org.sqlite.util.OSInfo.getNativeLibFolderPathForCurrentOS() + "/"
        + SQLITE_NATIVE_LIBRARY;
  }

  /** The file name of sqlite-jdbc's native library. */
  public static final String SQLITE_NATIVE_LIBRARY = System.mapLibraryName("sqlitejdbc");

  private static Either<StoreFailure, JdbcLockStore> refuse(String description, String why) {
    return Either.left(new StoreFailure(null, "use the database", description + ": " + why));
  }

  /** User and password from the environment or the credentials file, none when neither is given. */
  static Either<String, Option<String[]>> credentials(Map<String, String> env) {
    String user = env.get("SESSION_LOCK_STORE_USER");
    String password = env.get("SESSION_LOCK_STORE_PASSWORD");
    String file = env.get("SESSION_LOCK_STORE_CREDENTIALS");
    if (file != null && !file.isBlank()) {
      Path path = Path.of(file);
      try {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)
            || mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
          return Either.left("the credentials file " + path + " can be read or written by others; chmod 600 it");
        }
        for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
          if (line.startsWith("user=")) {
            user = line.substring("user=".length()).strip();
          } else if (line.startsWith("password=")) {
            password = line.substring("password=".length());
          }
        }
      } catch (IOException | UnsupportedOperationException e) {
        return Either.left("cannot read the credentials file " + path);
      }
    }
    if (user == null) {
      return Either.right(Option.none());
    }
    return Either.right(Option.some(new String[] {user, password == null ? "" : password}));
  }

  /** The file system type of {@code file}'s folder when it is a network one (from /proc/mounts), else none. */
  static Option<String> networkFileSystem(Path file) {
    return networkFileSystem(file, Path.of("/proc/mounts"));
  }

  /** The same, from the mount table {@code mounts} (tests give a fixture). */
  static Option<String> networkFileSystem(Path file, Path mounts) {
    if (!Files.isReadable(mounts)) {
      return Option.none();
    }
    Path dir = file.getParent() == null ? file : file.getParent();
    try {
      dir = dir.toRealPath();
    } catch (IOException missing) {
      // judge the path as given
    }
    String best = "";
    String type = "";
    try {
      List<String> lines = Files.readAllLines(mounts);
      for (String line : lines) {
        String[] fields = line.split(" ");
        if (fields.length < 3) {
          continue;
        }
        String point = fields[1].replace("\\040", " ");
        if ((dir.toString().equals(point) || dir.toString().startsWith(point.endsWith("/") ? point : point + "/"))
            && point.length() >= best.length()) {
          best = point;
          type = fields[2];
        }
      }
    } catch (IOException e) {
      return Option.none();
    }
    return NETWORK_FILE_SYSTEMS.contains(type)
        ? Option.some("it is on a network file system (" + type + " at " + best + "), where SQLite's locks are not "
            + "reliable; use PostgreSQL for sessions on several machines")
        : Option.none();
  }
}
