package dev.parallelsessionlock.hook.runtime;

import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.jdbc.JdbcLockStore;
import dev.parallelsessionlock.jdbc.JdbcStores;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Clock;
import java.time.Duration;

/** The database store of {@code SESSION_LOCK_STORE}; a class of its own so that only it loads JDBC. */
final class DatabaseStore {

  private DatabaseStore() {}

  static Either<StoreFailure, OpenStore> open(HookConfig config, Duration timeout) {
    Either<StoreFailure, JdbcLockStore> store = JdbcStores.open(config.store().get(), config.storeCredentials(), timeout);
    if (store.isLeft()) {
      return Either.left(store.getLeft());
    }
    JdbcLockStore jdbc = store.get();
    Option<Clock> clock = Option.none();
    if (config.databaseClock()) {
      Either<StoreFailure, Clock> databaseClock = jdbc.databaseClock(Clock.systemUTC());
      if (databaseClock.isLeft()) {
        jdbc.close();
        return Either.left(databaseClock.getLeft());
      }
      clock = Option.some(databaseClock.get());
    }
    return Either.right(new OpenStore(jdbc, jdbc, clock, Option.none(), jdbc.description()));
  }
}
