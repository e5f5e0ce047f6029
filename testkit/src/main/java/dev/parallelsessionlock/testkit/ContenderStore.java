package dev.parallelsessionlock.testkit;

import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockStore;

/**
 * How a {@link Contender} JVM opens the store under test. A store's tests implement it in a public class with a
 * public no-argument constructor and name that class to {@link Contender#start}; each contender JVM makes one and
 * opens the store at the place the test gave (a folder, a database URL, a work item).
 */
public interface ContenderStore {

  /** The store at {@code place}, opened in this JVM. */
  LockStore open(String place) throws Exception;

  /** The key the contenders fight over at {@code place}. */
  default LockKey key(String place) {
    return Contender.KEY;
  }
}
