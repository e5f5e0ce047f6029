package dev.parallelsessionlock.hook.commands;

import dev.parallelsessionlock.hook.ExitCodes;
import dev.parallelsessionlock.hook.install.Installer;
import dev.parallelsessionlock.hook.runtime.Durations;
import dev.parallelsessionlock.hook.runtime.FilesHook;
import dev.parallelsessionlock.hook.runtime.OpenStore;
import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonWriter;
import dev.parallelsessionlock.core.FileLocks;
import dev.parallelsessionlock.core.Liveness;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStatus;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.core.WriteOutcome;
import dev.parallelsessionlock.fs.FileHolderIndex;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import io.vavr.collection.List;
import io.vavr.control.Either;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Looking at locks and clearing them: status, list, release, prune. */
final class LockCommands {

  /** Records whose lease ended longer ago than this are pruned even when their holder cannot be probed. */
  static final Duration PRUNE_AFTER = Duration.ofDays(1);
  /** Unreadable records kept aside are pruned after this long. */
  static final Duration PRUNE_KEPT_ASIDE_AFTER = Duration.ofDays(7);

  private LockCommands() {}

  @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "Who is working in this checkout right now: the workspace lease and every session and task "
          + "with file locks here, alive or not, since when.")
  static final class Status extends DirectoryCommand {
    @Option(names = "--json", description = "one JSON object")
    boolean json;

    Status(CommandContext context) {
      super(context);
    }

    @Override
    int run() {
      Either<Integer, OpenStore> store = context.openStore();
      if (store.isLeft()) {
        return store.getLeft();
      }
      ParallelSessionLock lock = store.get().lock(context.clock, context.config().ttl());
      Path workspace = context.workspace(dir);
      WorkspaceHash hash = WorkspaceHash.of(workspace.toString());
      LockKey key = LockKey.workspace(hash);
      Either<LockFailure, LockStatus> status = lock.status(key);
      if (status.isLeft()) {
        return context.failed(status.getLeft());
      }
      Either<LockFailure, List<LockStatus>> files =
          FileLocks.of(lock, store.get().store(), store.get().index()).list(io.vavr.control.Option.some(hash));
      if (files.isLeft()) {
        return context.failed(files.getLeft());
      }
      Map<String, java.util.List<LockStatus.Held>> byHolder = byHolder(files.get());
      if (json) {
        JsonObject object = LockCommands.json(status.get());
        object.put("workspace", workspace.toString());
        JsonArray holders = new JsonArray();
        for (java.util.List<LockStatus.Held> held : byHolder.values()) {
          holders.add(holderJson(held));
        }
        object.put("file_holders", holders);
        context.out.println(JsonWriter.string(object));
        return ExitCodes.OK;
      }
      StringBuilder text = new StringBuilder();
      text.append("workspace  ").append(workspace).append('\n');
      text.append("lock       ").append(name(key, io.vavr.control.Option.none(), store.get())).append('\n');
      text.append("state      ").append(describe(status.get())).append('\n');
      if (byHolder.isEmpty()) {
        text.append("files      no file locks\n");
      }
      for (java.util.List<LockStatus.Held> held : byHolder.values()) {
        LockStatus.Held first = held.get(0);
        text.append("files      ").append(FilesHook.holder(first.record())).append(' ')
            .append(CommandText.liveness(first)).append(", since ").append(Durations.human(oldest(held))).append(", ")
            .append(held.size()).append(held.size() == 1 ? " file" : " files").append(":\n");
        for (LockStatus.Held file : held) {
          text.append("             ").append(CommandText.pathOf(file)).append(file.takeable() ? "  (may be taken over)" : "")
              .append(FilesHook.clampNote(file.record())).append('\n');
        }
      }
      context.out.print(text);
      return ExitCodes.OK;
    }
  }

  /** File locks grouped by holder (session id or task), in key order within each. */
  /** A waiter's place ({@code wait-...}) or a line's marker ({@code line-...}), the fair line's records. */
  static boolean isLineRecord(LockKey key) {
    return key.name().startsWith(FairLine.TICKET_PREFIX) || key.name().startsWith(FairLine.MARKER_PREFIX);
  }

  static Map<String, java.util.List<LockStatus.Held>> byHolder(List<LockStatus> statuses) {
    Map<String, java.util.List<LockStatus.Held>> byHolder = new LinkedHashMap<>();
    for (LockStatus status : statuses.sortBy(s -> s instanceof LockStatus.Held held ? CommandText.pathOf(held) : s.key().name())) {
      if (status instanceof LockStatus.Held held) {
        byHolder.computeIfAbsent(held.record().sessionId(), k -> new java.util.ArrayList<>()).add(held);
      }
    }
    return byHolder;
  }

  private static Duration oldest(java.util.List<LockStatus.Held> held) {
    Duration oldest = Duration.ZERO;
    for (LockStatus.Held file : held) {
      oldest = file.age().compareTo(oldest) > 0 ? file.age() : oldest;
    }
    return oldest;
  }

  private static JsonObject holderJson(java.util.List<LockStatus.Held> held) {
    LockRecord record = held.get(0).record();
    JsonObject holder = new JsonObject();
    holder.put("kind", record.details().isTask() ? "task" : "session");
    holder.put("id", record.details().isTask() ? record.details().task().get() : record.sessionId());
    holder.put("pid", record.pid());
    holder.put("liveness", held.get(0).liveness().name().toLowerCase(Locale.ROOT));
    holder.put("held_for_ms", oldest(held).toMillis());
    JsonArray paths = new JsonArray();
    for (LockStatus.Held file : held) {
      paths.add(CommandText.pathOf(file));
    }
    holder.put("files", paths);
    return holder;
  }

  @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES, description = "Every lock in the lock directory.")
  static final class ListLocks implements Callable<Integer> {
    private final CommandContext context;

    @Option(names = "--json", description = "a JSON array")
    boolean json;

    ListLocks(CommandContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      Either<Integer, OpenStore> store = context.openStore();
      if (store.isLeft()) {
        return store.getLeft();
      }
      Either<LockFailure, List<LockStatus>> listed = store.get().lock(context.clock, context.config().ttl()).list();
      if (listed.isLeft()) {
        return context.failed(listed.getLeft());
      }
      // The fair line's own records (a waiter's place, a line's marker) are no locks: watch shows the lines.
      Either<LockFailure, List<LockStatus>> all = Either.right(listed.get().filter(status -> !isLineRecord(status.key())));
      if (json) {
        JsonArray array = new JsonArray();
        for (LockStatus status : all.get()) {
          array.add(LockCommands.json(status));
        }
        context.out.println(JsonWriter.string(array));
      } else if (all.get().isEmpty()) {
        context.out.println("no locks");
      } else {
        StringBuilder text = new StringBuilder();
        for (LockStatus status : all.get()) {
          text.append(name(status.key(), status instanceof LockStatus.Held held ? held.record().details().path()
              : io.vavr.control.Option.none(), store.get())).append("  ").append(describeHolder(status)).append('\n');
        }
        context.out.print(text);
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "release", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "Remove the workspace lock, whoever holds it (for people: confirm with --force).")
  static final class ReleaseWorkspace extends DirectoryCommand {
    @Option(names = "--force", description = "yes, even another session's")
    boolean force;

    ReleaseWorkspace(CommandContext context) {
      super(context);
    }

    @Override
    int run() {
      if (!force) {
        return context.usage("release removes whatever lock is there, even another session's: confirm with --force");
      }
      Either<Integer, ParallelSessionLock> lock = context.openLock();
      if (lock.isLeft()) {
        return lock.getLeft();
      }
      Path workspace = context.workspace(dir);
      Either<LockFailure, io.vavr.control.Option<Slot>> removed =
          lock.get().forceRelease(LockKey.workspace(WorkspaceHash.of(workspace.toString())));
      if (removed.isLeft()) {
        return context.failed(removed.getLeft());
      }
      if (removed.get().isEmpty()) {
        context.out.println("no lock on " + workspace);
      } else if (removed.get().get() instanceof Slot.Held held) {
        LockRecord record = held.record();
        context.out.println("removed the lock of session " + record.sessionId() + " (pid " + record.pid() + ") on "
            + workspace);
      } else {
        context.out.println("removed an unreadable lock record on " + workspace
            + " (its bytes are kept aside as *.corrupt-*)");
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "prune", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "Remove locks of dead holders and leases that ended more than a day ago.")
  static final class Prune implements Callable<Integer> {
    private final CommandContext context;

    Prune(CommandContext context) {
      this.context = context;
    }

    /**
     * Removes records whose holder is provably dead, or whose lease ended more than {@link #PRUNE_AFTER} ago,
     * each with a conditional delete (a record that changed meanwhile stays), and kept-aside copies older than
     * {@link #PRUNE_KEPT_ASIDE_AFTER}; prints what it removed.
     */
    @Override
    public Integer call() {
      Either<Integer, OpenStore> opened = context.openStore();
      if (opened.isLeft()) {
        return opened.getLeft();
      }
      var store = io.vavr.control.Option.some(opened.get().store());
      Either<StoreFailure, List<Slot>> slots = store.get().list();
      if (slots.isLeft()) {
        context.err.println("session-lock: " + slots.getLeft().describe());
        return ExitCodes.UNAVAILABLE;
      }
      dev.parallelsessionlock.core.HolderIndex index = opened.get().index();
      ProcessTableLiveness liveness = ProcessTableLiveness.forThisHost();
      Instant now = context.clock.instant();
      int removed = 0;
      Duration maxTtl = dev.parallelsessionlock.core.RecordBounds.maxTtl(context.config().ttl());
      for (Slot slot : slots.get()) {
        if (!(slot instanceof Slot.Held held)) {
          continue;
        }
        // Judged as the protocol judges it: a ttl of at most a day, times not in the far future.
        LockRecord record = dev.parallelsessionlock.core.RecordBounds.bound(held.record(), now, maxTtl);
        boolean dead = liveness.of(record.holder()) == Liveness.DEAD;
        boolean expiredLongAgo = now.isAfter(record.expiresAt().plus(PRUNE_AFTER));
        if (!dead && !expiredLongAgo) {
          continue;
        }
        Either<StoreFailure, WriteOutcome> deleted = store.get().delete(slot);
        if (deleted.isRight() && deleted.get() == WriteOutcome.WRITTEN) {
          removed++;
          index.remove(record.sessionId(), slot.key());
          context.out.println("removed the lock on " + name(slot.key(), record.details().path(), opened.get()) + ": "
              + (record.details().isTask() ? "task " + record.details().task().get() : "session " + record.sessionId())
              + " (pid " + record.pid() + ", " + (dead ? "dead" : "lease ended "
              + Durations.human(Duration.between(record.expiresAt(), now)) + " ago") + ")");
        }
      }
      Either<StoreFailure, List<Path>> kept = opened.get().files().isDefined()
          ? opened.get().files().get().keptAside() : Either.right(List.empty());
      if (kept.isRight()) {
        for (Path aside : kept.get()) {
          try {
            if (Files.getLastModifiedTime(aside).toInstant().plus(PRUNE_KEPT_ASIDE_AFTER).isBefore(now)) {
              Files.delete(aside);
              removed++;
              context.out.println("removed " + aside.getFileName() + ": an unreadable record kept aside more than "
                  + PRUNE_KEPT_ASIDE_AFTER.toDays() + " days");
            }
          } catch (IOException e) {
            context.err.println("session-lock: cannot remove " + aside + ": " + Installer.describe(e));
          }
        }
      }
      context.out.println(removed == 0 ? "nothing to prune" : "pruned " + removed);
      return ExitCodes.OK;
    }
  }

  /**
   * What a lock is on, for people: its path (the file, or the workspace), else the record's file in the lock
   * directory (an unreadable record, or one an older writer left without a path), never a bare key.
   */
  static String name(LockKey key, io.vavr.control.Option<String> path, OpenStore store) {
    if (path.isDefined()) {
      return path.get();
    }
    return store.files().isDefined()
        ? store.files().get().directory().resolve(key.name() + ".json").toString()
        : key.name() + " (in " + store.description() + ")";
  }

  /** {@link #describe} without the path. */
  static String describeHolder(LockStatus status) {
    return describe(status, /* withPath= */ false);
  }

  static String describe(LockStatus status) {
    return describe(status, /* withPath= */ true);
  }

  private static String describe(LockStatus status, boolean withPath) {
    if (status instanceof LockStatus.Free) {
      return "free";
    }
    if (status instanceof LockStatus.Unreadable unreadable) {
      return "unreadable record (" + unreadable.problem() + "), counted as held until " + unreadable.freeAt();
    }
    LockStatus.Held held = (LockStatus.Held) status;
    LockRecord record = held.record();
    String process = record.holder().isKnown()
        ? "pid " + record.pid() + ", " + CommandText.liveness(held)
        : "no agent process known, session id only";
    String who = record.details().isTask() ? "task " + record.details().task().get() : "session " + record.sessionId();
    return "held by " + who + " (" + process + ") for " + Durations.human(held.age()) + ", "
        + (held.remaining().isZero() ? "lease expired" : Durations.human(held.remaining()) + " left")
        + (held.takeable() ? "; another session may take it over" : "")
        + (withPath && record.details().path().isDefined() ? "; " + record.details().path().get() : "")
        + (record.details().clamped().isDefined() ? "; record clamped: " + record.details().clamped().get() : "");
  }

  static JsonObject json(LockStatus status) {
    JsonObject json = new JsonObject();
    json.put("key", status.key().name());
    if (status instanceof LockStatus.Free) {
      json.put("state", "free");
    } else if (status instanceof LockStatus.Unreadable unreadable) {
      json.put("state", "unreadable");
      json.put("problem", unreadable.problem());
      json.put("free_at", unreadable.freeAt().toString());
    } else {
      LockStatus.Held held = (LockStatus.Held) status;
      LockRecord record = held.record();
      json.put("state", "held");
      json.put("session_id", record.sessionId());
      json.put("pid", record.pid());
      if (record.holder().host().isDefined()) {
        json.put("host", record.holder().host().get());
      }
      if (record.details().path().isDefined()) {
        json.put("path", record.details().path().get());
      }
      if (record.details().takenOverFrom().isDefined()) {
        json.put("taken_over_from", record.details().takenOverFrom().get());
      }
      if (record.details().task().isDefined()) {
        json.put("task_id", record.details().task().get());
      }
      if (record.generation() != 0) {
        json.put("generation", record.generation());
      }
      json.put("liveness", held.liveness().name().toLowerCase(Locale.ROOT));
      json.put("held_for_ms", held.age().toMillis());
      json.put("remaining_ms", held.remaining().toMillis());
      json.put("takeable", held.takeable());
      if (record.details().clamped().isDefined()) {
        json.put("clamped", record.details().clamped().get());
      }
    }
    return json;
  }
}
