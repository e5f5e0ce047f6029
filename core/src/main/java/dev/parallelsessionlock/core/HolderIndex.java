package dev.parallelsessionlock.core;

import io.vavr.control.Either;

/**
 * A hint port: which keys a holder may hold, so that ending a session releases its few file locks without reading
 * every lock in the store. Correctness never rests on it: {@link FileLocks} adds a key before it acquires it, so
 * the index names every key a holder holds (a crash leaves at most extra entries), and each entry is released
 * with the protocol's conditional release, which frees nothing of another holder.
 *
 * <p>{@code java.util} lists here: this runs on the hook path, where vavr's collections cost start-up time.
 */
public interface HolderIndex {

  /** Records that {@code holder} (a session id, or {@code task:<id>}) may hold {@code key}; idempotent. */
  Either<StoreFailure, LockKey> add(String holder, LockKey key);

  /** Forgets {@code key} for {@code holder}; forgetting what is not there is fine. */
  Either<StoreFailure, LockKey> remove(String holder, LockKey key);

  /** The keys recorded for {@code holder}, ordered. */
  Either<StoreFailure, java.util.List<LockKey>> keys(String holder);
}
