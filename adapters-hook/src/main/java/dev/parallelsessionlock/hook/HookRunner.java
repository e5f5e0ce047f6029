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
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.fs.ProcessTableLiveness;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One hook invocation, from the bytes on stdin to the exit code. Like everything on the hook path it avoids
 * lambdas, regexes and vavr collections: each costs milliseconds of a cold start (BENCHMARKS.md).
 *
 * <p>Acquires on a mutating PreToolUse, refreshes on PostToolUse(Failure), releases on Stop/SessionEnd. Fails
 * open: only a fresh lease of another live session denies; every problem allows with one warning line.
 */
final class HookRunner {

  /** Larger input is not a hook event; it is allowed without being parsed. */
  static final int MAX_INPUT_BYTES = 1024 * 1024;

  private static final String PREFIX = "session-lock: ";

  private HookRunner() {}

  /**
   * Runs the hook.
   *
   * @param input stdin, at most {@link #MAX_INPUT_BYTES} + 1 bytes of it
   * @param eventArgument the event named on the command line (Copilot's camelCase hooks), if any
   * @param processCwd the hook process's working directory, used when the payload has no {@code cwd}
   * @param agent finds the agent process; called only when the lock is needed
   */
  static HookResult run(
      byte[] input, Option<String> eventArgument, HookConfig config, Path processCwd, Clock clock,
      Supplier<ProcessRef> agent) {
    List<String> warnings = new ArrayList<>();
    for (String warning : config.warnings()) {
      warnings.add(PREFIX + warning);
    }
    if (!config.enabled()) {
      return HookResult.allow(warnings);
    }
    if (input.length > MAX_INPUT_BYTES) {
      warnings.add(PREFIX + "hook input is larger than " + MAX_INPUT_BYTES + " bytes; allowing");
      return HookResult.allow(warnings);
    }
    JsonObject payload;
    try {
      payload = JsonParser.object().from(new String(input, StandardCharsets.UTF_8));
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
    Either<StoreFailure, FileLockStore> store = FileLockStore.open(config.lockDir());
    if (store.isLeft()) {
      warnings.add(PREFIX + "lock store unavailable, allowing: " + store.getLeft().describe());
      return HookResult.allow(warnings);
    }
    ProcessRef agentProcess = agent.get();
    // Without a host, ProcessRef.isSameProcessAs never matches, so only the session id makes the owner; the
    // start time stays, so liveness still tells a reused pid from the holder.
    ProcessRef owner = config.ownerIsProcess()
        ? agentProcess
        : new ProcessRef(agentProcess.pid(), Option.none(), agentProcess.startedAt());
    String sessionId = event.sessionId().isDefined() ? event.sessionId().get() : "agent-pid-" + agentProcess.pid();
    Claimant claimant = new Claimant(sessionId, owner);
    ParallelSessionLock lock = ParallelSessionLock.of(store.get(), ProcessTableLiveness.forThisHost(), clock)
        .withTtl(config.ttl());
    switch (event.kind()) {
      case PRE_TOOL:
        return preTool(lock, key, claimant, workspace, clock, warnings);
      case POST_TOOL:
        addFailure(warnings, "refresh failed: ", lock.refresh(key, claimant));
        return HookResult.allow(warnings);
      default:
        addFailure(warnings, "release failed: ", lock.release(key, claimant));
        return HookResult.allow(warnings);
    }
  }

  private static HookResult preTool(ParallelSessionLock lock, LockKey key, Claimant claimant, Path workspace,
      Clock clock, List<String> warnings) {
    Either<LockFailure, Acquisition> result = lock.acquire(key, claimant);
    Decision decision = FailOpen.decide(result, claimant.sessionId(), clock.instant());
    if (decision instanceof Decision.Allow) {
      Option<String> warning = ((Decision.Allow) decision).warning();
      if (warning.isDefined()) {
        warnings.add(PREFIX + warning.get());
      }
      if (result.isRight() && result.get() instanceof Acquisition.Acquired) {
        Option<String> note = takeoverNote((Acquisition.Acquired) result.get());
        if (note.isDefined()) {
          warnings.add(note.get());
        }
      }
      return HookResult.allow(warnings);
    }
    String reason = ((Decision.Block) decision).reason() + ". Workspace " + workspace
        + "; if that session is gone: session-lock release --force --dir '" + workspace + "'";
    warnings.add(reason);
    return new HookResult(HookResult.DENY, denyJson(reason), warnings);
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
