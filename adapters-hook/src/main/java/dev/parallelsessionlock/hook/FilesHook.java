package dev.parallelsessionlock.hook;

import com.grack.nanojson.JsonObject;
import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FileAcquisition;
import dev.parallelsessionlock.core.FileLocks;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.Refresh;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.fs.FileHolderIndex;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The hook in files mode ({@code session-lock hook --mode files}): sessions work in one checkout at once and
 * never on the same file.
 *
 * <ul>
 *   <li>before an edit tool ({@link EditTargets}): lock every file it writes for the session, all or none; a
 *       file held by another live session or plan task denies, naming each held file and its holder;</li>
 *   <li>before a shell command with a git call that rewrites the work tree, or stages, commits, removes, moves or
 *       overwrites another holder's files ({@link GitCommands}, {@link GitGuard}): denied, naming them;</li>
 *   <li>after an edit tool: renew the session's locks on what it wrote;</li>
 *   <li>Stop, agentStop, AfterAgent, SessionEnd: release every file lock of the session (its task locks stay).</li>
 * </ul>
 *
 * <p>Every other outcome allows; every failure fails open with one line, exactly as the workspace mode.
 */
final class FilesHook {

  private static final String PREFIX = "session-lock: ";

  private FilesHook() {}

  static HookResult run(HookRunner.Invocation call, JsonObject payload, HookEvent event, HookConfig config,
      Path processCwd, Clock clock, Claimant claimant, List<GitCommands.Call> shellGitCalls) {
    String tool = event.toolName().isDefined() ? event.toolName().get() : "";
    boolean edit = EditTargets.isEditTool(tool);
    boolean shell = Agent.SHELL_TOOLS.contains(tool);
    if (event.kind() != HookEvent.Kind.END && !edit && !(shell && event.kind() == HookEvent.Kind.PRE_TOOL)) {
      return call.done();
    }
    List<GitCommands.Call> gitCalls = null;
    if (shell) {
      gitCalls = shellGitCalls; // read by HookRunner for this PreToolUse
      if (gitCalls == null || gitCalls.isEmpty()) {
        return call.done();
      }
    }
    EditTargets targets = edit ? EditTargets.of(payload, tool) : EditTargets.NONE;
    if (edit && targets.unreadable()) {
      return call.failOpen("input", "cannot tell which files " + tool + " writes (a patch too large to read, or no "
          + "path argument), so no file was locked");
    }
    Either<StoreFailure, OpenStore> store = OpenStore.open(config, config.deadline().multipliedBy(3).dividedBy(4));
    if (store.isLeft()) {
      return call.failOpen("store", "lock store unavailable: " + store.getLeft().describe());
    }
    FileLocks files = store.get().fileLocks(clock, config.ttl());
    Path cwd = event.cwd().isDefined() ? Path.of(event.cwd().get()) : processCwd;
    if (event.kind() == HookEvent.Kind.END) {
      Either<LockFailure, List<Release.Released>> released = files.releaseAll(claimant, false);
      return released.isLeft()
          ? call.failOpen("store", "releasing the session's file locks failed: " + released.getLeft().describe())
          : call.done();
    }
    if (gitCalls != null) {
      return GitGuard.check(call, files, claimant, gitCalls, cwd, clock.instant());
    }
    List<FileLocks.LockedFile> locked = new ArrayList<>();
    for (String raw : targets.paths()) {
      locked.add(Workspaces.lockedFile(cwd.resolve(raw)));
    }
    if (locked.size() > 1 && event.kind() == HookEvent.Kind.PRE_TOOL) {
      files = store.get().fileLocksWrittenHere(clock, config.ttl()); // this hook writes the intent of several files
    }
    if (event.kind() == HookEvent.Kind.POST_TOOL) {
      Either<LockFailure, List<Refresh>> refreshed = files.refresh(locked, claimant);
      if (refreshed.isLeft()) {
        return call.failOpen("store", "renewing file locks failed: " + refreshed.getLeft().describe());
      }
      return acceptOwnEdits(call, config, claimant, locked);
    }
    // A round in which a workspace-mode session wrote its lease at the same moment, and both gave way, or in which
    // another call of this session was still taking a file, is tried again after a short random pause.
    BackOff backOff = BackOff.within(config.deadline().dividedBy(2));
    Either<LockFailure, FileAcquisition> acquired;
    do {
      acquired = files.acquire(locked, claimant, config.ttl());
    } while (((acquired.isLeft() && acquired.getLeft() instanceof LockFailure.Contended)
        || (acquired.isRight() && workspaceLease(acquired.get()) != null)) && backOff.again());
    if (acquired.isLeft()) {
      return call.failOpen("store", "file locks unavailable: " + acquired.getLeft().describe());
    }
    Instant now = clock.instant();
    Acquisition.Blocked lease = workspaceLease(acquired.get());
    if (lease != null) {
      return workspaceHeld(call, lease, now);
    }
    if (acquired.get() instanceof FileAcquisition.Acquired got) {
      for (Acquisition.Acquired file : got.files()) {
        if (file.how() == Acquisition.How.TOOK_OVER_STALE || file.how() == Acquisition.How.TOOK_OVER_DEAD_HOLDER
            || file.how() == Acquisition.How.TOOK_OVER_UNREADABLE) {
          call.warnings.add(PREFIX + "took over the lock on " + pathOf(file.record(), file.key().name()) + " ("
              + takeover(file.how())
              + (file.previous().isDefined() ? ", was " + holder(file.previous().get()) : "") + ")");
        }
      }
      return call.done();
    }
    List<Acquisition.Blocked> held = ((FileAcquisition.Blocked) acquired.get()).held();
    Map<LockKey, String> paths = pathsByKey(locked);
    StringBuilder reason = new StringBuilder(PREFIX);
    reason.append(held.size() == 1 ? "this file is" : held.size() + " of these files are")
        .append(" being edited by another session; nothing was locked or changed:");
    for (Acquisition.Blocked blocked : held) {
      reason.append("\n  ");
      if (blocked.holder().isDefined()) {
        LockRecord record = blocked.holder().get();
        reason.append(pathOf(record, blocked.key().name())).append(" - ").append(holder(record))
            .append(", for ").append(Durations.human(Duration.between(record.heldSince(), now)))
            .append(", lease ends in ").append(Durations.human(Duration.between(now, blocked.freeAt())))
            .append(clampNote(record));
      } else {
        reason.append(paths.get(blocked.key())).append(" - an unreadable lock record, counted as held for ")
            .append(Durations.human(Duration.between(now, blocked.freeAt())));
      }
    }
    reason.append("\nWork on other files, or wait until that session has finished its turn. If it is gone: ")
        .append(Hints.command(config.program(), "files", "release", "--force", held.get(0).holder().isDefined()
            ? pathOf(held.get(0).holder().get(), paths.get(held.get(0).key())) : paths.get(held.get(0).key())));
    call.warnings.add(reason.toString());
    return call.agent.deny(reason.toString(), call.warnings);
  }

  /** The workspace lease another session holds on a work tree of the files, when that is what blocked them. */
  static Acquisition.Blocked workspaceLease(FileAcquisition acquisition) {
    if (acquisition instanceof FileAcquisition.Blocked blocked) {
      for (Acquisition.Blocked held : blocked.held()) {
        if (held.key().isWorkspace()) {
          return held;
        }
      }
    }
    return null;
  }

  /** The denial of an edit while another session holds the whole work tree in workspace mode. */
  private static HookResult workspaceHeld(HookRunner.Invocation call, Acquisition.Blocked lease, Instant now) {
    String tree = lease.holder().isDefined() ? pathOf(lease.holder().get(), lease.key().name()) : lease.key().name();
    String reason = PREFIX + "the work tree " + tree + " is held by "
        + (lease.holder().isDefined() ? holder(lease.holder().get()) + " in workspace mode, for "
            + Durations.human(Duration.between(lease.holder().get().heldSince(), now)) : "a session in workspace mode")
        + ", lease ends in " + Durations.human(Duration.between(now, lease.freeAt()))
        + "; nothing was locked or changed.\nWait until that session has finished its turn. If it is gone: "
        + call.config.releaseHint(Path.of(tree));
    call.warnings.add(reason);
    return call.agent.deny(reason, call.warnings);
  }

  /**
   * A task's own edits are not external: when the session bound to a task (its {@code snapshot --session}) writes
   * one of the task's files with an edit tool, that file's baseline moves to what the tool wrote. One stat when
   * the session has no bound task.
   */
  private static HookResult acceptOwnEdits(HookRunner.Invocation call, HookConfig config, Claimant claimant,
      List<FileLocks.LockedFile> written) {
    dev.parallelsessionlock.plan.Snapshots snapshots = dev.parallelsessionlock.plan.Snapshots.in(config.lockDir());
    try {
      for (FileLocks.LockedFile file : written) {
        snapshots.acceptEdit(claimant.sessionId(), Workspaces.workTreeOf(file.path()).toString(), Path.of(file.path()));
      }
    } catch (java.io.IOException e) {
      return call.failOpen("store", "moving a task's baseline failed (" + e.getMessage() + ")");
    }
    return call.done();
  }

  /** The path each key stands for, for messages: people never see a {@code file-<hash>} key. */
  static Map<LockKey, String> pathsByKey(List<FileLocks.LockedFile> files) {
    Map<LockKey, String> paths = new HashMap<>();
    for (FileLocks.LockedFile file : files) {
      paths.put(file.key(), file.path());
    }
    return paths;
  }

  /** {@code  (record clamped: ...)} when {@code RecordBounds} bounded what the record said, else nothing. */
  static String clampNote(LockRecord record) {
    return record.details().clamped().isDefined() ? " (record clamped: " + record.details().clamped().get() + ")" : "";
  }

  static String pathOf(LockRecord record, String key) {
    return record.details().path().isDefined() ? record.details().path().get() : key;
  }

  /** Why a lock was taken over, in words (never the enum's name). */
  static String takeover(Acquisition.How how) {
    switch (how) {
      case TOOK_OVER_DEAD_HOLDER:
        return "its holder is gone";
      case TOOK_OVER_UNREADABLE:
        return "its record was unreadable; its bytes are kept aside";
      default:
        return "its lease had run out";
    }
  }

  /** {@code session S (claude, pid 12)} or {@code plan task T (pid 12, from session S)}. */
  static String holder(LockRecord record) {
    StringBuilder text = new StringBuilder();
    if (record.details().isTask()) {
      text.append("plan task ").append(record.details().task().get()).append(" (");
      text.append(record.holder().isKnown() ? "pid " + record.pid() : "no process known");
      if (record.details().boundSession().isDefined()) {
        text.append(", from session ").append(record.details().boundSession().get());
      }
    } else {
      text.append("session ").append(record.sessionId()).append(" (");
      if (record.details().agent().isDefined()) {
        text.append(record.details().agent().get()).append(", ");
      }
      text.append(record.holder().isKnown() ? "pid " + record.pid() : "no process known");
    }
    return text.append(')').toString();
  }
}
