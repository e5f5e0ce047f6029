package dev.parallelsessionlock.hook.commands;

import dev.parallelsessionlock.hook.ExitCodes;
import dev.parallelsessionlock.hook.runtime.Agent;
import dev.parallelsessionlock.hook.runtime.BackOff;
import dev.parallelsessionlock.hook.runtime.Durations;
import dev.parallelsessionlock.hook.runtime.FilesHook;
import dev.parallelsessionlock.hook.runtime.LineText;
import dev.parallelsessionlock.hook.runtime.LineWait;
import dev.parallelsessionlock.hook.runtime.HookConfig;
import dev.parallelsessionlock.hook.runtime.OpenStore;
import dev.parallelsessionlock.hook.runtime.Workspaces;
import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonWriter;
import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FileAcquisition;
import dev.parallelsessionlock.core.Turn;
import dev.parallelsessionlock.core.Grantor;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.FileLocks;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStatus;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.fs.FileHolderIndex;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import io.vavr.control.Either;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code session-lock files ...}: file locks for sessions and plan tasks, from the command line. The seed's
 * {@code file-lock.sh acquire FILE TASK} is {@code files acquire --task TASK FILE}, {@code acquire-session FILE
 * SESSION [AGENT] [TIMEOUT]} is {@code files acquire --session SESSION --agent AGENT --ttl TIMEOUT FILE},
 * {@code release-session SESSION} is {@code files release --session SESSION}, {@code list --session-id SESSION} is
 * {@code files list --session SESSION}.
 */
@Command(name = "files", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
    description = "File locks for sessions and plan tasks, one namespace: a file is held by one holder at a time.",
    footer = CommandText.EXIT_CODES)
final class FilesCommands {

  private final CommandContext context;

  FilesCommands(CommandContext context) {
    this.context = context;
  }

  /** Who acts: a session, or a task (with the session it is taken from); either may be absent. */
  record Holder(String session, String task) {}

  /** The claimant the options name, or the exit code of a usage error. */
  Either<Integer, Claimant> claimant(Holder holder) {
    String session = holder.session() != null ? holder.session() : context.sessionFromEnvironment();
    if (holder.task() != null) {
      if (holder.task().isBlank()) {
        return Either.left(context.usage("--task needs a task id"));
      }
      return Either.right(Claimant.task(holder.task(), context.agentProcess.get(), io.vavr.control.Option.of(session)));
    }
    if (session == null || session.isBlank()) {
      return Either.left(context.usage("say whose locks: --session S or --task T (no $CLAUDE_CODE_SESSION_ID)"));
    }
    return Either.right(context.sessionClaimant(session));
  }

  private Either<Integer, FileLocks> open(Duration ttl) {
    Either<Integer, OpenStore> store = context.openStore();
    if (store.isLeft()) {
      return Either.left(store.getLeft());
    }
    return Either.right(store.get().fileLocksWrittenHere(context.clock, ttl));
  }

  private List<FileLocks.LockedFile> locked(List<String> files) {
    List<FileLocks.LockedFile> locked = new ArrayList<>();
    for (String file : files) {
      locked.add(Workspaces.lockedFile(context.cwd.resolve(file)));
    }
    return locked;
  }

  @Command(name = "acquire", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "Lock FILEs for a session or a task: all of them, or none (exit 4, naming each held file).")
  int acquire(
      @Option(names = "--session", paramLabel = "S", description = "the agent session (default: $CLAUDE_CODE_SESSION_ID)")
          String session,
      @Option(names = "--task", paramLabel = "T", description = "a plan task; --session then names the session it is for")
          String task,
      @Option(names = "--agent", paramLabel = "NAME", description = "the agent's name, kept for people") String agent,
      @Option(names = "--ttl", paramLabel = "SEC", description = "lease in seconds (default: $SESSION_LOCK_TTL_MS or 300)")
          Long ttlSeconds,
      @Option(names = "--wait", paramLabel = "SEC", description = "wait in line until free, at most SEC seconds; served in order of arrival")
          Long waitSeconds,
      @Parameters(paramLabel = "FILE", arity = "1..*") List<String> files) {
    Either<Integer, Claimant> claimant = claimant(new Holder(session, task));
    if (claimant.isLeft()) {
      return claimant.getLeft();
    }
    io.vavr.control.Option<Agent> known = agent == null ? io.vavr.control.Option.none() : Agent.parse(agent);
    if (agent != null && known.isEmpty()) {
      return context.usage("--agent takes claude, copilot, codex or gemini, not " + agent);
    }
    if (ttlSeconds != null && (ttlSeconds < 1 || ttlSeconds * 1000 > HookConfig.MAX_TTL_MS)) {
      return context.usage("--ttl takes 1 to 86400 seconds");
    }
    if (waitSeconds != null && (waitSeconds < 0 || waitSeconds > 86400)) {
      return context.usage("--wait takes 0 to 86400 seconds");
    }
    Duration ttl = ttlSeconds != null ? Duration.ofSeconds(ttlSeconds) : context.config().ttl();
    Either<Integer, OpenStore> store = context.openStore();
    if (store.isLeft()) {
      return store.getLeft();
    }
    FileLocks locks = store.get().fileLocksWrittenHere(context.clock, ttl);
    Claimant who = claimant.get().withAgent(known.map(a -> a.id));
    List<FileLocks.LockedFile> locked = locked(files);
    Map<LockKey, String> paths = FilesHook.pathsByKey(locked);
    // Through the fair line, the hook's own (LineWait): --wait waits in line for a change of the lock directory,
    // served in order of arrival; without it, one try, and no place is kept.
    List<LockKey> keys = new ArrayList<>(locked.size());
    for (FileLocks.LockedFile file : locked) {
      keys.add(file.key());
    }
    FairLine line = FairLine.of(store.get().lock(context.clock, ttl), store.get().store());
    Grantor<FileAcquisition> grantor = Grantor.files(locks, locked, who, ttl);
    long budget = waitSeconds == null ? 0 : java.util.concurrent.TimeUnit.SECONDS.toNanos(waitSeconds);
    BackOff backOff = BackOff.within(FileLockStore.DEFAULT_GUARD_TIMEOUT);
    Either<LockFailure, Turn<FileAcquisition>> turn;
    do {
      // A round lost to a workspace lease written at the same moment (both gave way), or to another call of the
      // same holder still taking a file: try again shortly, whatever --wait says.
      turn = budget == 0 ? line.tryOnce(keys, who, grantor) : line.attempt(keys, who, grantor);
    } while (((turn.isLeft() && turn.getLeft().tryAgain()) || (turn.isRight()
        && turn.get() instanceof Turn.Waiting<FileAcquisition> waiting && waiting.refused().isDefined()
        && FilesHook.workspaceLease(waiting.refused().get()) != null)) && backOff.again());
    if (turn.isRight() && turn.get() instanceof Turn.Waiting && budget > 0) {
      LineWait.Changes changes = LineWait.changesOf(store.get());
      try {
        turn = LineWait.await(line, keys, who, grantor, budget, changes);
      } finally {
        changes.close();
      }
    }
    if (turn.isLeft()) {
      return context.failed(turn.getLeft());
    }
    Instant now = context.clock.instant();
    if (turn.get() instanceof Turn.Granted<FileAcquisition> granted) {
      for (Acquisition.Acquired file : ((FileAcquisition.Acquired) granted.outcome()).files()) {
        context.out.println(acquiredLine(file));
      }
      return ExitCodes.OK;
    }
    if (turn.get() instanceof Turn.Deadlock<FileAcquisition> deadlock) {
      context.err.println(LineText.deadlock(deadlock, paths));
      return ExitCodes.HELD;
    }
    Turn.Waiting<FileAcquisition> waiting = (Turn.Waiting<FileAcquisition>) turn.get(); // no wait: no place kept
    for (Acquisition.Blocked blocked : waiting.holders()) {
      context.err.println(heldLine(blocked, paths.get(blocked.key()), now));
    }
    String inLine = LineText.forCommand(waiting, budget, now, paths);
    if (!inLine.isEmpty()) {
      context.err.println(inLine);
    }
    return ExitCodes.HELD;
  }

  /** Locks by path, as people look for them. */
  private static String sortKey(LockStatus status) {
    return status instanceof LockStatus.Held held ? CommandText.pathOf(held) : status.key().name();
  }

  /**
   * {@code locked PATH until TIME}, {@code renewed ...}, or {@code took over PATH from HOLDER (why) ...}: what
   * happened to one file, in words.
   */
  static String acquiredLine(Acquisition.Acquired file) {
    String path = file.record().details().path().getOrElse(file.key().name());
    String until = "  until " + file.record().expiresAt();
    switch (file.how()) {
      case NEW:
        return "locked  " + path + until;
      case RENEWED:
        return "renewed  " + path + until;
      default:
        return "took over  " + path + until + " (" + (file.previous().isDefined()
            ? "from " + FilesHook.holder(file.previous().get()) + ": " : "") + FilesHook.takeover(file.how()) + ")";
    }
  }

  /** {@code held: PATH by HOLDER, for AGE, TIME left}; {@code path} is the file asked for. */
  static String heldLine(Acquisition.Blocked blocked, String path, Instant now) {
    if (blocked.holder().isEmpty()) {
      return "held: " + path + " by an unreadable lock record, "
          + Durations.human(Duration.between(now, blocked.freeAt())) + " left";
    }
    LockRecord record = blocked.holder().get();
    return "held: " + record.details().path().getOrElse(path)
        + (blocked.key().isWorkspace() ? " (the whole work tree, workspace mode)" : "") + " by " + FilesHook.holder(record)
        + ", for " + Durations.human(Duration.between(record.heldSince(), now)) + ", "
        + Durations.human(Duration.between(now, blocked.freeAt())) + " left" + FilesHook.clampNote(record);
  }

  @Command(name = "release", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "Release a holder's locks on FILEs, or all of its file locks; --force FILE... frees files "
          + "whoever holds them (for people).")
  int release(
      @Option(names = "--session", paramLabel = "S", description = "the agent session (default: $CLAUDE_CODE_SESSION_ID)")
          String session,
      @Option(names = "--task", paramLabel = "T", description = "a plan task") String task,
      @Option(names = "--force", description = "remove the locks on FILEs whoever holds them") boolean force,
      @Parameters(paramLabel = "FILE", arity = "0..*") List<String> files) {
    List<String> named = files == null ? List.of() : files;
    if (force) {
      if (session != null || task != null || named.isEmpty()) {
        return context.usage("release --force takes FILEs and no holder");
      }
      Either<Integer, FileLocks> locks = open(context.config().ttl());
      if (locks.isLeft()) {
        return locks.getLeft();
      }
      for (FileLocks.LockedFile file : locked(named)) {
        Either<LockFailure, io.vavr.control.Option<Slot>> removed = locks.get().forceRelease(file);
        if (removed.isLeft()) {
          return context.failed(removed.getLeft());
        }
        if (removed.get().isEmpty()) {
          context.out.println("not locked  " + file.path());
        } else if (removed.get().get() instanceof Slot.Held held) {
          context.out.println("removed  " + file.path() + "  held by " + FilesHook.holder(held.record()));
        } else {
          context.out.println("removed  " + file.path() + "  an unreadable record (kept aside as *.corrupt-*)");
        }
      }
      return ExitCodes.OK;
    }
    Either<Integer, Claimant> claimant = claimant(new Holder(session, task));
    if (claimant.isLeft()) {
      return claimant.getLeft();
    }
    Either<Integer, FileLocks> locks = open(context.config().ttl());
    if (locks.isLeft()) {
      return locks.getLeft();
    }
    List<LockRecord> released = new ArrayList<>();
    int heldByOthers = 0;
    if (named.isEmpty()) {
      Either<LockFailure, List<Release.Released>> all = locks.get().releaseAll(claimant.get(), true);
      if (all.isLeft()) {
        return context.failed(all.getLeft());
      }
      all.get().forEach(r -> released.add(r.record()));
    } else {
      List<FileLocks.LockedFile> locked = locked(named);
      Map<LockKey, String> paths = FilesHook.pathsByKey(locked);
      Either<LockFailure, List<Release>> some = locks.get().release(locked, claimant.get());
      if (some.isLeft()) {
        return context.failed(some.getLeft());
      }
      for (Release release : some.get()) {
        if (release instanceof Release.Released done) {
          released.add(done.record());
          continue;
        }
        Release.NotHolder not = (Release.NotHolder) release;
        String path = paths.get(not.key());
        if (not.current().isEmpty()) {
          context.out.println("not locked  " + path); // nothing to release: done, as for release --force
        } else if (not.current().get() instanceof Slot.Held h) {
          heldByOthers++;
          context.err.println("not yours: " + h.record().details().path().getOrElse(path) + " is held by "
              + FilesHook.holder(h.record()));
        } else {
          heldByOthers++;
          context.err.println("not yours: " + path + " has an unreadable lock record"
              + heldFor(locks.get().lock().status(not.key())) + " (files release --force removes it)");
        }
      }
    }
    for (LockRecord record : released) {
      context.out.println("released  " + record.details().path().getOrElse("?"));
    }
    if (released.isEmpty() && named.isEmpty()) {
      context.out.println("nothing to release");
    }
    return heldByOthers > 0 ? ExitCodes.HELD : ExitCodes.OK;
  }

  /** {@code , counted as held for 4m0s} for unreadable bytes, as the protocol counts them now. */
  private String heldFor(Either<LockFailure, LockStatus> status) {
    return status.isRight() && status.get() instanceof LockStatus.Unreadable unreadable
        ? ", counted as held for " + Durations.human(Duration.between(context.clock.instant(), unreadable.freeAt()))
        : "";
  }

  @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "File locks, of every holder or of one; alive or not, acquired, last heartbeat, expiry.")
  int list(
      @Option(names = "--session", paramLabel = "S", description = "only this session's locks") String session,
      @Option(names = "--task", paramLabel = "T", description = "only this task's locks") String task,
      @Option(names = "--json", description = "a JSON array, one object per lock") boolean json) {
    Either<Integer, FileLocks> locks = open(context.config().ttl());
    if (locks.isLeft()) {
      return locks.getLeft();
    }
    Either<LockFailure, io.vavr.collection.List<LockStatus>> all = locks.get().list(io.vavr.control.Option.none());
    if (all.isLeft()) {
      return context.failed(all.getLeft());
    }
    if (session != null && task != null) {
      return context.usage("files list takes --session or --task, not both");
    }
    String onlyId = task != null ? Claimant.TASK_PREFIX + task : session;
    JsonArray array = new JsonArray();
    StringBuilder text = new StringBuilder();
    int shown = 0;
    for (LockStatus status : all.get().sortBy(FilesCommands::sortKey)) {
      if (!(status instanceof LockStatus.Held held) || (onlyId != null && !held.record().sessionId().equals(onlyId))) {
        continue;
      }
      shown++;
      LockRecord record = held.record();
      if (json) {
        JsonObject object = new JsonObject();
        object.put("path", CommandText.pathOf(held));
        object.put("holder_kind", record.details().isTask() ? "task" : "session");
        object.put("holder_id", record.details().isTask() ? record.details().task().get() : record.sessionId());
        if (record.details().boundSession().isDefined()) {
          object.put("bound_session", record.details().boundSession().get());
        }
        if (record.details().agent().isDefined()) {
          object.put("agent", record.details().agent().get());
        }
        object.put("pid", record.pid());
        object.put("liveness", held.liveness().name().toLowerCase(Locale.ROOT));
        object.put("acquired", record.heldSince().toString());
        object.put("heartbeat", record.acquiredAt().toString());
        object.put("expires", record.expiresAt().toString());
        object.put("takeable", held.takeable());
        if (record.details().clamped().isDefined()) {
          object.put("clamped", record.details().clamped().get());
        }
        array.add(object);
      } else {
        text.append(CommandText.pathOf(held)).append("  ").append(FilesHook.holder(record)).append(' ')
            .append(CommandText.liveness(held)).append(", for ").append(Durations.human(held.age())).append(", ")
            .append(held.remaining().isZero() ? "lease expired" : Durations.human(held.remaining()) + " left")
            .append(FilesHook.clampNote(record)).append('\n');
      }
    }
    if (json) {
      context.out.println(JsonWriter.string(array));
    } else {
      context.out.print(shown == 0 ? "no file locks\n" : text.toString());
    }
    return ExitCodes.OK;
  }
}
