package dev.parallelsessionlock.core;

import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A fair line per key, on the one protocol: who meets a held key waits in order, and is served first come, first
 * served (Curator's {@code InterProcessMutex}, Redisson's fair lock). The grant itself stays the protocol's ({@link
 * Grantor}); the line only decides whose turn it is.
 *
 * <p>The model:
 * <ul>
 *   <li><b>Tickets are records.</b> A waiter's place in the line of key {@code K} is a {@link LockRecord} under
 *       {@code wait-<K>.<number>} (19 digits, so key order is number order), in the same store as every lease and
 *       written by its conditional writes only: its session, process and agent, when it joined ({@code held_since}),
 *       its last attempt ({@code acquired_at}) and a lease of {@link #ticketTtl()} from then. Beside them one marker
 *       per line, {@code line-<K>}, keeps the last number given (its {@code generation}) and tells, in one read,
 *       whether a line ever formed on {@code K}: without one, an attempt goes straight to the protocol, so the
 *       uncontended path costs one read more than before and no write.</li>
 *   <li><b>One number for all the keys of an attempt.</b> A joiner reads the markers of its keys, takes a number
 *       above all of them (and at least the clock's milliseconds, so numbers keep growing after a marker was pruned),
 *       writes every marker to it by conditional write (any conflict: read again), and then creates its tickets with
 *       that number. A newcomer that starts after a join ended sees that join's number in the marker, so it gets a
 *       higher one: first in, first served. And since every line orders the same numbers, waiters for several keys
 *       (a multi-file edit) can never wait for each other in a circle.
 *       One record per waiter, not one line record holding them all: joining, renewing and leaving then touch only
 *       the waiter's own record and the marker, a crashed waiter leaves a record that the holders' rules judge as
 *       they judge any lease, and the record format (and every store's codec) stays as it is.</li>
 *   <li><b>Live waiters only.</b> A ticket keeps its place while its lease runs and its process is not provably dead,
 *       by the same rules as a holder ({@link SlotState}): a dead waiter, or one that vanished (no attempt within the
 *       ticket ttl), is skipped and its ticket deleted (conditionally, as a takeover). Unreadable bytes under a
 *       ticket's key count as a live waiter for one ticket ttl. A waiter's own ticket that ran out is gone for it too:
 *       it joins again, at the back.</li>
 *   <li><b>{@link #attempt}.</b> Keys the claimant already holds, fresh, need no turn: the holder renewing its own
 *       lease is never blocked by the line. For the others: when no live ticket is ahead of the claimant's (or, for a
 *       newcomer, none at all), the {@link Grantor} tries the protocol's all-or-nothing grant; taken, the claimant
 *       leaves every line ({@link Turn.Granted}). Otherwise (a live waiter ahead, or the grant refused) the claimant
 *       keeps its place: it joins the lines it is not in, at the back, or renews its tickets, and gets {@link
 *       Turn.Waiting} with its place and the holders. So when the holder releases, the head waiter's next attempt is
 *       granted (no lost wake-up), and a newcomer never overtakes a live waiter.</li>
 *   <li><b>Deadlock.</b> A waiter waits for the holders of its keys and for the live waiters ahead of it. When the
 *       claimant's waits lead back to it (it holds, say, a file the holder of its key waits for), the cycle is
 *       answered at once: the youngest member of the knot (the waiters the claimant reaches and that reach it back;
 *       youngest by the latest {@code held_since} among each one's tickets, ties by the greater session id) gets
 *       {@link Turn.Deadlock} and leaves the lines it waited in; the others keep waiting, and are served when it
 *       releases what it holds. The youngest, because it closed the cycle and has waited least; and because every
 *       member reads the same tickets and holders, they agree on it without talking. The waits are read as they are
 *       now; a grant refused for a reason its key's holder does not show (a workspace lease refused by file locks)
 *       counts only in the claimant's own refusal, not when another waiter reads it.</li>
 * </ul>
 *
 * <p>The core never sleeps: the caller attempts once per try (the hook once per tool call, and again while it
 * watches within its budget). Runs on the hook path: no lambdas, no vavr collections, no record {@code equals},
 * {@code hashCode} or {@code toString} (HookStartupIT).
 */
public final class FairLine {

  /** How long a waiter keeps its place without another attempt. */
  public static final Duration DEFAULT_TICKET_TTL = Duration.ofSeconds(60);

  /** Prefix of every ticket's key. */
  public static final String TICKET_PREFIX = "wait-";

  /** Prefix of every line's marker. */
  public static final String MARKER_PREFIX = "line-";

  /** A marker's lease: renewed by the line's waiters, so it outlives every ticket of its line. */
  static final Duration MARKER_TTL = RecordBounds.MAX_TTL;

  /** The session a marker names (it is nobody's lease). */
  static final String MARKER_SESSION = "line";

  private static final int DIGITS = 19;
  /** The longest key name used as is in a ticket's key; longer ones are hashed. */
  private static final int LONGEST_NAME = 120 - TICKET_PREFIX.length() - 1 - DIGITS;

  private static final int MINE = 0;
  private static final int LIVE = 1;
  private static final int GONE = 2;

  private final ParallelSessionLock lock;
  private final LockStore store;
  private final Duration ticketTtl;

  private FairLine(ParallelSessionLock lock, LockStore store, Duration ticketTtl) {
    this.lock = Objects.requireNonNull(lock, "lock");
    this.store = Objects.requireNonNull(store, "store");
    Objects.requireNonNull(ticketTtl, "ticketTtl");
    if (ticketTtl.isNegative() || ticketTtl.isZero()) {
      throw new IllegalArgumentException("ticket ttl must be positive: " + ticketTtl);
    }
    this.ticketTtl = ticketTtl;
  }

  /**
   * Lines for the keys {@code lock} guards, their tickets in {@code store}: the store of {@code lock} itself, or,
   * where that store keeps nothing but its own records (work-item claims), the lock directory beside it.
   */
  public static FairLine of(ParallelSessionLock lock, LockStore store) {
    return new FairLine(lock, store, DEFAULT_TICKET_TTL);
  }

  /** A copy whose waiters keep their place for {@code ttl} without an attempt. */
  public FairLine withTicketTtl(Duration ttl) {
    return new FairLine(lock, store, ttl);
  }

  public Duration ticketTtl() {
    return ticketTtl;
  }

  /**
   * One try of {@code claimant} at {@code keys} (every key the grant takes: one lease, or the files of an edit):
   * granted, waiting in line, or a deadlock. {@code grantor} takes the same keys, all or nothing, when the line
   * lets it. {@link LockFailure} when the store failed, or the line changed under every try (try again).
   */
  public <G> Either<LockFailure, Turn<G>> attempt(List<LockKey> keys, Claimant claimant, Grantor<G> grantor) {
    return attempt(keys, claimant, grantor, true);
  }

  /**
   * One try that keeps no place (a caller that will not wait: waiting turned off, a command without {@code --wait}):
   * granted when the line lets it, exactly as {@link #attempt}; otherwise {@link Turn.Waiting} with the place it
   * would take, and nothing written for it: no ticket, no marker; a ticket of its own, kept from an earlier wait, is
   * given up ({@link #leave} of {@code keys}: it does not wait now). So a crowd of callers that do not wait writes
   * nothing but the grant. It never answers a deadlock: it waits for nobody.
   */
  public <G> Either<LockFailure, Turn<G>> tryOnce(List<LockKey> keys, Claimant claimant, Grantor<G> grantor) {
    return attempt(keys, claimant, grantor, false);
  }

  private <G> Either<LockFailure, Turn<G>> attempt(List<LockKey> keys, Claimant claimant, Grantor<G> grantor,
      boolean keep) {
    Objects.requireNonNull(claimant, "claimant");
    Objects.requireNonNull(grantor, "grantor");
    List<LockKey> sorted = sortedDistinct(keys);
    if (sorted.isEmpty()) {
      throw new IllegalArgumentException("an attempt needs at least one key");
    }
    for (int round = 0; round < lock.maxAttempts(); round++) {
      Either<LockFailure, Turn<G>> turn = round(sorted, claimant, grantor, keep);
      if (turn != null) {
        return turn;
      }
    }
    return Either.left(new LockFailure.Contended(sorted.get(0), lock.maxAttempts()));
  }

  /**
   * Whether {@code claimant}'s process is provably gone (a waiter whose agent was killed): the others skip its place
   * already, and its own wait should end rather than be granted a lease for a dead process.
   */
  public boolean isGone(Claimant claimant) {
    return lock.liveness().of(claimant.process()) == Liveness.DEAD;
  }

  /** Leaves the line of every key in {@code keys} (gives up waiting); answers how many tickets it removed. */
  public Either<LockFailure, Integer> leave(List<LockKey> keys, Claimant claimant) {
    int removed = 0;
    for (LockKey key : sortedDistinct(keys)) {
      Either<LockFailure, List<Seen>> line = read(key, Option.some(claimant), lock.now());
      if (line.isLeft()) {
        return Either.left(line.getLeft());
      }
      for (Seen seen : line.get()) {
        if (seen.kind == MINE) {
          Either<StoreFailure, WriteOutcome> deleted = store.delete(seen.slot);
          if (deleted.isLeft()) {
            return Either.left(new LockFailure.StoreUnavailable(deleted.getLeft()));
          }
          removed += deleted.get() == WriteOutcome.WRITTEN ? 1 : 0;
        }
      }
    }
    return Either.right(removed);
  }

  /**
   * Leaves every line {@code claimant} waits in (the end of its turn or its session: it holds nobody up while it is
   * not asking): one listing of the tickets, then {@link #leave} of the keys its session's tickets name.
   */
  public Either<LockFailure, Integer> leaveAll(Claimant claimant) {
    Either<StoreFailure, List<Slot>> tickets = store.slots(TICKET_PREFIX);
    if (tickets.isLeft()) {
      return Either.left(new LockFailure.StoreUnavailable(tickets.getLeft()));
    }
    List<LockKey> keys = new ArrayList<>();
    for (Slot slot : tickets.get()) {
      if (slot instanceof Slot.Held held && held.record().sessionId().equals(claimant.sessionId())) {
        Option<String> path = held.record().details().path();
        if (path.isDefined() && LockKey.isValid(path.get()) && !keys.contains(new LockKey(path.get()))) {
          keys.add(new LockKey(path.get()));
        }
      }
    }
    return keys.isEmpty() ? Either.right(0) : leave(keys, claimant);
  }

  /** The line of {@code key} as it stands, by number, dead and vanished tickets included (not {@code live}). */
  public Either<LockFailure, List<Ticket>> line(LockKey key) {
    Either<LockFailure, List<Seen>> line = read(key, Option.none(), lock.now());
    if (line.isLeft()) {
      return Either.left(line.getLeft());
    }
    List<Ticket> tickets = new ArrayList<>(line.get().size());
    for (Seen seen : line.get()) {
      tickets.add(seen.ticket(key));
    }
    return Either.right(tickets);
  }

  /** Whether {@code key} is one of the line's own records (a ticket or a marker), not a lock. */
  public static boolean isLineRecord(LockKey key) {
    return key.name().startsWith(TICKET_PREFIX) || key.name().startsWith(MARKER_PREFIX);
  }

  /** The marker of {@code key}'s line. */
  public static LockKey markerKey(LockKey key) {
    return new LockKey(MARKER_PREFIX + lineName(key));
  }

  /** The key of the ticket numbered {@code number} in {@code key}'s line. */
  public static LockKey ticketKey(LockKey key, long number) {
    if (number < 0) {
      throw new IllegalArgumentException("ticket numbers are not negative: " + number);
    }
    String digits = Long.toString(number);
    StringBuilder name = new StringBuilder(ticketPrefix(key));
    for (int i = digits.length(); i < DIGITS; i++) {
      name.append('0');
    }
    return new LockKey(name.append(digits).toString());
  }

  /** The number of the ticket keyed {@code ticket} in {@code key}'s line; -1 when it is no ticket of that line. */
  public static long numberOf(LockKey ticket, LockKey key) {
    return numberOf(ticket.name(), ticketPrefix(key));
  }

  /** What every ticket of {@code key}'s line starts with. */
  static String ticketPrefix(LockKey key) {
    return TICKET_PREFIX + lineName(key) + ".";
  }

  /** The key's name, or for a name too long to fit in a ticket's key, {@code x.} and 20 hex digits of its MD5. */
  private static String lineName(LockKey key) {
    return key.name().length() <= LONGEST_NAME ? key.name() : "x." + Md5.hex(key.name()).substring(0, 20);
  }

  /** The number of a ticket named {@code name} under {@code prefix}, or -1 when it is no such ticket. */
  private static long numberOf(String name, String prefix) {
    if (name.length() != prefix.length() + DIGITS || !name.startsWith(prefix)) {
      return -1;
    }
    long number = 0;
    for (int i = prefix.length(); i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9' || number > (Long.MAX_VALUE - (c - '0')) / 10) {
        return -1;
      }
      number = number * 10 + (c - '0');
    }
    return number;
  }

  // ---- One round of an attempt: null means the line changed under it, try again ----

  private <G> Either<LockFailure, Turn<G>> round(List<LockKey> keys, Claimant claimant, Grantor<G> grantor,
      boolean keep) {
    Instant now = lock.now();
    boolean anyLine = false;
    for (LockKey key : keys) {
      Either<StoreFailure, Option<Slot>> marker = store.read(markerKey(key));
      if (marker.isLeft()) {
        return Either.left(new LockFailure.StoreUnavailable(marker.getLeft()));
      }
      if (marker.get().isDefined()) {
        anyLine = true;
        break;
      }
    }
    if (!anyLine) {
      // No line ever formed on these keys (a marker is written before any ticket): straight to the protocol.
      return tryGrant(keys, claimant, grantor, new HashMap<LockKey, List<Seen>>(), keep);
    }
    Map<LockKey, List<Seen>> lines = new HashMap<>();
    boolean clear = true;
    for (LockKey key : keys) {
      Either<LockFailure, Boolean> held = lock.holds(key, claimant);
      if (held.isLeft()) {
        return Either.left(held.getLeft());
      }
      if (held.get()) {
        continue; // the holder's renewal: never blocked by the line
      }
      Either<LockFailure, List<Seen>> line = readAndSweep(key, claimant, now);
      if (line.isLeft()) {
        return Either.left(line.getLeft());
      }
      lines.put(key, line.get());
      clear &= ahead(line.get()).isEmpty();
    }
    if (clear) {
      return tryGrant(keys, claimant, grantor, lines, keep);
    }
    return keep ? wait(claimant, lines.keySet(), Option.none(), List.<Acquisition.Blocked>of())
        : placeWithout(keys, claimant, lines.keySet(), Option.none(), List.<Acquisition.Blocked>of());
  }

  /** The claimant's turn: the protocol's grant. Taken, it leaves the lines; refused, it keeps (or takes) its place. */
  private <G> Either<LockFailure, Turn<G>> tryGrant(List<LockKey> keys, Claimant claimant, Grantor<G> grantor,
      Map<LockKey, List<Seen>> lines, boolean keep) {
    Either<LockFailure, Grantor.Taking<G>> taking = grantor.take();
    if (taking.isLeft()) {
      return Either.left(taking.getLeft());
    }
    if (taking.get() instanceof Grantor.Taking.Refused<G> refused) {
      List<LockKey> waitFor = new ArrayList<>();
      for (LockKey key : keys) {
        if (lines.containsKey(key)) {
          waitFor.add(key);
          continue;
        }
        Either<LockFailure, Boolean> held = lock.holds(key, claimant);
        if (held.isLeft()) {
          return Either.left(held.getLeft());
        }
        if (!held.get()) {
          waitFor.add(key);
        }
      }
      return keep ? wait(claimant, waitFor, Option.some(refused.outcome()), refused.by())
          : placeWithout(keys, claimant, waitFor, Option.some(refused.outcome()), refused.by());
    }
    for (List<Seen> line : lines.values()) {
      for (Seen seen : line) {
        if (seen.kind == MINE) {
          Either<StoreFailure, WriteOutcome> left = store.delete(seen.slot);
          if (left.isLeft()) {
            return Either.left(new LockFailure.StoreUnavailable(left.getLeft()));
          }
        }
      }
    }
    return Either.right(new Turn.Granted<>(taking.get().outcome()));
  }

  /**
   * Not the claimant's turn, or refused: it joins the lines of {@code waitFor} it is not in, renews its tickets in
   * the others, and is told its place, or that it closes a cycle of waits.
   */
  private <G> Either<LockFailure, Turn<G>> wait(Claimant claimant,
      java.util.Collection<LockKey> waitFor, Option<G> refused, List<Acquisition.Blocked> by) {
    List<LockKey> sorted = sortedDistinct(waitFor);
    Instant now = lock.now();
    List<LockKey> joining = new ArrayList<>();
    for (LockKey key : sorted) {
      Either<LockFailure, List<Seen>> line = readAndSweep(key, claimant, now);
      if (line.isLeft()) {
        return Either.left(line.getLeft());
      }
      Seen mine = mine(line.get());
      if (mine == null) {
        joining.add(key);
        continue;
      }
      LockRecord ticket = mine.record.get();
      Either<StoreFailure, WriteOutcome> renewed = store.replace(mine.slot,
          claimant.lease(now, ticketTtl, ticket.heldSince(), ticket.generation(), ticket.details()));
      if (renewed.isLeft()) {
        return Either.left(new LockFailure.StoreUnavailable(renewed.getLeft()));
      }
      if (renewed.get() == WriteOutcome.CONFLICT) {
        return null;
      }
      Either<LockFailure, Boolean> kept = keepMarker(key, ticket.generation(), now);
      if (kept.isLeft()) {
        return Either.left(kept.getLeft());
      }
    }
    if (!joining.isEmpty()) {
      Either<LockFailure, Boolean> joined = join(joining, claimant, now);
      if (joined.isLeft()) {
        return Either.left(joined.getLeft());
      }
    }
    Either<LockFailure, List<Turn.Place>> placed = places(sorted, claimant, now, true);
    if (placed == null) {
      return null; // a ticket removed under us (a person, a prune): try again
    }
    if (placed.isLeft()) {
      return Either.left(placed.getLeft());
    }
    List<Turn.Place> places = placed.get();
    int position = position(places);
    Either<LockFailure, List<Acquisition.Blocked>> held = holders(sorted, claimant, refused.isEmpty(), by);
    if (held.isLeft()) {
      return Either.left(held.getLeft());
    }
    List<Acquisition.Blocked> holders = held.get();
    Either<LockFailure, List<Turn.Wait>> cycle = cycle(claimant, holders, now);
    if (cycle.isLeft()) {
      return Either.left(cycle.getLeft());
    }
    if (!cycle.get().isEmpty()) {
      Either<LockFailure, Integer> left = leave(sorted, claimant);
      if (left.isLeft()) {
        return Either.left(left.getLeft());
      }
      return Either.right(new Turn.Deadlock<>(cycle.get(), holders));
    }
    return Either.right(new Turn.Waiting<>(position, places, holders, refused));
  }

  /**
   * Not the claimant's turn, or refused, for a try that keeps no place ({@link #tryOnce}): the place it would take
   * (behind its own ticket's place, when it had one), and the holders. Nothing is written for it; a ticket of its own
   * in a line of {@code waitFor} is given up, for every one of the attempt's {@code keys} (a failure to remove it
   * leaves it to its ttl: the answer stands).
   */
  private <G> Either<LockFailure, Turn<G>> placeWithout(List<LockKey> keys, Claimant claimant,
      java.util.Collection<LockKey> waitFor, Option<G> refused, List<Acquisition.Blocked> by) {
    List<LockKey> sorted = sortedDistinct(waitFor);
    Either<LockFailure, List<Turn.Place>> read = places(sorted, claimant, lock.now(), false);
    if (read.isLeft()) {
      return Either.left(read.getLeft());
    }
    List<Turn.Place> places = new ArrayList<>(read.get().size());
    boolean kept = false;
    for (Turn.Place place : read.get()) {
      kept |= place.own().isDefined();
      places.add(new Turn.Place(place.key(), place.position(), place.ahead(), Option.<Ticket>none()));
    }
    if (kept) {
      leave(keys, claimant);
    }
    Either<LockFailure, List<Acquisition.Blocked>> held = holders(sorted, claimant, refused.isEmpty(), by);
    if (held.isLeft()) {
      return Either.left(held.getLeft());
    }
    return Either.right(new Turn.Waiting<>(position(places), places, held.get(), refused));
  }

  /**
   * The claimant's place in the line of each of {@code keys}, read now: behind the live waiters ahead of its ticket,
   * or of every live waiter when it has none. Null when {@code own} (it has just joined or renewed) and one of its
   * tickets is gone.
   */
  private Either<LockFailure, List<Turn.Place>> places(List<LockKey> keys, Claimant claimant, Instant now,
      boolean own) {
    List<Turn.Place> places = new ArrayList<>(keys.size());
    for (LockKey key : keys) {
      Either<LockFailure, List<Seen>> line = read(key, Option.some(claimant), now);
      if (line.isLeft()) {
        return Either.left(line.getLeft());
      }
      Seen mine = mine(line.get());
      if (own && mine == null) {
        return null;
      }
      List<Ticket> ahead = new ArrayList<>();
      for (Seen seen : ahead(line.get())) {
        ahead.add(seen.ticket(key));
      }
      places.add(new Turn.Place(key, ahead.size() + 1, ahead,
          mine == null ? Option.<Ticket>none() : Option.some(mine.ticket(key))));
    }
    return Either.right(places);
  }

  /** The claimant's place in line: the furthest back of its places, 1 being next. */
  private static int position(List<Turn.Place> places) {
    int position = 1;
    for (Turn.Place place : places) {
      position = Math.max(position, place.position());
    }
    return position;
  }

  /**
   * Who holds {@code keys} against {@code claimant}: {@code by} (what refused the grant), and when the grant was
   * not tried ({@code read}), the holder of each key as it stands.
   */
  private Either<LockFailure, List<Acquisition.Blocked>> holders(List<LockKey> keys, Claimant claimant, boolean read,
      List<Acquisition.Blocked> by) {
    List<Acquisition.Blocked> holders = new ArrayList<>(by);
    for (int i = 0; read && i < keys.size(); i++) {
      Either<LockFailure, Option<Acquisition.Blocked>> holder = lock.wouldBlock(keys.get(i), claimant);
      if (holder.isLeft()) {
        return Either.left(holder.getLeft());
      }
      if (holder.get().isDefined()) {
        holders.add(holder.get().get());
      }
    }
    return Either.right(holders);
  }

  /**
   * Joins the lines of {@code keys} with one number: above every marker's (and at least the clock's milliseconds),
   * written to every marker first, then one ticket per key. A conflict anywhere reads the markers again; tickets
   * this try created are deleted first.
   */
  private Either<LockFailure, Boolean> join(List<LockKey> keys, Claimant claimant, Instant now) {
    for (int attempt = 0; attempt < lock.maxAttempts(); attempt++) {
      long number = Math.max(0, now.toEpochMilli());
      List<Option<Slot>> markers = new ArrayList<>(keys.size());
      for (LockKey key : keys) {
        Either<StoreFailure, Option<Slot>> marker = store.read(markerKey(key));
        if (marker.isLeft()) {
          return Either.left(new LockFailure.StoreUnavailable(marker.getLeft()));
        }
        markers.add(marker.get());
        if (marker.get().isDefined() && marker.get().get() instanceof Slot.Held held
            && held.record().generation() < Long.MAX_VALUE) {
          number = Math.max(number, held.record().generation() + 1);
        }
      }
      boolean lost = false;
      for (int i = 0; i < keys.size() && !lost; i++) {
        Option<Slot> marker = markers.get(i);
        Instant since = marker.isDefined() && marker.get() instanceof Slot.Held held ? held.record().heldSince() : now;
        LockRecord next = marker(keys.get(i), number, now, since);
        Either<StoreFailure, WriteOutcome> written =
            marker.isEmpty() ? store.create(markerKey(keys.get(i)), next) : store.replace(marker.get(), next);
        if (written.isLeft()) {
          return Either.left(new LockFailure.StoreUnavailable(written.getLeft()));
        }
        lost = written.get() == WriteOutcome.CONFLICT;
      }
      List<LockKey> created = new ArrayList<>();
      for (int i = 0; i < keys.size() && !lost; i++) {
        LockKey key = keys.get(i);
        LockRecord ticket = claimant.lease(now, ticketTtl, now, number,
            new LockRecord.Details(Option.some(key.name()), Option.none()));
        Either<StoreFailure, WriteOutcome> written = store.create(ticketKey(key, number), ticket);
        if (written.isLeft()) {
          return Either.left(new LockFailure.StoreUnavailable(written.getLeft()));
        }
        lost = written.get() == WriteOutcome.CONFLICT;
        if (!lost) {
          created.add(ticketKey(key, number));
        }
      }
      if (!lost) {
        return Either.right(Boolean.TRUE);
      }
      for (LockKey ticket : created) {
        Either<StoreFailure, Option<Slot>> read = store.read(ticket);
        if (read.isRight() && read.get().isDefined()) {
          store.delete(read.get().get());
        }
      }
    }
    return Either.left(new LockFailure.Contended(keys.get(0), lock.maxAttempts()));
  }

  /**
   * Keeps the marker of a line the claimant waits in: created again if it was removed (a prune), renewed when half
   * its lease is gone, so it outlives every live ticket of its line. A lost write means someone else wrote it.
   */
  private Either<LockFailure, Boolean> keepMarker(LockKey key, long number, Instant now) {
    Either<StoreFailure, Option<Slot>> read = store.read(markerKey(key));
    if (read.isLeft()) {
      return Either.left(new LockFailure.StoreUnavailable(read.getLeft()));
    }
    Either<StoreFailure, WriteOutcome> written;
    if (read.get().isEmpty()) {
      written = store.create(markerKey(key), marker(key, Math.max(number, now.toEpochMilli()), now, now));
    } else if (read.get().get() instanceof Slot.Held held) {
      LockRecord marker = held.record();
      if (marker.remainingAt(now).compareTo(MARKER_TTL.dividedBy(2)) >= 0) {
        return Either.right(Boolean.FALSE);
      }
      written = store.replace(held, marker(key, Math.max(number, marker.generation()), now, marker.heldSince()));
    } else {
      written = store.replace(read.get().get(), marker(key, Math.max(number, now.toEpochMilli()), now, now));
    }
    if (written.isLeft()) {
      return Either.left(new LockFailure.StoreUnavailable(written.getLeft()));
    }
    return Either.right(written.get() == WriteOutcome.WRITTEN);
  }

  private static LockRecord marker(LockKey key, long number, Instant now, Instant since) {
    return new LockRecord(LockRecord.SCHEMA_VERSION, MARKER_SESSION, ProcessRef.unknown(Option.none()), now,
        MARKER_TTL, since, number, new LockRecord.Details(Option.some(key.name()), Option.none()));
  }

  // ---- Reading a line ----

  /** One ticket as read and judged for one claimant. */
  private static final class Seen {
    final Slot slot;
    final long number;
    final Option<LockRecord> record;
    final int kind;

    Seen(Slot slot, long number, Option<LockRecord> record, int kind) {
      this.slot = slot;
      this.number = number;
      this.record = record;
      this.kind = kind;
    }

    Ticket ticket(LockKey key) {
      return new Ticket(key, number, record, kind != GONE);
    }
  }

  /** {@code key}'s line by number, judged for {@code claimant} (none: nobody's own). */
  private Either<LockFailure, List<Seen>> read(LockKey key, Option<Claimant> claimant, Instant now) {
    String prefix = ticketPrefix(key);
    Either<StoreFailure, List<Slot>> slots = store.slots(prefix);
    if (slots.isLeft()) {
      return Either.left(new LockFailure.StoreUnavailable(slots.getLeft()));
    }
    List<Seen> line = new ArrayList<>(slots.get().size());
    for (Slot slot : slots.get()) {
      long number = numberOf(slot.key().name(), prefix);
      if (number >= 0) {
        line.add(judge(slot, number, claimant, now));
      }
    }
    Collections.sort(line, ByNumber.INSTANCE);
    return Either.right(line);
  }

  /** {@link #read}, deleting the tickets that are gone (dead or vanished waiters), each only as it was read. */
  private Either<LockFailure, List<Seen>> readAndSweep(LockKey key, Claimant claimant, Instant now) {
    Either<LockFailure, List<Seen>> line = read(key, Option.some(claimant), now);
    if (line.isLeft()) {
      return line;
    }
    List<Seen> kept = new ArrayList<>(line.get().size());
    for (Seen seen : line.get()) {
      if (seen.kind != GONE) {
        kept.add(seen);
        continue;
      }
      Either<StoreFailure, WriteOutcome> deleted = store.delete(seen.slot);
      if (deleted.isLeft()) {
        return Either.left(new LockFailure.StoreUnavailable(deleted.getLeft()));
      }
    }
    return Either.right(kept);
  }

  /**
   * Whose ticket it is and whether it keeps its place: the claimant's own (its session, or its very agent process
   * under another session id, as for holders), a live waiter's, or gone (its lease ran out, its process is dead).
   */
  private Seen judge(Slot stored, long number, Option<Claimant> claimant, Instant now) {
    Slot slot = RecordBounds.bound(stored, now, lock.maxTtl());
    if (slot instanceof Slot.Unreadable unreadable) {
      boolean live = now.isBefore(SlotState.unreadableFreeAt(unreadable, ticketTtl));
      return new Seen(stored, number, Option.none(), live ? LIVE : GONE);
    }
    LockRecord record = ((Slot.Held) slot).record();
    if (record.isStaleAt(now)) {
      return new Seen(stored, number, Option.some(record), GONE);
    }
    if (claimant.isDefined()) {
      Claimant me = claimant.get();
      SlotState state = SlotState.classify(Option.some(slot), me, now, lock.liveness(), ticketTtl);
      if (state == SlotState.OWN
          || (state == SlotState.OWN_PROCESS && !me.isTask() && !record.details().isTask())) {
        return new Seen(stored, number, Option.some(record), MINE);
      }
      if (state == SlotState.FOREIGN_FRESH) {
        return new Seen(stored, number, Option.some(record), LIVE);
      }
      if (state == SlotState.FOREIGN_DEAD) {
        return new Seen(stored, number, Option.some(record), GONE);
      }
    }
    boolean dead = lock.liveness().of(record.holder()) == Liveness.DEAD;
    return new Seen(stored, number, Option.some(record), dead ? GONE : LIVE);
  }

  /** The claimant's own ticket in {@code line} (the first, should there be several), or null. */
  private static Seen mine(List<Seen> line) {
    for (Seen seen : line) {
      if (seen.kind == MINE) {
        return seen;
      }
    }
    return null;
  }

  /** The live tickets ahead of the claimant's own; all of them when it has none. */
  private static List<Seen> ahead(List<Seen> line) {
    List<Seen> ahead = new ArrayList<>();
    for (Seen seen : line) {
      if (seen.kind == MINE) {
        break;
      }
      if (seen.kind == LIVE) {
        ahead.add(seen);
      }
    }
    return ahead;
  }

  // ---- Deadlock: a cycle of waits through the claimant ----

  /** One live wait, from a ticket: its waiter, its key and number, when the waiter joined. */
  private static final class Waits {
    final LockRecord ticket;
    final LockKey key;
    final long number;

    Waits(LockRecord ticket, LockKey key, long number) {
      this.ticket = ticket;
      this.key = key;
      this.number = number;
    }
  }

  /**
   * A cycle of waits through the claimant, when there is one and the claimant is the youngest of the waiters that
   * both reach it and are reached by it (so every member of that knot picks the same one); empty otherwise. Read
   * from every live ticket in the store and the holders of their keys now.
   */
  private Either<LockFailure, List<Turn.Wait>> cycle(Claimant claimant, List<Acquisition.Blocked> myHolders,
      Instant now) {
    Either<StoreFailure, List<Slot>> slots = store.slots(TICKET_PREFIX);
    if (slots.isLeft()) {
      return Either.left(new LockFailure.StoreUnavailable(slots.getLeft()));
    }
    Map<String, List<Waits>> bySession = new HashMap<>();
    Map<LockKey, List<Waits>> byKey = new HashMap<>();
    for (Slot slot : slots.get()) {
      Waits waits = waitsOf(slot, now);
      if (waits == null) {
        continue;
      }
      String session = waits.ticket.sessionId();
      List<Waits> mine = bySession.get(session);
      if (mine == null) {
        mine = new ArrayList<>();
        bySession.put(session, mine);
      }
      mine.add(waits);
      List<Waits> line = byKey.get(waits.key);
      if (line == null) {
        line = new ArrayList<>();
        byKey.put(waits.key, line);
      }
      line.add(waits);
    }
    String me = claimant.sessionId();
    // Breadth first from the claimant over every waiter it reaches; the first wait back to it closes a cycle.
    Map<String, List<Turn.Wait>> edges = new HashMap<>();
    Map<String, Turn.Wait> reachedBy = new HashMap<>();
    Map<LockKey, Option<String>> holderOf = new HashMap<>();
    List<String> reached = new ArrayList<>();
    reached.add(me);
    List<Turn.Wait> cycle = null;
    for (int next = 0; next < reached.size(); next++) {
      String waiter = reached.get(next);
      Either<LockFailure, List<Turn.Wait>> out = waitsFrom(waiter, claimant, myHolders, bySession, byKey, holderOf);
      if (out.isLeft()) {
        return Either.left(out.getLeft());
      }
      edges.put(waiter, out.get());
      for (Turn.Wait wait : out.get()) {
        if (wait.on().equals(me) && cycle == null) {
          cycle = new ArrayList<>();
          cycle.add(wait);
          for (String at = waiter; !at.equals(me); at = reachedBy.get(at).waiter()) {
            cycle.add(0, reachedBy.get(at));
          }
        }
        if (!wait.on().equals(me) && !reachedBy.containsKey(wait.on())) {
          reachedBy.put(wait.on(), wait);
          reached.add(wait.on());
        }
      }
    }
    if (cycle == null) {
      return Either.right(List.<Turn.Wait>of());
    }
    // Every waiter the claimant reaches and that reaches it back: the members of its knot of waits, whichever of
    // them reads it. The youngest of them is answered.
    List<String> knot = new ArrayList<>();
    knot.add(me);
    for (int changed = 1; changed > 0; ) {
      changed = 0;
      for (String waiter : reached) {
        if (knot.contains(waiter)) {
          continue;
        }
        for (Turn.Wait wait : edges.get(waiter)) {
          if (knot.contains(wait.on())) {
            knot.add(waiter);
            changed++;
            break;
          }
        }
      }
    }
    return Either.right(youngest(knot, bySession).equals(me) ? cycle : List.<Turn.Wait>of());
  }

  /** A live ticket's wait, or null for anything else under the prefix. */
  private Waits waitsOf(Slot stored, Instant now) {
    String name = stored.key().name();
    int dot = name.lastIndexOf('.');
    if (dot < 0 || !(RecordBounds.bound(stored, now, lock.maxTtl()) instanceof Slot.Held held)) {
      return null;
    }
    LockRecord ticket = held.record();
    Option<String> path = ticket.details().path();
    if (path.isEmpty() || !LockKey.isValid(path.get())) {
      return null;
    }
    LockKey key = new LockKey(path.get());
    long number = numberOf(name, ticketPrefix(key));
    if (number < 0 || ticket.isStaleAt(now) || lock.liveness().of(ticket.holder()) == Liveness.DEAD) {
      return null;
    }
    return new Waits(ticket, key, number);
  }

  /**
   * The waits out of {@code waiter}: on the holder of each key it waits for, and on each live waiter ahead of it
   * there. For the claimant, also on every holder its own grant was refused by.
   */
  private Either<LockFailure, List<Turn.Wait>> waitsFrom(String waiter, Claimant claimant,
      List<Acquisition.Blocked> myHolders, Map<String, List<Waits>> bySession, Map<LockKey, List<Waits>> byKey,
      Map<LockKey, Option<String>> holderOf) {
    List<Turn.Wait> out = new ArrayList<>();
    if (waiter.equals(claimant.sessionId())) {
      for (Acquisition.Blocked blocked : myHolders) {
        if (blocked.holder().isDefined() && !blocked.holder().get().sessionId().equals(waiter)) {
          out.add(new Turn.Wait(waiter, blocked.key(), blocked.holder().get().sessionId(), true));
        }
      }
    }
    List<Waits> waits = bySession.get(waiter);
    if (waits == null) {
      return Either.right(out);
    }
    for (Waits wait : waits) {
      Option<String> holder = holderOf.get(wait.key);
      if (holder == null) {
        LockRecord ticket = wait.ticket;
        Claimant asWaiter = new Claimant(ticket.sessionId(), ticket.holder(), true, ticket.details().task(),
            ticket.details().boundSession(), ticket.details().agent());
        Either<LockFailure, Option<Acquisition.Blocked>> blocked = lock.wouldBlock(wait.key, asWaiter);
        if (blocked.isLeft()) {
          return Either.left(blocked.getLeft());
        }
        holder = blocked.get().isDefined() && blocked.get().get().holder().isDefined()
            ? Option.some(blocked.get().get().holder().get().sessionId()) : Option.<String>none();
        holderOf.put(wait.key, holder);
      }
      if (holder.isDefined() && !holder.get().equals(waiter)) {
        out.add(new Turn.Wait(waiter, wait.key, holder.get(), true));
      }
      for (Waits other : byKey.get(wait.key)) {
        if (other.number < wait.number && !other.ticket.sessionId().equals(waiter)) {
          out.add(new Turn.Wait(waiter, wait.key, other.ticket.sessionId(), false));
        }
      }
    }
    return Either.right(out);
  }

  /** Of {@code waiters}, the one whose latest ticket was taken last; ties by the greater session id. */
  private static String youngest(List<String> waiters, Map<String, List<Waits>> bySession) {
    String youngest = null;
    Instant joined = null;
    for (String waiter : waiters) {
      Instant latest = Instant.MIN;
      List<Waits> waits = bySession.get(waiter);
      if (waits != null) {
        for (Waits one : waits) {
          latest = one.ticket.heldSince().isAfter(latest) ? one.ticket.heldSince() : latest;
        }
      }
      if (youngest == null || latest.isAfter(joined) || (latest.equals(joined) && waiter.compareTo(youngest) > 0)) {
        youngest = waiter;
        joined = latest;
      }
    }
    return youngest;
  }

  private static List<LockKey> sortedDistinct(java.util.Collection<LockKey> keys) {
    Objects.requireNonNull(keys, "keys");
    List<LockKey> sorted = new ArrayList<>(keys.size());
    for (LockKey key : keys) {
      if (!sorted.contains(Objects.requireNonNull(key, "key"))) {
        sorted.add(key);
      }
    }
    Collections.sort(sorted);
    return sorted;
  }

  /** Tickets by number, without a lambda. */
  private enum ByNumber implements java.util.Comparator<Seen> {
    INSTANCE;

    @Override
    public int compare(Seen a, Seen b) {
      return Long.compare(a.number, b.number);
    }
  }
}
