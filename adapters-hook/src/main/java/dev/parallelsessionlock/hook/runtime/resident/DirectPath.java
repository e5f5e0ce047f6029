package dev.parallelsessionlock.hook.runtime.resident;

import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.StoreFailure;
import io.vavr.control.Either;
import java.time.Clock;

/**
 * The database opened by the calling process itself: what a {@link ResidentStore} falls back to when its helper is
 * gone. Implemented by the hook (only it loads JDBC), so this package names no driver class.
 */
public interface DirectPath {

  /** Opens the database; the failure is what the hook reports when it fails open. */
  Either<StoreFailure, Direct> open();

  /** A database opened directly: its records, its holder index, and its clock when the database's clock is used. */
  final class Direct {
    final LockStore store;
    final HolderIndex index;
    final Clock clock;

    /** {@code clock} null when leases are judged by the local clock. */
    public Direct(LockStore store, HolderIndex index, Clock clock) {
      this.store = store;
      this.index = index;
      this.clock = clock;
    }
  }
}
