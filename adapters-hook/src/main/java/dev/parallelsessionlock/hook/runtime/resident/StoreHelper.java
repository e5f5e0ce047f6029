package dev.parallelsessionlock.hook.runtime.resident;

import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.jdbc.JdbcLockStore;
import dev.parallelsessionlock.jdbc.JdbcStores;
import io.vavr.control.Either;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * {@code session-lock store-helper}, started by a hook (never by people): the resident helper of the database store
 * {@code SESSION_LOCK_STORE} names. It holds the store's lock file while it lives, so of two started at once one
 * serves and the other exits 0; it opens the database once, answers the hooks of its user over its socket
 * ({@link HelperServer}), and stops after {@link HelperPaths#idle} without a call.
 */
public final class StoreHelper {

  /** How long the helper's connection waits for the database: SQLite's busy timeout, PostgreSQL's connect timeout. */
  static final Duration STORE_TIMEOUT = Duration.ofMillis(750);

  private StoreHelper() {}

  /** Runs the helper; the exit code. */
  public static int run(Map<String, String> env, PrintStream err) {
    String url = env.get("SESSION_LOCK_STORE");
    if (url == null || !(url.startsWith("jdbc:sqlite:") || url.startsWith("jdbc:postgresql:"))) {
      err.println("session-lock store-helper: SESSION_LOCK_STORE names no database store");
      return 64;
    }
    if (!HelperPaths.enabled(env)) {
      err.println("session-lock store-helper: SESSION_LOCK_HELPER=off");
      return 0;
    }
    HelperPaths paths = HelperPaths.of(env, url);
    String problem = paths.secure();
    if (problem != null) {
      err.println("session-lock store-helper: " + problem);
      return 73;
    }
    try (FileChannel lockFile = FileChannel.open(paths.lock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock held = lockFile.tryLock();
      if (held == null) {
        return 0; // another helper serves this store
      }
      JdbcBackend backend = new JdbcBackend(url, env);
      Either<StoreFailure, JdbcLockStore> opened = backend.open();
      if (opened.isLeft()) {
        err.println("session-lock store-helper: " + opened.getLeft().describe());
        return 69;
      }
      HelperServer server = HelperServer.bind(paths.socket(), backend, HelperPaths.idle(env));
      Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
      err.println("session-lock store-helper: pid " + ProcessHandle.current().pid() + " serves "
          + backend.description() + " at " + paths.socket());
      server.serve();
      backend.close();
      return 0;
    } catch (IOException e) {
      err.println("session-lock store-helper: " + e);
      return 74;
    }
  }

  /** The database, opened once and again when its connection broke. */
  private static final class JdbcBackend implements HelperServer.Backend {
    private final String url;
    private final Map<String, String> env;
    private volatile JdbcLockStore store;

    JdbcBackend(String url, Map<String, String> env) {
      this.url = url;
      this.env = env;
    }

    synchronized Either<StoreFailure, JdbcLockStore> open() {
      Either<StoreFailure, JdbcLockStore> opened = JdbcStores.open(url, env, STORE_TIMEOUT);
      if (opened.isRight()) {
        // Shared by every session: a read always asks the database, never what this helper wrote last.
        store = opened.get().readingThrough();
      }
      return opened;
    }

    @Override
    public LockStore store() {
      return store;
    }

    @Override
    public HolderIndex index() {
      return store;
    }

    @Override
    public Either<StoreFailure, Clock> clock() {
      // Whichever hook started it, a hook that judges by the database's clock asks: read anew each time.
      return store.databaseClock(Clock.systemUTC());
    }

    @Override
    public String description() {
      return store.description();
    }

    @Override
    public synchronized void failed() {
      JdbcLockStore current = store;
      if (!current.isValid()) {
        if (open().isRight()) {
          current.close();
        }
      }
    }

    synchronized void close() {
      store.close();
    }
  }
}
