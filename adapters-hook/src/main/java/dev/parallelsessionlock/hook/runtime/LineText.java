package dev.parallelsessionlock.hook.runtime;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.Ticket;
import dev.parallelsessionlock.core.Turn;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a denied waiter is told, in words for the model and for people: who holds what it waits for (session, agent,
 * pid), what that holder is doing (its last tool and file), when its lease ends, the waiter's place in line and how
 * long that place is kept. On the hook path: plain string building.
 */
public final class LineText {

  private LineText() {}

  /**
   * {@link #waiting} for a command a person runs with {@code --wait} of {@code budgetNanos} (0: none): a command is
   * run again, not a call tried again; nothing when it did not wait and the grant itself was refused (its denial
   * names the holder).
   */
  public static String forCommand(Turn.Waiting<?> turn, long budgetNanos, Instant now, Map<?, String> names) {
    if (turn.refused().isDefined() && budgetNanos == 0) {
      return "";
    }
    return waiting(turn, Duration.ofNanos(budgetNanos), now, names)
        .replace("try the same call again", "run the same command again");
  }

  /**
   * The end of a wait that was not granted: {@code waited} long, {@code turn} as it stands. {@code names} gives the
   * path each key stands for (people never see a {@code file-<hash>} key); keys not in it are named as they are.
   */
  public static String waiting(Turn.Waiting<?> turn, Duration waited, Instant now, Map<?, String> names) {
    StringBuilder text = new StringBuilder();
    text.append(waited.isZero() ? "Did not wait in line (waiting is off)" : "Waited " + (waited.toMillis() < 1000 ? waited.toMillis() + "ms" : Durations.human(waited))
        + " in line").append("; ");
    text.append(turn.position() == 1 ? "next in line (1st): only the holder is ahead"
        : turn.placeInLine() + ": " + (turn.position() - 1) + (turn.position() == 2 ? " session is" : " sessions are")
            + " ahead");
    for (Acquisition.Blocked holder : turn.holders()) {
      text.append("\n  ").append(name(names, holder.key().name())).append(" - ").append(holder(holder, now));
    }
    for (Turn.Place place : turn.places()) {
      for (Ticket ahead : place.ahead()) {
        text.append("\n  waiting ahead for ").append(name(names, place.key().name())).append(": ")
            .append(ahead.record().isDefined() ? FilesHook.holder(ahead.record().get()) : "an unreadable ticket");
      }
    }
    Option<Instant> kept = Option.none();
    for (Turn.Place place : turn.places()) {
      Option<Instant> until = place.own().isDefined() ? place.own().get().keptUntil() : Option.<Instant>none();
      if (until.isDefined() && (kept.isEmpty() || until.get().isBefore(kept.get()))) {
        kept = until;
      }
    }
    if (waited.isZero()) {
      text.append("\nNo place in line is kept; try again later.");
    } else if (kept.isDefined()) {
      text.append("\nYour place is kept until ").append(clock(kept.get()))
          .append(": try the same call again before then and you are served in order.");
    }
    return text.toString();
  }

  /** A deadlock answered at once: the cycle, and what to do. */
  public static String deadlock(Turn.Deadlock<?> turn, Map<?, String> names) {
    StringBuilder text = new StringBuilder("waiting here would deadlock, so this call is answered at once:");
    for (Turn.Wait wait : turn.cycle()) {
      text.append("\n  session ").append(wait.waiter()).append(" waits for ").append(name(names, wait.key().name()))
          .append(wait.holds() ? ", held by session " : ", in line behind session ").append(wait.on());
    }
    text.append("\nYou left the line. Finish your turn (that releases what you hold), or work on something else.");
    return text.toString();
  }

  /** {@code session S (claude, pid 12), doing Edit src/A.java, for 3m0s, lease ends in 2m0s}. */
  static String holder(Acquisition.Blocked blocked, Instant now) {
    if (blocked.holder().isEmpty()) {
      return "an unreadable lock record, counted as held for " + Durations.human(Duration.between(now, blocked.freeAt()));
    }
    LockRecord record = blocked.holder().get();
    StringBuilder text = new StringBuilder(FilesHook.holder(record));
    if (record.details().doing().isDefined()) {
      text.append(", doing ").append(record.details().doing().get());
    }
    text.append(", for ").append(Durations.human(Duration.between(record.heldSince(), now)))
        .append(", lease ends in ").append(Durations.human(Duration.between(now, blocked.freeAt())));
    return text.toString();
  }

  private static String name(Map<?, String> names, String key) {
    for (Map.Entry<?, String> entry : names.entrySet()) {
      if (entryName(entry.getKey()).equals(key)) {
        return entry.getValue();
      }
    }
    return key;
  }

  private static String entryName(Object key) {
    return key instanceof dev.parallelsessionlock.core.LockKey lockKey ? lockKey.name() : key instanceof String s ? s : "";
  }

  /** {@code 13:05:12 UTC}. */
  static String clock(Instant at) {
    // By hand: Instant.toString's formatter spins lambdas on the hook path (HookStartupIT).
    long second = Math.floorMod(at.getEpochSecond(), 86_400L);
    return two(second / 3600) + ":" + two(second / 60 % 60) + ":" + two(second % 60) + " UTC";
  }

  private static String two(long n) {
    return n < 10 ? "0" + n : Long.toString(n);
  }
}
