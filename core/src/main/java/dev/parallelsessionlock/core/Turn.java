package dev.parallelsessionlock.core;

import io.vavr.control.Option;
import java.util.List;

/**
 * What one {@link FairLine#attempt} came to, as values for the caller's message: granted, waiting in line (with the
 * place, who is ahead and who holds the keys), or a deadlock answered at once.
 *
 * @param <G> the protocol's own outcome ({@link Acquisition}, {@link FileAcquisition}, {@link WorkspaceAcquisition})
 */
public sealed interface Turn<G> {

  /** The claimant holds every key now; it left the line. {@code outcome} is the protocol's. */
  record Granted<G>(G outcome) implements Turn<G> {}

  /**
   * Not granted; the claimant has its place in the line of every key it does not hold, kept until the tickets' lease
   * ends ({@link Place#own}), so a retry within it is served in order.
   *
   * @param position the claimant's place in the line: 1 is next (the holder is all that is ahead), 2 is one waiter
   *     ahead, ...; over several keys, the furthest back
   * @param places one per key the claimant waits for, by key
   * @param holders who holds what the claimant waits for, fresh, with the end of each lease
   * @param refused the protocol's own refusal, when the line let the claimant try (it was first in line)
   */
  record Waiting<G>(int position, List<Place> places, List<Acquisition.Blocked> holders, Option<G> refused)
      implements Turn<G> {
    public Waiting {
      places = List.copyOf(places);
      holders = List.copyOf(holders);
    }

    /** {@code "2nd in line"}, for a person. */
    public String placeInLine() {
      return ordinal(position) + " in line";
    }
  }

  /**
   * The claimant waits, directly or through the waiters ahead of it, for something it holds itself: a cycle of
   * waits that no budget would end. The youngest waiter of the knot (the one whose latest ticket was taken last; see
   * {@link FairLine}) is answered so, at once, and left the line of every key it waited for; the others keep
   * waiting, and get their turn when it releases what it holds.
   *
   * @param cycle the waits of the cycle, starting with the claimant's
   * @param holders who holds what the claimant waits for, as in {@link Waiting#holders}
   */
  record Deadlock<G>(List<Wait> cycle, List<Acquisition.Blocked> holders) implements Turn<G> {
    public Deadlock {
      cycle = List.copyOf(cycle);
      holders = List.copyOf(holders);
    }
  }

  /**
   * The claimant's place in the line of one key.
   *
   * @param position 1 + the live waiters ahead
   * @param ahead the live tickets ahead, first first
   * @param own the claimant's own ticket; its {@link Ticket#keptUntil} is how long the place is kept without a retry.
   *     None after {@link FairLine#tryOnce} by a claimant not in the line: the place is the one it would take
   */
  record Place(LockKey key, int position, List<Ticket> ahead, io.vavr.control.Option<Ticket> own) {
    public Place {
      ahead = List.copyOf(ahead);
    }
  }

  /**
   * One wait of a cycle: {@code waiter} waits for {@code key}, which {@code on} holds ({@code holds}) or is ahead of
   * it in line for.
   */
  record Wait(String waiter, LockKey key, String on, boolean holds) {}

  /** 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st. */
  static String ordinal(int n) {
    int tens = n % 100;
    String suffix = tens >= 11 && tens <= 13 ? "th"
        : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
    return n + suffix;
  }
}
