package dev.parallelsessionlock.hook.runtime;

import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.Liveness;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessLiveness;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.Ticket;
import dev.parallelsessionlock.core.WriteOutcome;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Waking a session that waits in line ({@code session-lock hook --wake}): Claude Code runs it at the end of every
 * turn in the background ({@code "asyncRewake": true} on {@code Stop}) and wakes the model when it exits 2, its
 * stderr the message. When the session has no ticket ({@link FairLine}: it waits in no line), it exits 0 at once:
 * the common case, one read of the tickets. Otherwise it keeps the session's tickets alive (its place is kept while
 * it waits), watches the keys they wait for, and exits 2 with one line when every one of them is free for it (no
 * live waiter ahead, no other holder): the session's next tool call is then served in order. It ends quietly (exit 0)
 * when the tickets are gone (granted, given up, or pruned), the session's agent process died, or {@link #BOUND}
 * passed. One waker per session: a second one, started by the next turn's end, finds the first one's OS lock and
 * exits 0 (the first one reads the session's tickets afresh on every round, new ones included).
 *
 * <p>The not-waiting path is the hook's: no lambdas, regexes, vavr collections or record {@code equals}/{@code
 * hashCode}/{@code toString} (HookStartupIT).
 */
public final class Rewake {

  /** How long a waker watches at most: inside {@link #TIMEOUT_SECONDS}, the timeout install registers. */
  public static final Duration BOUND = Duration.ofMinutes(9);

  /** The registration's timeout (Claude Code kills a hook after it). */
  public static final int TIMEOUT_SECONDS = 600;

  /** How often a waiting waker reads the line and the holders. */
  static final Duration POLL = Duration.ofMillis(200);

  /** Renews a ticket when less than this part of its lease is left (so about every third of the ticket ttl). */
  private static final int RENEW_BELOW_THIRDS = 2;

  /** Waits between rounds; false when the wait was cut short and the waker should stop. */
  public interface Pause {
    boolean pause(Duration length);
  }

  /** Sleeps for real. */
  public static final Pause SLEEP = new Pause() {
    @Override
    public boolean pause(Duration length) {
      try {
        Thread.sleep(length.toMillis());
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  };

  /** What a waker came to: its exit code and, when it wakes the session, the one line for the model. */
  public static final class Outcome {
    public final int exitCode;
    public final String line;

    Outcome(int exitCode, String line) {
      this.exitCode = exitCode;
      this.line = line;
    }

    static Outcome quiet() {
      return new Outcome(0, "");
    }
  }

  private Rewake() {}

  /**
   * Whether a waker may watch under the client whose variables are {@code env}: Claude Code's, or one that names no
   * client. Copilot CLI and Gemini CLI also run the handlers of Claude Code's settings file but run none in the
   * background: there a waker would hold up the end of every turn for minutes, so it ends at once.
   */
  public static boolean wakesUnder(java.util.Map<String, String> env) {
    Option<Agent> agent = Agent.fromEnvironment(env);
    return agent.isEmpty() || agent.get() == Agent.CLAUDE;
  }

  /**
   * One waker, from the hook event on {@code input} (the end of a turn: only its {@code session_id} is read).
   * Every problem (no session, unreadable input, a store that does not open) ends it quietly: a waker never blocks
   * and never warns; the deny already told the model when to retry.
   */
  public static Outcome run(InputStream input, HookConfig config, Clock clock, Duration bound, Pause pause) {
    if (!config.enabled()) {
      return Outcome.quiet();
    }
    Option<String> session;
    try {
      JsonSkim.Result skimmed = JsonSkim.read(input);
      if (skimmed.tooLarge() || skimmed.tooDeep()) {
        return Outcome.quiet();
      }
      JsonObject payload = JsonParser.object().from(new String(skimmed.json(), StandardCharsets.UTF_8));
      session = HookEvent.from(payload, Option.none()).sessionId();
    } catch (IOException | JsonParserException | RuntimeException e) {
      return Outcome.quiet();
    }
    if (session.isEmpty() || config.store().isEmpty() && !Files.isDirectory(config.lockDir())) {
      return Outcome.quiet();
    }
    Either<StoreFailure, OpenStore> store = OpenStore.open(config, config.deadline());
    if (store.isLeft()) {
      return Outcome.quiet();
    }
    Either<StoreFailure, List<Slot.Held>> tickets = tickets(store.get().store(), session.get(), clock.instant());
    if (tickets.isLeft() || tickets.get().isEmpty()) {
      return Outcome.quiet(); // waiting in no line: the common case
    }
    Path lockFile = config.noticeDir().resolveSibling("wakers").resolve("s" + dev.parallelsessionlock.core.WorkspaceHash.of(session.get()).hex() + ".lock");
    try {
      Files.createDirectories(lockFile.getParent());
      try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        FileLock held = channel.tryLock();
        if (held == null) {
          return Outcome.quiet(); // another waker watches this session
        }
        ParallelSessionLock lock = store.get().lock(clock, config.ttl());
        return watch(store.get().store(), lock, FairLine.of(lock, store.get().store()), LivenessHolder.LIVENESS,
            clock, session.get(), config.ownerIsProcess(), bound, pause);
      }
    } catch (IOException | RuntimeException e) {
      return Outcome.quiet();
    }
  }

  /**
   * Watches the lines {@code session} waits in until every key it waits for is free for it (exit 2, one line),
   * or its tickets are gone, its process died, or {@code bound} passed (exit 0). Renews its tickets meanwhile.
   */
  public static Outcome watch(LockStore store, ParallelSessionLock lock, FairLine line, ProcessLiveness liveness,
      Clock clock, String session, boolean ownerIsProcess, Duration bound, Pause pause) {
    Instant end = clock.instant().plus(bound);
    List<String> lastHolders = new ArrayList<>();
    while (true) {
      Instant now = clock.instant();
      Either<StoreFailure, List<Slot.Held>> read = tickets(store, session, now);
      if (read.isLeft() || read.get().isEmpty()) {
        return Outcome.quiet();
      }
      List<Slot.Held> mine = read.get();
      LockRecord first = mine.get(0).record();
      if (liveness.of(first.holder()) == Liveness.DEAD) {
        return Outcome.quiet(); // the session ended with its agent
      }
      Claimant claimant = new Claimant(session, first.holder(), ownerIsProcess);
      boolean free = true;
      List<String> what = new ArrayList<>();
      List<String> holders = new ArrayList<>();
      for (Slot.Held ticket : mine) {
        Option<String> keyName = ticket.record().details().path();
        Option<LockKey> parsed = keyName.isDefined() ? LockKey.parse(keyName.get()) : Option.<LockKey>none();
        if (parsed.isEmpty() || parsed.get().name().startsWith(LockKey.CLAIM_PREFIX)) {
          continue; // a work item's claim is kept in the items store, whose holder this store does not show
        }
        LockKey key = parsed.get();
        Either<StoreFailure, Boolean> served = holdsFresh(store, key, session, now);
        if (served.isLeft()) {
          return Outcome.quiet();
        }
        if (served.get()) {
          // Granted already, by a call that did not leave the line: the ticket is done, and no wake is due for it.
          store.delete(ticket);
          continue;
        }
        long number = FairLine.numberOf(ticket.key(), key);
        Either<LockFailure, Boolean> clear = clearAhead(line, key, session, number < 0 ? Long.MAX_VALUE : number);
        if (clear.isLeft()) {
          return Outcome.quiet();
        }
        Either<LockFailure, Option<Acquisition.Blocked>> blocked = lock.wouldBlock(key, claimant);
        if (blocked.isLeft()) {
          return Outcome.quiet();
        }
        if (blocked.get().isDefined() && blocked.get().get().holder().isDefined()) {
          LockRecord holder = blocked.get().get().holder().get();
          holders.add(describe(key, holder, blocked.get().get().freeAt()));
        }
        free &= clear.get() && blocked.get().isEmpty();
        what.add(key.name());
      }
      if (what.isEmpty()) {
        return Outcome.quiet(); // every ticket was served or is no ticket of a key
      }
      if (free) {
        return new Outcome(2, wakeLine(what, lastHolders));
      }
      if (!holders.isEmpty()) {
        lastHolders = holders;
      }
      renew(store, mine, now);
      if (!now.isBefore(end) || !pause.pause(POLL)) {
        return Outcome.quiet();
      }
    }
  }

  /** The session's own tickets, fresh, as read now; the ones whose lease ran out are not its place any more. */
  static Either<StoreFailure, List<Slot.Held>> tickets(LockStore store, String session, Instant now) {
    Either<StoreFailure, List<Slot>> slots = store.slots(FairLine.TICKET_PREFIX);
    if (slots.isLeft()) {
      return Either.left(slots.getLeft());
    }
    List<Slot.Held> mine = new ArrayList<>();
    for (Slot slot : slots.get()) {
      if (slot instanceof Slot.Held held && held.record().sessionId().equals(session)
          && !held.record().isStaleAt(now)) {
        mine.add(held);
      }
    }
    return Either.right(mine);
  }

  /** Whether {@code session} holds {@code key} itself, on a lease that still runs. */
  private static Either<StoreFailure, Boolean> holdsFresh(LockStore store, LockKey key, String session, Instant now) {
    Either<StoreFailure, Option<Slot>> read = store.read(key);
    if (read.isLeft()) {
      return Either.left(read.getLeft());
    }
    return Either.right(read.get().isDefined() && read.get().get() instanceof Slot.Held held
        && held.record().sessionId().equals(session) && !held.record().isStaleAt(now));
  }

  /** Whether no live waiter of another session is ahead of ticket {@code number} in {@code key}'s line. */
  private static Either<LockFailure, Boolean> clearAhead(FairLine line, LockKey key, String session, long number) {
    Either<LockFailure, List<Ticket>> tickets = line.line(key);
    if (tickets.isLeft()) {
      return Either.left(tickets.getLeft());
    }
    for (Ticket ticket : tickets.get()) {
      if (ticket.number() < number && ticket.live()
          && (ticket.record().isEmpty() || !ticket.record().get().sessionId().equals(session))) {
        return Either.right(Boolean.FALSE);
      }
    }
    return Either.right(Boolean.TRUE);
  }

  /** Renews each ticket whose lease is down to a third of its length; a lost write is read again next round. */
  private static void renew(LockStore store, List<Slot.Held> tickets, Instant now) {
    for (Slot.Held ticket : tickets) {
      LockRecord record = ticket.record();
      if (record.remainingAt(now).compareTo(record.ttl().multipliedBy(RENEW_BELOW_THIRDS).dividedBy(3)) >= 0) {
        continue;
      }
      store.replace(ticket, new LockRecord(record.schemaVersion(), record.sessionId(), record.holder(), now,
          record.ttl(), record.heldSince(), record.generation(), record.details()));
    }
  }

  /** "src/App.java (held by session s1 (codex, pid 4711) until 12:03 UTC)", for the wake line. */
  private static String describe(LockKey key, LockRecord holder, Instant freeAt) {
    String what = key.isWorkspace() ? "the workspace" + (holder.details().path().isDefined()
        ? " " + holder.details().path().get() : "")
        : holder.details().path().isDefined() ? holder.details().path().get() : key.name();
    String at = freeAt.toString();
    return what + " (held by " + FilesHook.holder(holder) + (at.length() >= 16 ? " until " + at.substring(11, 16)
        + " UTC" : "") + ")";
  }

  /** The one line the model reads when it is woken. */
  static String wakeLine(List<String> keys, List<String> lastHolders) {
    StringBuilder line = new StringBuilder("session-lock: ");
    if (lastHolders.isEmpty()) {
      line.append(keys.size() == 1 ? "what you waited for is" : "what you waited for (" + keys.size() + " locks) is");
    } else {
      for (int i = 0; i < lastHolders.size(); i++) {
        line.append(i == 0 ? "" : i == lastHolders.size() - 1 ? " and " : ", ").append(lastHolders.get(i));
      }
      line.append(lastHolders.size() == 1 ? " is" : " are");
    }
    return line.append(" free now and it is your turn; retry your edit.").toString();
  }

  /** The process table, loaded only once a waker watches. */
  private static final class LivenessHolder {
    static final ProcessLiveness LIVENESS = dev.parallelsessionlock.process.ProcessTableLiveness.forThisHost();
  }
}
