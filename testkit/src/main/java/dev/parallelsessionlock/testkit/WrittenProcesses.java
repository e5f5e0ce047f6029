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
final class WrittenProcesses extends ForwardingLockStore {

  private final Map<String, ProcessRef> lastWritten = new HashMap<>();

  WrittenProcesses(LockStore store) {
    super(store);
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
  public Either<StoreFailure, WriteOutcome> create(LockKey key, LockRecord record) {
    return noted(record, delegate().create(key, record));
  }

  @Override
  public Either<StoreFailure, WriteOutcome> replace(Slot expected, LockRecord next) {
    return noted(next, delegate().replace(expected, next));
  }
}
