package dev.parallelsessionlock.core;

import io.vavr.control.Option;
import java.time.Instant;

/**
 * One waiter's place in the line of one key ({@link FairLine}), as read: a record on the store under {@code
 * wait-<key>.<number>}, renewed by every attempt of its waiter.
 *
 * @param key the key waited for
 * @param number its place: tickets are served by number, lowest first
 * @param record the waiter (session, process, agent), when it joined ({@code held_since}) and its last attempt
 *     ({@code acquired_at}); none for unreadable bytes
 * @param live whether it keeps its place now: its lease (the ticket ttl since the last attempt) runs and its
 *     process is not provably dead; unreadable bytes count as a live waiter for one ticket ttl
 */
public record Ticket(LockKey key, long number, Option<LockRecord> record, boolean live) {

  /** Until when the place is kept without another attempt; none for unreadable bytes. */
  public Option<Instant> keptUntil() {
    return record.isDefined() ? Option.some(record.get().expiresAt()) : Option.none();
  }
}
