package dev.parallelsessionlock.hook.runtime;

import com.grack.nanojson.JsonObject;
import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.Decision;
import dev.parallelsessionlock.core.FailOpen;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.Grantor;
import dev.parallelsessionlock.core.FileAcquisition;
import dev.parallelsessionlock.core.FileLocks;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.Refresh;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.Turn;
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
 *   <li>after a shell command with such a git call: release the session's locks on files git now shows committed;</li>
 *   <li>Stop, agentStop, AfterAgent (the end of a turn): keep the locks on files that still differ from {@code HEAD},
 *       release the rest ({@link KeptFiles});</li>
 *   <li>SessionEnd: release every file lock of the session (its task locks stay).</li>
 * </ul>
 *
 * <p>Every other outcome allows; every failure fails open with one line, exactly as the workspace mode.
 */
public final class FilesHook {

  private static final String PREFIX = "session-lock: ";
  /** How long the end of a turn waits for git to say which files differ from HEAD before it releases them all. */
  static final long END_GIT_BUDGET_MS = 3000;

  private FilesHook() {}

  static HookResult run(HookCall call, JsonObject payload, HookEvent event, Path processCwd, Clock clock,
      Claimant claimant, List<GitCommands.Call> shellGitCalls, HookDeadline deadline) {
    HookConfig config = call.config;
    String tool = event.toolName().isDefined() ? event.toolName().get() : "";
    boolean edit = EditTargets.isEditTool(tool);
    boolean shell = Agent.SHELL_TOOLS.contains(tool);
    if (event.kind() != HookEvent.Kind.END && !edit && !(shell && (event.kind() == HookEvent.Kind.PRE_TOOL
        || event.kind() == HookEvent.Kind.POST_TOOL))) {
      return call.allow();
    }
    List<GitCommands.Call> gitCalls = null;
    if (shell) {
      // Read by HookRunner for a PreToolUse; after the command, read here: a commit may have made kept files clean.
      gitCalls = event.kind() == HookEvent.Kind.PRE_TOOL ? shellGitCalls
          : event.command().isDefined() ? GitCommands.calls(event.command().get()) : null;
      if (gitCalls == null || gitCalls.isEmpty()) {
        return call.allow();
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
    // A Stop runs past the deadline to finish its releases (HookDeadline): its git status may take longer too.
    long gitBudgetMs = event.kind() == HookEvent.Kind.END ? Math.max(config.deadline().toMillis() / 2, END_GIT_BUDGET_MS)
        : config.deadline().toMillis() / 2;
    if (event.kind() == HookEvent.Kind.END) {
      // A session that ends its turn or its session waits in no line: it leaves them, then releases.
      ParallelSessionLock lock = store.get().lock(clock, config.ttl());
      Either<LockFailure, Integer> left = HookLine.leaveAll(FairLine.of(lock, store.get().store()), claimant,
          event, call.agent);
      if (left.isLeft()) {
        return call.failOpen("store", "leaving the line failed: " + left.getLeft().describe());
      }
    }
    if (event.kind() == HookEvent.Kind.END && event.endsSession()) {
      Either<LockFailure, List<Release.Released>> released = files.releaseAll(claimant, false);
      return released.isLeft()
          ? call.failOpen("store", "releasing the session's file locks failed: " + released.getLeft().describe())
          : call.allow();
    }
    if (event.kind() == HookEvent.Kind.END) { // the end of a turn: uncommitted work stays locked (KeptFiles)
      Either<LockFailure, KeptFiles.Outcome> ended =
          KeptFiles.atTurnEnd(files, claimant, KeptFiles.DEFAULT_KEEP, gitBudgetMs);
      return ended.isLeft()
          ? call.failOpen("store", "releasing the session's file locks failed: " + ended.getLeft().describe())
          : call.allow();
    }
    if (gitCalls != null && event.kind() == HookEvent.Kind.POST_TOOL) {
      Either<LockFailure, Integer> released = KeptFiles.afterGit(files, claimant, gitBudgetMs);
      return released.isLeft()
          ? call.failOpen("store", "releasing committed files failed: " + released.getLeft().describe())
          : call.allow();
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
    // Through the line (HookLine): a round in which a workspace-mode session wrote its lease at the same moment, and
    // both gave way, or in which another call of this session was still taking a file, is tried again after a short
    // random pause; a held file is waited for, in line.
    long start = System.nanoTime();
    List<LockKey> keys = new ArrayList<>(locked.size());
    for (FileLocks.LockedFile file : locked) {
      keys.add(file.key());
    }
    ParallelSessionLock lock = store.get().lock(clock, config.ttl());
    Either<LockFailure, Turn<FileAcquisition>> turn = HookLine.take(call, store.get(),
        FairLine.of(lock, store.get().store()), keys, claimant, Grantor.files(files, locked, claimant, config.ttl()),
        deadline, WORKSPACE_RACE);
    Instant now = clock.instant();
    Map<LockKey, String> names = pathsByKey(locked);
    if (turn.isRight() && turn.get() instanceof Turn.Deadlock<FileAcquisition> deadlock) {
      return call.deny(PREFIX + LineText.deadlock(deadlock, names));
    }
    String line = "";
    Either<LockFailure, FileAcquisition> acquired;
    if (turn.isLeft()) {
      acquired = Either.left(turn.getLeft());
    } else if (turn.get() instanceof Turn.Waiting<FileAcquisition> waiting) {
      line = HookLine.text(waiting, config, start, now, names);
      if (waiting.refused().isEmpty()) {
        return call.deny(PREFIX + (locked.size() == 1 ? "other sessions wait in line for this file"
            : "other sessions wait in line for some of these files") + " ahead of you; nothing was locked or changed. "
            + line);
      }
      acquired = Either.right(waiting.refused().get());
    } else {
      acquired = Either.right(((Turn.Granted<FileAcquisition>) turn.get()).outcome());
    }
    if (acquired.isLeft()) {
      // The same decision as workspace mode's (FailOpen): a store failure allows with its warning, contention denies.
      return call.failed("file locks unavailable", acquired.getLeft(), claimant, now);
    }
    Acquisition.Blocked lease = workspaceLease(acquired.get());
    if (lease != null) {
      return workspaceHeld(call, lease, now, line);
    }
    if (acquired.get() instanceof FileAcquisition.Acquired got) {
      List<String> takeovers = new ArrayList<>();
      for (Acquisition.Acquired file : got.files()) {
        if (file.how() == Acquisition.How.TOOK_OVER_STALE || file.how() == Acquisition.How.TOOK_OVER_DEAD_HOLDER
            || file.how() == Acquisition.How.TOOK_OVER_UNREADABLE) {
          takeovers.add(PREFIX + "took over the lock on " + pathOf(file.record(), file.key().name()) + " ("
              + takeover(file.how())
              + (file.previous().isDefined() ? ", was " + holder(file.previous().get()) : "") + ")");
        }
      }
      return call.allow(takeovers);
    }
    List<Acquisition.Blocked> held = ((FileAcquisition.Blocked) acquired.get()).held();
    // Each held file is decided as workspace mode decides its lease (FailOpen): a result that names the caller
    // itself as the rival allows, with a warning; only another holder blocks.
    for (Acquisition.Blocked blocked : held) {
      Decision decision = FailOpen.decide(Either.<LockFailure, Acquisition>right(blocked), claimant, now);
      if (decision instanceof Decision.Allow allow) {
        return call.failOpen("internal", allow.warning().getOrElse("a file lock result blocked nothing"));
      }
    }
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
        if (record.sessionId().equals(claimant.sessionId()) && !record.details().isTask()) {
          reason.append("; ").append(FailOpen.SAME_SESSION_ELSEWHERE);
        }
      } else {
        reason.append(paths.get(blocked.key())).append(" - an unreadable lock record, counted as held for ")
            .append(Durations.human(Duration.between(now, blocked.freeAt())));
      }
    }
    if (!line.isEmpty()) {
      reason.append('\n').append(line);
    }
    reason.append("\nWork on other files, or wait until that session has finished its turn. If it is gone: ")
        .append(Hints.command(config.program(), "files", "release", "--force", held.get(0).holder().isDefined()
            ? pathOf(held.get(0).holder().get(), paths.get(held.get(0).key())) : paths.get(held.get(0).key())));
    return call.deny(reason.toString());
  }

  /** A workspace lease of the other mode, written at the same moment, made the files give way: try again. */
  private static final HookLine.Race<FileAcquisition> WORKSPACE_RACE = new HookLine.Race<FileAcquisition>() {
    @Override
    public boolean isRace(FileAcquisition refused) {
      return workspaceLease(refused) != null;
    }
  };

  /** The workspace lease another session holds on a work tree of the files, when that is what blocked them. */
  public static Acquisition.Blocked workspaceLease(FileAcquisition acquisition) {
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
  private static HookResult workspaceHeld(HookCall call, Acquisition.Blocked lease, Instant now, String line) {
    String tree = lease.holder().isDefined() ? pathOf(lease.holder().get(), lease.key().name()) : lease.key().name();
    String reason = PREFIX + "the work tree " + tree + " is held by "
        + (lease.holder().isDefined() ? holder(lease.holder().get()) + " in workspace mode, for "
            + Durations.human(Duration.between(lease.holder().get().heldSince(), now)) : "a session in workspace mode")
        + ", lease ends in " + Durations.human(Duration.between(now, lease.freeAt()))
        + "; nothing was locked or changed." + (line.isEmpty() ? "" : "\n" + line)
        + "\nWait until that session has finished its turn. If it is gone: "
        + call.config.releaseHint(Path.of(tree));
    return call.deny(reason);
  }

  /**
   * A task's own edits are not external: when the session bound to a task (its {@code snapshot --session}) writes
   * one of the task's files with an edit tool, that file's baseline moves to what the tool wrote. One stat when
   * the session has no bound task.
   */
  private static HookResult acceptOwnEdits(HookCall call, HookConfig config, Claimant claimant,
      List<FileLocks.LockedFile> written) {
    dev.parallelsessionlock.plan.Snapshots snapshots = dev.parallelsessionlock.plan.Snapshots.in(config.lockDir(), LockDirectoryStores.FILES);
    try {
      for (FileLocks.LockedFile file : written) {
        snapshots.acceptEdit(claimant.sessionId(), Workspaces.workTreeOf(file.path()).toString(), Path.of(file.path()));
      }
    } catch (java.io.IOException e) {
      return call.failOpen("store", "moving a task's baseline failed (" + e.getMessage() + ")");
    }
    return call.allow();
  }

  /** The path each key stands for, for messages: people never see a {@code file-<hash>} key. */
  public static Map<LockKey, String> pathsByKey(List<FileLocks.LockedFile> files) {
    Map<LockKey, String> paths = new HashMap<>();
    for (FileLocks.LockedFile file : files) {
      paths.put(file.key(), file.path());
    }
    return paths;
  }

  /** {@code  (record clamped: ...)} when {@code RecordBounds} bounded what the record said, else nothing. */
  public static String clampNote(LockRecord record) {
    return record.details().clamped().isDefined() ? " (record clamped: " + record.details().clamped().get() + ")" : "";
  }

  static String pathOf(LockRecord record, String key) {
    return record.details().path().isDefined() ? record.details().path().get() : key;
  }

  /** Why a lock was taken over, in words (never the enum's name). */
  public static String takeover(Acquisition.How how) {
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
  public static String holder(LockRecord record) {
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
