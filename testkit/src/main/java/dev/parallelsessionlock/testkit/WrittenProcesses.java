package dev.parallelsessionlock.testkit;

import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WriteOutcome;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.util.HashMap;
import java.util.Map;

/**
 * A store as it is, noting the process of every record written into it, per session: what a store that keeps a
 * holder's process per session, not per record, gives back for each of that session's records (a work item names
 * only its session). The models of the properties read it; it decides nothing.
 */
final class WrittenProcesses implements LockStore {

  private final LockStore store;
  private final Map<String, ProcessRef> lastWritten = new HashMap<>();

  WrittenProcesses(LockStore store) {
    this.store = store;
  }

  /** The process of the last record written for {@code session}; none before its first write. */
  Option<ProcessRef> of(String session) {
    return Option.of(lastWritten.get(session));
  }

  /** {@code record} as a store that keeps one process per session reads it: with its session's last one. */
  LockRecord withSessionProcess(LockRecord record) {
    ProcessRef process = of(record.sessionId()).getOrElse(record.holder());
    return new LockRecord(record.schemaVersion(), record.sessionId(), process, record.acquiredAt(), record.ttl(),
        record.heldSince(), record.generation(), record.details());
  }

  private Either<StoreFailure, WriteOutcome> noted(LockRecord record, Either<StoreFailure, WriteOutcome> outcome) {
    if (outcome.contains(WriteOutcome.WRITTEN) && record.holder().isKnown()) {
      lastWritten.put(record.sessionId(), record.holder());
    }
    return outcome;
  }

  @Override
  public Either<StoreFailure, Option<Slot>> read(LockKey key) {
    return store.read(key);
  }

  @Override
  public Either<StoreFailure, WriteOutcome> create(LockKey key, LockRecord record) {
    return noted(record, store.create(key, record));
  }

  @Override
  public Either<StoreFailure, WriteOutcome> replace(Slot expected, LockRecord next) {
    return noted(next, store.replace(expected, next));
  }

  @Override
  public Either<StoreFailure, WriteOutcome> delete(Slot expected) {
    return store.delete(expected);
  }

  @Override
  public Either<StoreFailure, List<Slot>> list() {
    return store.list();
  }

  @Override
  public Either<StoreFailure, List<Slot>> list(String keyPrefix) {
    return store.list(keyPrefix);
  }
}
