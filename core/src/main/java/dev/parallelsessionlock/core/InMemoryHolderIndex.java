package dev.parallelsessionlock.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import io.vavr.control.Either;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** A {@link HolderIndex} in memory, beside an {@link InMemoryLockStore}. */
public final class InMemoryHolderIndex implements HolderIndex {

  private final ConcurrentMap<String, Set<LockKey>> keys = new ConcurrentHashMap<>();

  @Override
  public Either<StoreFailure, LockKey> add(String holder, LockKey key) {
    // Added inside the map's atomic step: a remove of the holder's last key at the same moment drops the set, and
    // an add to a set fetched before that would be lost with it.
    keys.compute(holder, (h, set) -> {
      Set<LockKey> held = set == null ? ConcurrentHashMap.newKeySet() : set;
      held.add(key);
      return held;
    });
    return Either.right(key);
  }

  @Override
  public Either<StoreFailure, LockKey> remove(String holder, LockKey key) {
    keys.computeIfPresent(holder, (h, set) -> {
      set.remove(key);
      return set.isEmpty() ? null : set;
    });
    return Either.right(key);
  }

  @Override
  public Either<StoreFailure, List<LockKey>> keys(String holder) {
    List<LockKey> found = new ArrayList<>(keys.getOrDefault(holder, Set.of()));
    Collections.sort(found);
    return Either.right(List.copyOf(found));
  }
}
