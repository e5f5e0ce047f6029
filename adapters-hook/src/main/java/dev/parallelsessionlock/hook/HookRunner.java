package dev.parallelsessionlock.hook;

import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import com.grack.nanojson.JsonWriter;
import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.Decision;
import dev.parallelsessionlock.core.FailOpen;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.Refresh;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.fs.ProcessTableLiveness;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One hook invocation, from the bytes on stdin to the exit code. The hook path loads no lambda, regex or picocli
 * class and no vavr collection (each costs milliseconds of a cold start, BENCHMARKS.md); HookStartupTest checks
 * it with class-load logging.
 *
 * <p>Acquires on a mutating PreToolUse, refreshes on PostToolUse(Failure), releases on Stop/SessionEnd. Fails
 * open: only a fresh lease of another live session denies; every problem allows with one warning line.
 */
final class HookRunner {

  /** Larger input is not a hook event; it is allowed without being parsed. */
  static final int MAX_INPUT_BYTES = JsonSkim.MAX_INPUT_BYTES;

  /** Added to a tool call's declared timeout, for the hooks around it and a slow start. */
  static final Duration TOOL_TIMEOUT_MARGIN = Duration.ofMinutes(1);

  private static final String PREFIX = "session-lock: ";

  private HookRunner() {}

  /** {@link #run(InputStream, Option, HookConfig, Path, Clock, Supplier)} over bytes in memory. */
  static HookResult run(
      byte[] input, Option<String> eventArgument, HookConfig config, Path processCwd, Clock clock,
      Supplier<ProcessRef> agent) {
    return run(new ByteArrayInputStream(input), eventArgument, config, processCwd, clock, agent);
  }

  /**
   * Runs the hook.
   *
   * @param input stdin; read once, up to {@link #MAX_INPUT_BYTES}, keeping only what the hook needs
   * @param eventArgument the event named on the command line (Copilot's camelCase hooks), if any
   * @param processCwd the hook process's working directory, used when the payload has no {@code cwd}
   * @param agent finds the agent process; called only when the lock is needed
   */
  static HookResult run(
      InputStream input, Option<String> eventArgument, HookConfig config, Path processCwd, Clock clock,
      Supplier<ProcessRef> agent) {
    List<String> warnings = new ArrayList<>();
    for (String warning : config.warnings()) {
      warnings.add(PREFIX + warning);
    }
    if (!config.enabled()) {
      return HookResult.allow(warnings);
    }
    JsonSkim.Result skimmed;
    try {
      skimmed = JsonSkim.read(input);
    } catch (IOException e) {
      warnings.add(PREFIX + "cannot read the hook input (" + e.getMessage() + "); allowing");
      return HookResult.allow(warnings);
    }
    if (skimmed.tooLarge()) {
      warnings.add(PREFIX + "hook input is larger than " + MAX_INPUT_BYTES + " bytes; allowing");
      return HookResult.allow(warnings);
    }
    if (skimmed.tooDeep()) {
      warnings.add(PREFIX + "hook input nests deeper than " + JsonSkim.MAX_DEPTH + " levels, no hook event; allowing");
      return HookResult.allow(warnings);
    }
    JsonObject payload;
    try {
      payload = JsonParser.object().from(new String(skimmed.json(), StandardCharsets.UTF_8));
    } catch (JsonParserException | RuntimeException e) {
      warnings.add(PREFIX + "hook input is not a JSON object; allowing");
      return HookResult.allow(warnings);
    }
    HookEvent event = HookEvent.from(payload, eventArgument);
    if (event.kind() == HookEvent.Kind.IGNORED
        || (event.kind() != HookEvent.Kind.END && !event.isMutatingTool())) {
      return HookResult.allow(warnings);
    }
    Path workspace = Workspaces.resolve(config.projectDir(), event.cwd(), processCwd);
    LockKey key = LockKey.workspace(WorkspaceHash.of(workspace.toString()));
    // The guard wait ends before the watchdog's deadline, so a stuck guard gives its own warning.
    Either<StoreFailure, FileLockStore> store = FileLockStore.open(config.lockDir(), false,
        config.deadline().multipliedBy(3).dividedBy(4));
    if (store.isLeft()) {
      warnings.add(PREFIX + "lock store unavailable, allowing: " + store.getLeft().describe());
      return HookResult.allow(warnings);
    }
    ProcessRef agentProcess = agent.get();
    String sessionId = event.sessionId().isDefined() ? event.sessionId().get()
        : agentProcess.isKnown() ? "agent-pid-" + agentProcess.pid() : "unknown-session";
    Claimant claimant = new Claimant(sessionId, agentProcess, config.ownerIsProcess());
    ParallelSessionLock lock = ParallelSessionLock.of(store.get(), ProcessTableLiveness.forThisHost(), clock)
        .withTtl(config.ttl());
    switch (event.kind()) {
      case PRE_TOOL:
        return preTool(lock, key, claimant, workspace, leaseFor(event, config.ttl()), clock, warnings);
      case POST_TOOL:
        return postTool(lock.refresh(key, claimant, config.ttl()), claimant, warnings);
      default:
        addFailure(warnings, "release failed: ", lock.release(key, claimant));
        return HookResult.allow(warnings);
    }
  }

  /** The lease a tool call needs: the usual ttl, or the call's declared timeout and a margin when longer. */
  static Duration leaseFor(HookEvent event, Duration ttl) {
    if (event.toolTimeoutMs().isEmpty()) {
      return ttl;
    }
    Duration needed = Duration.ofMillis(event.toolTimeoutMs().get()).plus(TOOL_TIMEOUT_MARGIN);
    return needed.compareTo(ttl) > 0 ? needed : ttl;
  }

  private static HookResult preTool(ParallelSessionLock lock, LockKey key, Claimant claimant, Path workspace,
      Duration lease, Clock clock, List<String> warnings) {
    Either<LockFailure, Acquisition> result = lock.acquire(key, claimant, lease, Option.some(workspace.toString()));
    Decision decision = FailOpen.decide(result, claimant, clock.instant());
    if (decision instanceof Decision.Allow allow) {
      if (allow.warning().isDefined()) {
        warnings.add(PREFIX + allow.warning().get());
      }
      if (result.isRight() && result.get() instanceof Acquisition.Acquired acquired) {
        Option<String> note = takeoverNote(acquired);
        if (note.isDefined()) {
          warnings.add(note.get());
        }
      }
      return HookResult.allow(warnings);
    }
    Acquisition.Blocked blocked = (Acquisition.Blocked) result.get();
    Option<String> lost = blocked.holder().isDefined() ? lostLease(blocked.holder().get(), claimant) : Option.none();
    String reason = (lost.isDefined() ? lost.get() + " " : "") + ((Decision.Block) decision).reason()
        + ". Workspace " + workspace + "; if that session is gone: session-lock release --force --dir '"
        + workspace + "'";
    warnings.add(reason);
    return new HookResult(HookResult.DENY, denyJson(reason), warnings);
  }

  /**
   * After a tool call: refresh, and when the caller's lease was taken over while the tool ran (it outlived the
   * lease: a long call, a slow permission prompt), say so where the model reads it.
   */
  private static HookResult postTool(Either<LockFailure, Refresh> refreshed, Claimant claimant, List<String> warnings) {
    addFailure(warnings, "refresh failed: ", refreshed);
    if (refreshed.isRight() && refreshed.get() instanceof Refresh.NotHolder notHolder
        && notHolder.current().isDefined() && notHolder.current().get() instanceof Slot.Held held) {
      Option<String> lost = lostLease(held.record(), claimant);
      if (lost.isDefined()) {
        warnings.add(PREFIX + lost.get());
        String json = JsonWriter.string().object()
            .object("hookSpecificOutput")
            .value("hookEventName", "PostToolUse")
            .value("additionalContext", lost.get())
            .end()
            .end()
            .done() + "\n";
        return new HookResult(HookResult.ALLOW, json, warnings);
      }
    }
    return HookResult.allow(warnings);
  }

  /** The notice for a caller whose lease {@code holder} took over, when it did. */
  static Option<String> lostLease(LockRecord holder, Claimant caller) {
    Option<String> from = holder.details().takenOverFrom();
    if (from.isEmpty() || !from.get().equals(caller.sessionId()) || holder.holder().isSameProcessAs(caller.process())) {
      return Option.none();
    }
    String at = holder.heldSince().toString();
    return Option.some("your workspace lease was taken over by session " + holder.sessionId() + " at "
        + (at.length() >= 16 ? at.substring(11, 16) + " UTC" : at)
        + " (it had run out); another session may have edited since.");
  }

  private static Option<String> takeoverNote(Acquisition.Acquired acquired) {
    switch (acquired.how()) {
      case TOOK_OVER_STALE:
      case TOOK_OVER_DEAD_HOLDER:
      case TOOK_OVER_UNREADABLE:
        return Option.some(PREFIX + "took the workspace lock over (" + acquired.how().name().toLowerCase(java.util.Locale.ROOT)
            + ")" + (acquired.previous().isDefined()
                ? " from session " + acquired.previous().get().sessionId() + " (pid " + acquired.previous().get().pid() + ")"
                : ""));
      default:
        return Option.none();
    }
  }

  /**
   * The deny in every form the agents read: Claude Code and Codex read {@code hookSpecificOutput}, Copilot CLI
   * reads the top-level fields; the exit code 2 and the reason on stderr back both up.
   */
  static String denyJson(String reason) {
    return JsonWriter.string().object()
        .object("hookSpecificOutput")
        .value("hookEventName", "PreToolUse")
        .value("permissionDecision", "deny")
        .value("permissionDecisionReason", reason)
        .end()
        .value("permissionDecision", "deny")
        .value("permissionDecisionReason", reason)
        .end()
        .done() + "\n";
  }

  private static void addFailure(List<String> warnings, String what, Either<LockFailure, ?> result) {
    if (result.isLeft()) {
      warnings.add(PREFIX + what + result.getLeft().describe());
    }
  }
}
