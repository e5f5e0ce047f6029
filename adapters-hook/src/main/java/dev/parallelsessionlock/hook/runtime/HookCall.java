package dev.parallelsessionlock.hook.runtime;

import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.Decision;
import dev.parallelsessionlock.core.FailOpen;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.ProcessRef;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * What one hook call has read so far: the configuration, the agent it answers, the session it is for, the agent
 * process, and the lines known before any decision (the configuration's warnings). Immutable: learning more
 * (the payload's agent and session, the claimant's session) makes a new one, and every answer is a new
 * {@link HookResult} with those lines and its own, so nothing is shared and changed between the workspace-mode
 * runner, the files-mode hook and the git guard.
 */
final class HookCall {

  private static final String PREFIX = "session-lock: ";

  final HookConfig config;
  final Agent agent;
  /** The session, once the payload or the claimant names it; the notices of a fail-open are per session. */
  final Option<String> session;
  final Supplier<ProcessRef> agentProcess;
  /** Unmodifiable. */
  final List<String> warnings;

  private HookCall(HookConfig config, Agent agent, Option<String> session, Supplier<ProcessRef> agentProcess,
      List<String> warnings) {
    this.config = config;
    this.agent = agent;
    this.session = session;
    this.agentProcess = agentProcess;
    this.warnings = warnings;
  }

  /** A call before its payload is read: the agent the environment or registration names, no session yet. */
  static HookCall start(HookConfig config, Agent agent, Supplier<ProcessRef> agentProcess) {
    List<String> warnings = new ArrayList<>();
    for (String warning : config.warnings()) {
      warnings.add(PREFIX + warning);
    }
    return new HookCall(config, agent, Option.none(), agentProcess, Collections.unmodifiableList(warnings));
  }

  /** The same call once the payload has named its agent and session. */
  HookCall read(Agent agent, Option<String> session) {
    return new HookCall(config, agent, session, agentProcess, warnings);
  }

  /** The same call for the session that claims (the event's, else one made from the agent's pid). */
  HookCall forSession(String session) {
    return new HookCall(config, agent, Option.some(session), agentProcess, warnings);
  }

  /** Allows, with the lines known so far. */
  HookResult allow() {
    return HookResult.allow(warnings);
  }

  /** Allows, with the lines known so far and {@code lines}. */
  HookResult allow(List<String> lines) {
    return HookResult.allow(plus(lines));
  }

  /** Denies in this agent's form, with the reason also on stderr. */
  HookResult deny(String reason) {
    return agent.deny(reason, plus(reason));
  }

  /** Allows after a tool call with a notice for the model ({@link Agent#afterToolNotice}), {@code line} on stderr. */
  HookResult afterToolNotice(String notice, String line) {
    return agent.afterToolNotice(notice, plus(line));
  }

  /** Allows the call that could not be checked, says why on stderr, and tells the user once ({@link Notices}). */
  HookResult failOpen(String cause, String problem) {
    String line = PREFIX + problem + "; allowing";
    if (Notices.firstTime(config.noticeDir(), cause, Notices.sessionKey(session, config, agentProcess))) {
      return agent.allowWithNotice(Notices.text(problem, config.program()), plus(line));
    }
    return HookResult.allow(plus(line));
  }

  /**
   * A lock operation that reached no outcome, decided as every result is ({@link FailOpen#decide}): rivals taking
   * the same lock through every try deny, with "try again" (allowing would let a second writer in); a store that
   * failed allows, with {@code what} and its warning, and tells the user once; the session's own other call still
   * taking the lock allows, with a line on stderr only.
   */
  HookResult failed(String what, LockFailure failure, Claimant claimant, java.time.Instant now) {
    Decision decision = FailOpen.decide(Either.<LockFailure, dev.parallelsessionlock.core.Acquisition>left(failure),
        claimant, now);
    if (decision instanceof Decision.Block block) {
      return deny(block.reason());
    }
    if (failure instanceof LockFailure.Busy) {
      // The session's own other call holds the moment: nothing is broken, so no notice that protection is off.
      return HookResult.allow(plus(PREFIX + what + ": " + failure.describe() + "; allowing"));
    }
    return failOpen("store", what + ": " + failure.describe());
  }

  private List<String> plus(String line) {
    List<String> all = new ArrayList<>(warnings.size() + 1);
    all.addAll(warnings);
    all.add(line);
    return Collections.unmodifiableList(all);
  }

  private List<String> plus(List<String> lines) {
    if (lines.isEmpty()) {
      return warnings;
    }
    List<String> all = new ArrayList<>(warnings.size() + lines.size());
    all.addAll(warnings);
    all.addAll(lines);
    return Collections.unmodifiableList(all);
  }
}
