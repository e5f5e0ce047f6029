package dev.parallelsessionlock.jdbc;

import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.testkit.ContenderStore;
import java.time.Duration;
import java.util.Map;

/** The JDBC store in the testkit's contender JVMs: the place is the database's JDBC URL. */
public final class JdbcStoreContender implements ContenderStore {

  @Override
  public LockStore open(String place) {
    return JdbcStores.open(place, Map.of(), Duration.ofSeconds(10))
        .getOrElseThrow(failure -> new IllegalStateException(failure.describe()));
  }
}
