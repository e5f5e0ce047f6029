package dev.parallelsessionlock.hook.runtime;

import com.grack.nanojson.JsonObject;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.Grantor;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.Turn;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.util.List;

/**
 * The hook's side of the fair line: a tool call that meets a held key waits in line ({@link LineWait}) for up to
 * {@code SESSION_LOCK_WAIT_MS}, inside the hook's deadline ({@link HookDeadline#waiting}) and inside the timeout install
 * registers for the events before a tool. Used by workspace mode ({@link HookRunner}) and files mode ({@link
 * FilesHook}) alike.
 */
final class HookLine {

  /**
   * The longest a hook may run before a tool, wait and decision together, with room for the JVM's start: install
   * registers 30 s for those events (Copilot CLI's own default is 30 s too), and a hook the agent kills lets the tool
   * run.
   */
  static final Duration PRE_TOOL_LIMIT = Duration.ofSeconds(27);

  /** The longest {@code doing} note kept in a lease. */
  static final int DOING_CHARS = 160;

  /** Whether a refusal is a round nobody won (the other granularity wrote at the same moment): tried again. */
  interface Race<G> {
    boolean isRace(G refused);
  }

  private HookLine() {}

  /** The wait's budget: {@code SESSION_LOCK_WAIT_MS}, cut so that the wait and the decision end inside the limit. */
  static long budgetNanos(HookConfig config) {
    long room = PRE_TOOL_LIMIT.minus(config.deadline()).toNanos();
    return Math.max(0, Math.min(config.lineWait().toNanos(), room));
  }

  /**
   * Takes {@code keys} through the line: one try (a round nobody won is tried again after a short random pause, as
   * before the line), then, when it waits in line and the budget allows, the wait. With no budget, a call that waits
   * leaves the line again: {@code SESSION_LOCK_WAIT_MS=0} is the hook without waiting.
   */
  static <G> Either<LockFailure, Turn<G>> take(HookCall call, OpenStore store, FairLine line, List<LockKey> keys,
      Claimant claimant, Grantor<G> grantor, HookDeadline deadline, Race<G> race) {
    BackOff backOff = BackOff.within(call.config.deadline().dividedBy(2));
    long budget = budgetNanos(call.config);
    Either<LockFailure, Turn<G>> turn;
    do {
      // Without waiting, a try that writes no ticket: a crowd of rivals then writes nothing but the grant.
      turn = budget == 0 ? line.tryOnce(keys, claimant, grantor) : line.attempt(keys, claimant, grantor);
    } while (isRace(turn, race) && backOff.again());
    if (turn.isRight() && turn.get() instanceof Turn.Waiting && budget > 0 && deadline.waiting(budget)) {
      LineWait.Changes changes = LineWait.changesOf(store);
      try {
        turn = LineWait.await(line, keys, claimant, grantor, budget, changes);
      } finally {
        changes.close();
      }
    }
    return turn; // without waiting, tryOnce gave up a place kept from a wait before
  }

  private static <G> boolean isRace(Either<LockFailure, Turn<G>> turn, Race<G> race) {
    if (turn.isLeft()) {
      return turn.getLeft().tryAgain();
    }
    if (turn.get() instanceof Turn.Waiting<G> waiting && waiting.refused().isDefined()) {
      return race.isRace(waiting.refused().get());
    }
    return false;
  }

  /**
   * What the line says in a denial: nothing when waiting is off and the grant itself was refused (the denial is then
   * the one from before the line), else the wait, the place and who is ahead ({@link LineText#waiting}).
   */
  static String text(Turn.Waiting<?> waiting, HookConfig config, long startNanos, java.time.Instant now,
      java.util.Map<?, String> names) {
    if (waiting.refused().isDefined() && budgetNanos(config) == 0) {
      return "";
    }
    return LineText.waiting(waiting, waited(startNanos, config), now, names);
  }

  /** How long the call waited, for its answer: zero when waiting is off. */
  static Duration waited(long startNanos, HookConfig config) {
    if (budgetNanos(config) == 0) {
      return Duration.ZERO;
    }
    return Duration.ofMillis(Math.max(1, (System.nanoTime() - startNanos) / 1_000_000));
  }

  /**
   * What a tool call does, for the lease its session holds ({@code LockRecord.Details#doing}): the tool and its
   * first file (a shell command: the tool alone).
   */
  static Option<String> doing(HookEvent event, JsonObject payload) {
    if (event.toolName().isEmpty()) {
      return Option.none();
    }
    String tool = event.toolName().get();
    String what = "";
    EditTargets targets = EditTargets.of(payload, tool);
    if (!targets.paths().isEmpty()) {
      what = targets.paths().get(0) + (targets.paths().size() > 1 ? " and " + (targets.paths().size() - 1) + " more" : "");
    }
    // A shell command is named by its tool alone: its text may hold secrets, and the lease is read by other sessions.
    String text = what.isEmpty() ? tool : tool + " " + what;
    text = text.replace('\n', ' ').replace('\r', ' ');
    return Option.some(text.length() > DOING_CHARS ? text.substring(0, DOING_CHARS - 3) + "..." : text);
  }

  /**
   * The end of a turn or session: the session leaves every line it waits in ({@link FairLine#leaveAll}), so it
   * holds nobody up while its model is not asking. Except at the end of a Claude Code turn: its waker ({@link
   * Rewake}, registered beside this release) keeps the session's place and wakes it when its turn comes, so the
   * tickets stay for it (they run out a ticket ttl after the waker stops renewing them).
   */
  static Either<LockFailure, Integer> leaveAll(FairLine line, Claimant claimant, HookEvent event, Agent agent) {
    if (keepsPlaceAtEnd(event, agent)) {
      return Either.right(0);
    }
    return line.leaveAll(claimant);
  }

  /** Whether the end {@code event} keeps the session's place in line: a Claude Code turn's end, for its waker. */
  static boolean keepsPlaceAtEnd(HookEvent event, Agent agent) {
    return agent == Agent.CLAUDE && !event.endsSession();
  }
}
