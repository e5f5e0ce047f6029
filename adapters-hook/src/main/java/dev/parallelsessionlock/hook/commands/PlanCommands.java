package dev.parallelsessionlock.hook.commands;

import dev.parallelsessionlock.hook.ExitCodes;
import dev.parallelsessionlock.hook.runtime.FilesHook;
import dev.parallelsessionlock.hook.runtime.Hints;
import dev.parallelsessionlock.hook.runtime.LockDirectoryStores;
import dev.parallelsessionlock.hook.runtime.OpenStore;
import dev.parallelsessionlock.hook.runtime.Workspaces;
import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonWriter;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FileLocks;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockStatus;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.fs.FileHolderIndex;
import dev.parallelsessionlock.plan.Glob;
import dev.parallelsessionlock.plan.Overlaps;
import dev.parallelsessionlock.plan.Plan;
import dev.parallelsessionlock.plan.PlanReader;
import dev.parallelsessionlock.plan.Snapshots;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import dev.parallelsessionlock.store.IoErrors;
import io.vavr.control.Either;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Plan safety (seed 001's "Plan-Based Parallel Work"): {@code overlap} checks a plan before it starts,
 * {@code snapshot} and {@code check} are the stale-check, {@code task done} releases a task that is clean.
 */
final class PlanCommands {

  private PlanCommands() {}

  @Command(name = "overlap", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "Check a parallel plan: two tasks of one wave whose globs can match a common path are a critical "
          + "overlap (exit 6), named with both patterns and a path both match.")
  static final class Overlap extends DirectoryCommand {
    @Parameters(paramLabel = "PLAN.json", description = "the plan (see the README's plans section)")
    String planFile;

    @Option(names = "--json", description = "an object with a 'critical' array (and 'locked' with --locks)")
    boolean json;

    @Option(names = "--locks", description = "also report plan files that a session or task outside the plan holds now")
    boolean locks;

    Overlap(CommandContext context) {
      super(context);
    }

    @Override
    int run() {
      Path path = context.cwd.resolve(planFile);
      String text;
      try {
        text = Files.readString(path, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        context.err.println("session-lock: " + planFile + ": no such file");
        return ExitCodes.NO_ITEM;
      } catch (IOException e) {
        context.err.println("session-lock: " + planFile + ": " + IoErrors.describe(e));
        return ExitCodes.MALFORMED;
      }
      Either<String, Plan> plan = PlanReader.read(text);
      if (plan.isLeft()) {
        context.err.println("session-lock: " + planFile + ": " + plan.getLeft());
        return ExitCodes.MALFORMED;
      }
      List<Overlaps.Critical> critical = Overlaps.of(plan.get());
      List<String[]> locked = new ArrayList<>();
      if (locks) {
        Either<Integer, List<String[]>> held = lockedPlanFiles(plan.get());
        if (held.isLeft()) {
          return held.getLeft();
        }
        locked = held.get();
      }
      if (json) {
        JsonArray criticalJson = new JsonArray();
        for (Overlaps.Critical c : critical) {
          JsonObject entry = new JsonObject();
          entry.put("wave", c.wave());
          entry.put("tasks", new JsonArray(List.of(c.firstTask(), c.secondTask())));
          entry.put("patterns", new JsonArray(List.of(c.firstPattern(), c.secondPattern())));
          entry.put("example", c.example());
          criticalJson.add(entry);
        }
        JsonObject result = new JsonObject();
        result.put("critical", criticalJson);
        if (locks) {
          JsonArray lockedJson = new JsonArray();
          for (String[] l : locked) {
            JsonObject entry = new JsonObject();
            entry.put("path", l[0]);
            entry.put("holder", l[1]);
            entry.put("task", l[2]);
            entry.put("pattern", l[3]);
            lockedJson.add(entry);
          }
          result.put("locked", lockedJson);
        }
        context.out.println(JsonWriter.string(result));
      } else {
        for (Overlaps.Critical c : critical) {
          context.out.println("critical overlap in wave " + c.wave() + ": " + c.firstTask() + " (" + c.firstPattern()
              + ") and " + c.secondTask() + " (" + c.secondPattern() + ") can both touch " + c.example());
        }
        for (String[] l : locked) {
          context.out.println("locked now: " + l[0] + " by " + l[1] + " (task " + l[2] + " plans " + l[3] + ")");
        }
        if (critical.isEmpty()) {
          context.out.println("no critical overlap in " + plan.get().waves().size() + " waves");
        }
      }
      return critical.isEmpty() ? ExitCodes.OK : ExitCodes.OVERLAP;
    }

    /** Plan files held now by a holder that is no task of the plan: path, holder, task, pattern. */
    private Either<Integer, List<String[]>> lockedPlanFiles(Plan plan) {
      Either<Integer, OpenStore> store = context.openStore();
      if (store.isLeft()) {
        return Either.left(store.getLeft());
      }
      Path workspace = context.workspace(dir);
      FileLocks files = store.get().fileLocks(context.clock, context.config().ttl());
      Either<LockFailure, io.vavr.collection.List<LockStatus>> all =
          files.list(io.vavr.control.Option.some(WorkspaceHash.of(workspace.toString())));
      if (all.isLeft()) {
        return Either.left(context.failed(all.getLeft()));
      }
      Set<String> ids = new java.util.HashSet<>();
      for (Plan.Wave wave : plan.waves()) {
        for (Plan.Task task : wave.tasks()) {
          ids.add(task.id());
        }
      }
      List<String[]> locked = new ArrayList<>();
      for (LockStatus status : all.get()) {
        if (!(status instanceof LockStatus.Held held) || held.takeable()
            || (held.record().details().isTask() && ids.contains(held.record().details().task().get()))) {
          continue;
        }
        String path = held.record().details().path().getOrElse("");
        if (!path.startsWith(workspace + "/")) {
          continue;
        }
        String relative = path.substring(workspace.toString().length() + 1);
        for (Plan.Wave wave : plan.waves()) {
          for (Plan.Task task : wave.tasks()) {
            for (Glob glob : task.files()) {
              if (glob.matches(relative)) {
                locked.add(new String[] {relative, FilesHook.holder(held.record()), task.id(), glob.pattern()});
              }
            }
          }
        }
      }
      return Either.right(locked);
    }
  }

  @Command(name = "snapshot", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "Record a baseline of FILEs for a task (SHA-256 and size; a missing file as absent); again: "
          + "accept their current content.")
  static final class Snapshot extends DirectoryCommand {
    @Option(names = "--task", paramLabel = "T", required = true, description = "the task")
    String task;

    @Option(names = "--session", paramLabel = "S",
        description = "the session doing the task: its edits move the baseline (default: $CLAUDE_CODE_SESSION_ID)")
    String session;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "the task's files")
    List<String> files;

    Snapshot(CommandContext context) {
      super(context);
    }

    @Override
    int run() {
      Path workspace = context.workspace(dir);
      List<Path> paths = new ArrayList<>();
      // Canonical as the hook has them; a folder's real path is resolved once for all its files.
      Map<Path, Path> realFolders = new HashMap<>();
      for (String file : files) {
        Path absolute = context.cwd.resolve(file);
        Path folder = absolute.getParent();
        if (folder == null || Files.isSymbolicLink(absolute) || absolute.getFileName().toString().equals("..")) {
          paths.add(Workspaces.canonical(absolute));
        } else {
          paths.add(realFolders.computeIfAbsent(folder, Workspaces::canonical).resolve(absolute.getFileName()).normalize());
        }
      }
      String bound = session != null ? session : context.sessionFromEnvironment();
      Either<String, Snapshots.Baseline> baseline = Snapshots.in(context.config().lockDir(), LockDirectoryStores.FILES)
          .snapshot(workspace.toString(), task, io.vavr.control.Option.of(bound), paths);
      if (baseline.isLeft()) {
        context.err.println("session-lock: " + baseline.getLeft());
        return ExitCodes.UNAVAILABLE;
      }
      context.out.println("baseline of task " + task + ": " + baseline.get().files().size() + " files"
          + (baseline.get().session().isDefined() ? ", bound to session " + baseline.get().session().get() : ""));
      return ExitCodes.OK;
    }
  }

  @Command(name = "check", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "Stale-check: exit 0 when no file of the task changed since its baseline, else exit 5 and one line "
          + "per file (changed, created, deleted). --session-tasks checks every task bound to the session in "
          + "$CLAUDE_CODE_SESSION_ID (the git pre-commit hook; without a session it checks nothing).")
  static final class Check extends DirectoryCommand {
    @Option(names = "--task", paramLabel = "T", description = "the task")
    String task;

    @Option(names = "--session-tasks", description = "every task bound to the agent session running this")
    boolean sessionTasks;

    @Option(names = "--json", description = "an object: task, stale, and the changes")
    boolean json;

    Check(CommandContext context) {
      super(context);
    }

    @Override
    int run() {
      if ((task == null) == !sessionTasks) {
        return context.usage("check takes --task T or --session-tasks");
      }
      Path workspace = context.workspace(dir);
      Snapshots snapshots = Snapshots.in(context.config().lockDir(), LockDirectoryStores.FILES);
      List<Snapshots.Baseline> baselines = new ArrayList<>();
      try {
        if (sessionTasks) {
          String session = context.sessionFromEnvironment();
          if (session == null) {
            return ExitCodes.OK; // a commit outside any agent session is never blocked
          }
          baselines.addAll(snapshots.boundTo(session, workspace.toString()));
        } else {
          io.vavr.control.Option<Snapshots.Baseline> baseline = snapshots.read(workspace.toString(), task);
          if (baseline.isEmpty()) {
            return noBaseline(context, task, workspace);
          }
          baselines.add(baseline.get());
        }
        boolean stale = false;
        JsonArray tasks = new JsonArray();
        for (Snapshots.Baseline baseline : baselines) {
          List<Snapshots.Change> changes = snapshots.check(baseline);
          stale |= !changes.isEmpty();
          if (json) {
            tasks.add(checkJson(baseline.task(), changes));
          } else if (!changes.isEmpty()) {
            context.err.println("session-lock: task " + baseline.task() + ": " + changes.size()
                + (changes.size() == 1 ? " file" : " files") + " changed outside the task since its snapshot:");
            report(context, changes);
          } else if (!sessionTasks) {
            context.out.println("task " + baseline.task() + ": no file changed since its snapshot");
          }
        }
        if (json) {
          context.out.println(JsonWriter.string(sessionTasks ? wrap(tasks) : tasks.getObject(0)));
        }
        return stale ? ExitCodes.STALE : ExitCodes.OK;
      } catch (IOException e) {
        context.err.println("session-lock: " + IoErrors.describe(e));
        return ExitCodes.UNAVAILABLE;
      }
    }
  }

  /** A task with no baseline here: one line naming it, exit 66 ({@code check}, and {@code task done} with no locks). */
  static int noBaseline(CommandContext context, String task, Path workspace) {
    context.err.println("session-lock: task " + task + " has no baseline in " + workspace
        + " (" + Hints.command(context.program(), "snapshot", "--task", task) + " FILE... records one)");
    return ExitCodes.NO_ITEM;
  }

  private static JsonObject wrap(JsonArray tasks) {
    JsonObject object = new JsonObject();
    object.put("tasks", tasks);
    return object;
  }

  static JsonObject checkJson(String task, List<Snapshots.Change> changes) {
    JsonObject object = new JsonObject();
    object.put("task", task);
    object.put("stale", !changes.isEmpty());
    JsonArray list = new JsonArray();
    for (Snapshots.Change change : changes) {
      JsonObject entry = new JsonObject();
      entry.put("path", change.path());
      entry.put("change", change.kind().name().toLowerCase(Locale.ROOT));
      change.before().forEach(h -> entry.put("before", h));
      change.after().forEach(h -> entry.put("after", h));
      list.add(entry);
    }
    object.put("changes", list);
    return object;
  }

  static void report(CommandContext context, List<Snapshots.Change> changes) {
    for (Snapshots.Change change : changes) {
      context.err.println("  " + change.kind().name().toLowerCase(Locale.ROOT) + "  " + change.path() + "  "
          + Snapshots.shortHash(change.before()) + " -> " + Snapshots.shortHash(change.after()));
    }
  }

  @Command(name = "task", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES, description = "A plan task's end: task done T.")
  static final class Task {
    private final CommandContext context;

    Task(CommandContext context) {
      this.context = context;
    }

    @Command(name = "done", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
        footer = CommandText.EXIT_CODES,
        description = "The seed's plan-db-safe.sh: stale-check the task; clean: release its file locks and its "
            + "snapshot (exit 0); stale: keep both and list the files (exit 5); --force releases anyway; a task "
            + "with neither here: exit 66, as check.")
    int done(
        @Parameters(paramLabel = "T", description = "the task") String task,
        @Option(names = "--force", description = "release even when files changed, and say which") boolean force,
        @Option(names = "--dir", paramLabel = "DIR", description = "the project (default: $CLAUDE_PROJECT_DIR, else here)")
            String dir) {
      io.vavr.control.Option<String> problem = context.dirProblem(dir);
      if (problem.isDefined()) {
        return context.usage(problem.get());
      }
      Path workspace = context.workspace(dir);
      Snapshots snapshots = Snapshots.in(context.config().lockDir(), LockDirectoryStores.FILES);
      try {
        io.vavr.control.Option<Snapshots.Baseline> baseline = snapshots.read(workspace.toString(), task);
        List<Snapshots.Change> changes = baseline.isDefined() ? snapshots.check(baseline.get()) : List.of();
        if (!changes.isEmpty()) {
          context.err.println("session-lock: task " + task + ": " + changes.size()
              + (changes.size() == 1 ? " file" : " files") + " changed outside the task since its snapshot"
              + (force ? " (released anyway, --force):" : "; its locks and snapshot stay:"));
          report(context, changes);
          if (!force) {
            return ExitCodes.STALE;
          }
        }
        Either<Integer, OpenStore> store = context.openStore();
        if (store.isLeft()) {
          return store.getLeft();
        }
        FileLocks files = store.get().fileLocks(context.clock, context.config().ttl());
        Either<LockFailure, List<Release.Released>> released =
            files.releaseAll(Claimant.task(task, ProcessRef.unknown(io.vavr.control.Option.none()),
                io.vavr.control.Option.none()), true);
        if (released.isLeft()) {
          return context.failed(released.getLeft());
        }
        if (baseline.isEmpty() && released.get().isEmpty()) {
          return noBaseline(context, task, workspace); // nothing of it here: the same answer as check
        }
        snapshots.delete(workspace.toString(), task);
        context.out.println("task " + task + " done: released " + released.get().size() + " file locks"
            + (baseline.isDefined() ? " and its snapshot" : ""));
        return ExitCodes.OK;
      } catch (IOException e) {
        context.err.println("session-lock: " + IoErrors.describe(e));
        return ExitCodes.UNAVAILABLE;
      }
    }
  }
}
