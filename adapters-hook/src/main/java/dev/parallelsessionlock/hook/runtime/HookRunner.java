package dev.parallelsessionlock.hook.runtime;

import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.Decision;
import dev.parallelsessionlock.core.FailOpen;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.Grantor;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStatus;
import dev.parallelsessionlock.core.Refresh;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.Turn;
import dev.parallelsessionlock.core.WorkspaceAcquisition;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.core.WorkspaceLease;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One hook invocation, from the bytes on stdin to the exit code. The hook path loads no lambda, regex or picocli
 * class and no vavr collection (each costs milliseconds of a cold start, BENCHMARKS.md); HookStartupTest checks
 * it with class-load logging.
 *
 * <p>Acquires on a mutating PreToolUse, refreshes on PostToolUse(Failure), releases on Stop/SessionEnd. Fails
 * open: only a fresh lease of another live session denies; every problem allows with one warning line.
 */
public final class HookRunner {

  /** Larger input is not a hook event; it is allowed without being parsed. */
  static final int MAX_INPUT_BYTES = JsonSkim.MAX_INPUT_BYTES;

  /** Added to a tool call's declared timeout, for the hooks around it and a slow start. */
  static final Duration TOOL_TIMEOUT_MARGIN = Duration.ofMinutes(1);

  private static final String PREFIX = "session-lock: ";

  private HookRunner() {}

  /** {@link #run(InputStream, HookArgs, HookConfig, Path, Clock, Supplier)} over bytes in memory. */
  public static HookResult run(
      byte[] input, Option<String> eventArgument, HookConfig config, Path processCwd, Clock clock,
      Supplier<ProcessRef> agent) {
    return run(new ByteArrayInputStream(input), new HookArgs(eventArgument, Option.none()), config, processCwd,
        clock, agent);
  }

  /** The same, for a registration that names no agent. */
  static HookResult run(
      InputStream input, Option<String> eventArgument, HookConfig config, Path processCwd, Clock clock,
      Supplier<ProcessRef> agent) {
    return run(input, new HookArgs(eventArgument, Option.none()), config, processCwd, clock, agent);
  }

  /** The same, under a deadline no watchdog enforces (in-process callers). */
  public static HookResult run(
      InputStream input, HookArgs args, HookConfig config, Path processCwd, Clock clock,
      Supplier<ProcessRef> agentProcess) {
    return run(input, args, config, processCwd, clock, agentProcess, new HookDeadline(config.deadline()));
  }

  /**
   * Runs the hook.
   *
   * @param input stdin; read once, up to {@link #MAX_INPUT_BYTES}, keeping only what the hook needs
   * @param args the event named on the command line (Copilot's camelCase hooks) and the agent registered for
   * @param processCwd the hook process's working directory, used when the payload has no {@code cwd}
   * @param agentProcess finds the agent process; called only when the lock is needed
   * @param deadline the watchdog's; an end-of-turn or end-of-session event tells it that it releases
   */
  public static HookResult run(
      InputStream input, HookArgs args, HookConfig config, Path processCwd, Clock clock,
      Supplier<ProcessRef> agentProcess, HookDeadline deadline) {
    HookCall call = HookCall.start(config, Agent.detect(config.environmentAgent(), Option.none(), args.agent()),
        agentProcess);
    if (!config.enabled()) {
      return call.allow();
    }
    JsonSkim.Result skimmed;
    try {
      skimmed = JsonSkim.read(input);
    } catch (IOException e) {
      return call.failOpen("input", "cannot read the hook input (" + e.getMessage() + ")");
    }
    if (skimmed.tooLarge()) {
      return call.failOpen("input", "hook input is larger than " + MAX_INPUT_BYTES + " bytes");
    }
    if (skimmed.tooDeep()) {
      return call.failOpen("input", "hook input nests deeper than " + JsonSkim.MAX_DEPTH + " levels, no hook event");
    }
    JsonObject payload;
    try {
      payload = JsonParser.object().from(new String(skimmed.json(), StandardCharsets.UTF_8));
    } catch (JsonParserException | RuntimeException e) {
      return call.failOpen("input", "hook input is not a JSON object");
    }
    HookEvent event = HookEvent.from(payload, args.event());
    call = call.read(Agent.detect(config.environmentAgent(), Option.some(payload), args.agent()), event.sessionId());
    if (event.kind() == HookEvent.Kind.IGNORED
        || (event.kind() != HookEvent.Kind.END && !event.isMutatingTool())
        || (event.kind() == HookEvent.Kind.PRE_TOOL && event.isReadOnlyShell())) {
      return call.allow();
    }
    // The git calls of a shell command, read once: the landing check below and the files-mode guard use them.
    List<GitCommands.Call> gitCalls = null;
    if (event.kind() == HookEvent.Kind.PRE_TOOL && event.command().isDefined() && event.toolName().isDefined()
        && Agent.SHELL_TOOLS.contains(event.toolName().get())) {
      gitCalls = GitCommands.calls(event.command().get());
      Option<String> landing = GitGuard.landing(gitCalls,
          event.cwd().isDefined() ? Path.of(event.cwd().get()) : processCwd, config.program());
      if (landing.isDefined()) {
        return call.deny(landing.get());
      }
    }
    if (event.kind() == HookEvent.Kind.END && event.backgroundWorkRunning()) {
      // Background subagents still edit for this session: the lease stays; its ttl and the dead-process
      // rule free it if the session dies, the next Stop without running tasks or SessionEnd releases it.
      return call.allow();
    }
    if (event.kind() == HookEvent.Kind.END && !deadline.releasing()) {
      return call.allow(); // the watchdog answered already
    }
    if (args.filesMode()) {
      Claimant claimant = claimantOf(event, config, agentProcess.get(), call.agent)
          .withDoing(HookLine.doing(event, payload));
      return FilesHook.run(call.forSession(claimant.sessionId()), payload, event, processCwd, clock, claimant,
          gitCalls, deadline);
    }
    Path workspace = Workspaces.resolve(config.projectDir(), event.cwd(), processCwd);
    WorkspaceHash hash = WorkspaceHash.of(workspace.toString());
    LockKey key = LockKey.workspace(hash);
    // The guard wait ends before the watchdog's deadline, so a stuck guard gives its own warning.
    Either<StoreFailure, OpenStore> store = OpenStore.open(config, config.deadline().multipliedBy(3).dividedBy(4));
    if (store.isLeft()) {
      return call.failOpen("store", "lock store unavailable: " + store.getLeft().describe());
    }
    Claimant claimant = claimantOf(event, config, agentProcess.get(), call.agent)
        .withDoing(HookLine.doing(event, payload));
    call = call.forSession(claimant.sessionId());
    ParallelSessionLock lock = store.get().lock(clock, config.ttl());
    switch (event.kind()) {
      case PRE_TOOL:
        return preTool(call, store.get(), lock, store.get().workspaceLease(clock, config.ttl()), claimant, workspace,
            hash, leaseFor(event, config.ttl()), clock, deadline);
      case POST_TOOL:
        return postTool(call, lock.refresh(key, claimant, config.ttl()), claimant);
      default:
        Either<LockFailure, Release> released = lock.release(key, claimant);
        if (released.isLeft()) {
          return call.failOpen("store", "release failed: " + released.getLeft().describe());
        }
        Either<LockFailure, Integer> left = HookLine.leaveAll(FairLine.of(lock, store.get().store()), claimant,
          event, call.agent);
        return left.isLeft() ? call.failOpen("store", "leaving the line failed: " + left.getLeft().describe())
            : call.allow();
    }
  }

  /** The session asking: its id from the event (else one made from the agent's pid) in the agent process. */
  static Claimant claimantOf(HookEvent event, HookConfig config, ProcessRef process, Agent agent) {
    String sessionId = event.sessionId().isDefined() ? event.sessionId().get()
        : process.isKnown() ? "agent-pid-" + process.pid() : "unknown-session";
    return new Claimant(sessionId, process, config.ownerIsProcess()).withAgent(Option.some(agent.id));
  }

  /** The lease a tool call needs: the usual ttl, or the call's declared timeout and a margin when longer. */
  static Duration leaseFor(HookEvent event, Duration ttl) {
    if (event.toolTimeoutMs().isEmpty()) {
      return ttl;
    }
    Duration needed = Duration.ofMillis(event.toolTimeoutMs().get()).plus(TOOL_TIMEOUT_MARGIN);
    return needed.compareTo(ttl) > 0 ? needed : ttl;
  }

  /**
   * A mutating tool call in workspace mode: take or renew the workspace lease. Denied while another session holds
   * it, or while other sessions or tasks hold files in the work tree (files mode: one namespace). A round in which
   * a files-mode session wrote at the same moment, and both gave way, is tried again after a short random pause
   * within half the deadline.
   */
  private static HookResult preTool(HookCall call, OpenStore store, ParallelSessionLock lock, WorkspaceLease lease,
      Claimant claimant, Path workspace, WorkspaceHash hash, Duration leaseTtl, Clock clock, HookDeadline deadline) {
    long start = System.nanoTime();
    LockKey key = LockKey.workspace(hash);
    List<LockKey> keys = new ArrayList<>(1);
    keys.add(key);
    Either<LockFailure, Turn<WorkspaceAcquisition>> turn = HookLine.take(call, store, FairLine.of(lock, store.store()),
        keys, claimant, Grantor.workspace(lease, hash, claimant, leaseTtl, Option.some(workspace.toString())),
        deadline, FILES_RACE);
    if (turn.isLeft()) {
      return call.failed("session lock unavailable", turn.getLeft(), claimant, clock.instant());
    }
    Map<LockKey, String> names = new HashMap<>();
    names.put(key, workspace.toString());
    if (turn.get() instanceof Turn.Deadlock<WorkspaceAcquisition> deadlock) {
      return call.deny(PREFIX + LineText.deadlock(deadlock, names));
    }
    if (turn.get() instanceof Turn.Waiting<WorkspaceAcquisition> waiting) {
      String line = HookLine.text(waiting, call.config, start, clock.instant(), names);
      if (waiting.refused().isEmpty()) {
        // Others wait ahead; while someone holds the workspace, the denial names that holder first, as always.
        for (Acquisition.Blocked holder : waiting.holders()) {
          if (holder.key().equals(key)) {
            return denied(call, new WorkspaceAcquisition.Blocked(holder), claimant, workspace, clock, line);
          }
        }
        return call.deny("parallel session lock: other sessions wait in line for this workspace ahead of you. "
            + line + "\nWorkspace " + workspace + "; if those sessions are gone: " + call.config.releaseHint(workspace));
      }
      return denied(call, waiting.refused().get(), claimant, workspace, clock, line);
    }
    return denied(call, ((Turn.Granted<WorkspaceAcquisition>) turn.get()).outcome(), claimant, workspace, clock, "");
  }

  /** A file lock of the other mode, written at the same moment, made the workspace lease give way: try again. */
  private static final HookLine.Race<WorkspaceAcquisition> FILES_RACE = new HookLine.Race<WorkspaceAcquisition>() {
    @Override
    public boolean isRace(WorkspaceAcquisition refused) {
      return refused instanceof WorkspaceAcquisition.FilesHeld;
    }
  };

  /** The answer to the workspace lease's outcome; {@code line}: what the line says, for a denial. */
  private static HookResult denied(HookCall call, WorkspaceAcquisition outcome, Claimant claimant, Path workspace,
      Clock clock, String line) {
    if (outcome instanceof WorkspaceAcquisition.FilesHeld held) {
      return filesHeld(call, held.files(), workspace, clock.instant(), line);
    }
    Either<LockFailure, WorkspaceAcquisition> taken = Either.right(outcome);
    Either<LockFailure, Acquisition> result = taken.get() instanceof WorkspaceAcquisition.Acquired acquired
        ? Either.<LockFailure, Acquisition>right(acquired.lease())
        : Either.<LockFailure, Acquisition>right(((WorkspaceAcquisition.Blocked) taken.get()).lease());
    Decision decision = FailOpen.decide(result, claimant, clock.instant());
    if (decision instanceof Decision.Allow allow) {
      if (allow.warning().isDefined()) {
        return call.failOpen("internal", allow.warning().get());
      }
      if (result.get() instanceof Acquisition.Acquired acquired) {
        Option<String> note = takeoverNote(acquired);
        if (note.isDefined()) {
          return call.allow(List.of(note.get()));
        }
      }
      return call.allow();
    }
    Acquisition.Blocked blocked = (Acquisition.Blocked) result.get();
    Option<String> lost = blocked.holder().isDefined() ? lostLease(blocked.holder().get(), claimant) : Option.none();
    String reason = (lost.isDefined() ? lost.get() + " " : "") + ((Decision.Block) decision).reason()
        + (line.isEmpty() ? ". " : ". " + line + "\n") + "Workspace " + workspace
        + "; if that session is gone: " + call.config.releaseHint(workspace);
    return call.deny(reason);
  }

  /** How many held files a denial names before it says "and N more". */
  private static final int NAMED = 5;

  /** The denial of a workspace lease while other holders have files in the work tree, naming them. */
  private static HookResult filesHeld(HookCall call, List<LockStatus.Held> files, Path workspace, Instant now,
      String line) {
    StringBuilder reason = new StringBuilder("parallel session lock: files in this work tree are locked in files mode"
        + " by another session - wait until it has finished its turn:");
    StringBuilder paths = new StringBuilder();
    int named = 0;
    for (LockStatus.Held file : files) {
      if (named++ == NAMED) {
        reason.append("\n  and ").append(files.size() - NAMED).append(" more");
        break;
      }
      String path = FilesHook.pathOf(file.record(), file.key().name());
      reason.append("\n  ").append(path).append(" - ").append(FilesHook.holder(file.record())).append(", for ")
          .append(Durations.human(file.age())).append(", lease ends in ").append(Durations.human(file.remaining()));
      paths.append(' ').append(ShellCommands.quote(path));
    }
    if (!line.isEmpty()) {
      reason.append('\n').append(line);
    }
    reason.append("\nWorkspace ").append(workspace).append("; if that session is gone: ")
        .append(Hints.command(call.config.program(), "files", "release", "--force")).append(paths);
    return call.deny(reason.toString());
  }

  /**
   * After a tool call: refresh, and when the caller's lease was taken over while the tool ran (it outlived the
   * lease: a long call, a slow permission prompt), say so where the model reads it.
   */
  private static HookResult postTool(HookCall call, Either<LockFailure, Refresh> refreshed, Claimant claimant) {
    if (refreshed.isLeft()) {
      return call.failOpen("store", "refresh failed: " + refreshed.getLeft().describe());
    }
    if (refreshed.get() instanceof Refresh.NotHolder notHolder
        && notHolder.current().isDefined() && notHolder.current().get() instanceof Slot.Held held) {
      Option<String> lost = lostLease(held.record(), claimant);
      if (lost.isDefined()) {
        return call.afterToolNotice(lost.get(), PREFIX + lost.get());
      }
    }
    return call.allow();
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
        return Option.some(PREFIX + "took the workspace lock over" + (acquired.previous().isDefined()
                ? " from session " + acquired.previous().get().sessionId() + " (pid " + acquired.previous().get().pid() + ")"
                : "") + ": " + FilesHook.takeover(acquired.how()));
      default:
        return Option.none();
    }
  }
}
