package dev.parallelsessionlock.hook.commands;

import dev.parallelsessionlock.hook.ExitCodes;
import dev.parallelsessionlock.hook.runtime.OpenStore;
import dev.parallelsessionlock.hook.runtime.LineWait;
import dev.parallelsessionlock.hook.runtime.LockDirectoryStores;
import dev.parallelsessionlock.hook.runtime.Workspaces;
import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import com.grack.nanojson.JsonWriter;
import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.Grantor;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStatus;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.Turn;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.fs.FileHolderIndex;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.git.MergeQueue;
import dev.parallelsessionlock.git.QueueEntry;
import dev.parallelsessionlock.git.QueueProcessor;
import dev.parallelsessionlock.git.Worktrees;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** The merge queue ({@code queue ...}) and worktree lifecycle ({@code worktree ...}), over adapters-git. */
final class QueueCommands {

  private QueueCommands() {}

  @Command(name = "queue", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "A local merge queue: branches land on the target one validated step at a time.")
  static final class Queue {
    private final CommandContext context;

    Queue(CommandContext context) {
      this.context = context;
    }

    private Either<Integer, MergeQueue> open(String dir) {
      io.vavr.control.Option<String> problem = context.dirProblem(dir);
      if (problem.isDefined()) {
        return Either.left(context.usage(problem.get()));
      }
      Either<String, MergeQueue> queue = MergeQueue.open(context.workspace(dir), LockDirectoryStores.FILES);
      if (queue.isLeft()) {
        return Either.left(context.usage(queue.getLeft()));
      }
      return Either.right(queue.get());
    }

    @Command(name = "enqueue", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
        footer = CommandText.EXIT_CODES, description = "Queue BRANCH at its current commit, to land on TARGET.")
    int enqueue(
        @Parameters(paramLabel = "BRANCH") String branch,
        @picocli.CommandLine.Option(names = "--onto", paramLabel = "TARGET",
            description = "the branch to land on (default: the repository's main branch)") String onto,
        @picocli.CommandLine.Option(names = "--dir", paramLabel = "DIR", description = "the repository") String dir) {
      Either<Integer, MergeQueue> queue = open(dir);
      if (queue.isLeft()) {
        return queue.getLeft();
      }
      Either<String, QueueEntry> entry = queue.get().enqueue(branch, Option.of(onto),
          Option.of(context.sessionFromEnvironment()), context.clock.instant());
      if (entry.isLeft()) {
        context.err.println("session-lock: " + entry.getLeft());
        return ExitCodes.NO_ITEM;
      }
      context.out.println("queued #" + entry.get().seq() + " " + branch + " at " + entry.get().head().substring(0, 12)
          + " onto " + entry.get().target());
      return ExitCodes.OK;
    }

    @Command(name = "process", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
        footer = CommandText.EXIT_CODES,
        description = "Land every queued branch: preflight, validate the candidate with CMD, land it with a "
            + "compare-and-swap. One processor per repository; exit 7 when another runs.")
    int process(
        @picocli.CommandLine.Option(names = "--validate", paramLabel = "CMD", required = true,
            description = "run in the candidate's scratch worktree with sh -c; exit 0 is green") String validate,
        @picocli.CommandLine.Option(names = "--timeout", paramLabel = "SEC", defaultValue = "1800",
            description = "the validation's time limit (default 1800)") long timeout,
        @picocli.CommandLine.Option(names = "--batch", paramLabel = "N", defaultValue = "1",
            description = "validate up to N entries as one candidate; a red batch is bisected") int batch,
        @picocli.CommandLine.Option(names = "--dir", paramLabel = "DIR", description = "the repository") String dir,
        @picocli.CommandLine.Option(names = "--wait", paramLabel = "SEC", description = "while another processor "
            + "runs, wait in line for it to end, at most SEC seconds, then process what is left (default: exit 7 "
            + "at once)") Long waitSeconds) {
      if (timeout < 1 || batch < 1) {
        return context.usage("--timeout and --batch take positive numbers");
      }
      if (waitSeconds != null && (waitSeconds < 0 || waitSeconds > 86400)) {
        return context.usage("--wait takes 0 to 86400 seconds");
      }
      Either<Integer, MergeQueue> queue = open(dir);
      if (queue.isLeft()) {
        return queue.getLeft();
      }
      QueueProcessor processor = new QueueProcessor(queue.get(), validate, Duration.ofSeconds(timeout), batch,
          context.clock, context.err).hintsAs(context.program());
      if (waitSeconds != null && waitSeconds > 0) {
        long budget = java.util.concurrent.TimeUnit.SECONDS.toNanos(waitSeconds);
        // The hook's own wait (LineWait): tried again on every change the poll sees, served in order of arrival.
        processor.takingLeaseBy(new QueueProcessor.LeaseTaking() {
          @Override
          public Either<LockFailure, Turn<Acquisition>> take(FairLine line, java.util.List<LockKey> keys,
              Claimant me, Grantor<Acquisition> grantor) {
            return LineWait.inLine(line, keys, me, grantor, budget, Option.none());
          }
        });
      }
      Either<String, QueueProcessor.Summary> summary = processor.process();
      if (summary.isLeft()) {
        context.err.println("session-lock: " + summary.getLeft());
        return summary.getLeft().startsWith("another processor") ? ExitCodes.QUEUE_BUSY : ExitCodes.UNAVAILABLE;
      }
      QueueProcessor.Summary done = summary.get();
      context.out.println("landed " + done.landed() + ", rejected " + done.rejected() + ", " + done.validations()
          + " validation runs");
      if (done.stoppedBecause().isDefined()) {
        context.err.println("session-lock: stopped: " + done.stoppedBecause().get());
        return ExitCodes.QUEUE_STOPPED;
      }
      return ExitCodes.OK;
    }

    @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
        footer = CommandText.EXIT_CODES, description = "Every entry with its state, and the processor holding the lease.")
    int status(
        @picocli.CommandLine.Option(names = "--json", description = "an object: processor, entries") boolean json,
        @picocli.CommandLine.Option(names = "--dir", paramLabel = "DIR", description = "the repository") String dir) {
      Either<Integer, MergeQueue> queue = open(dir);
      if (queue.isLeft()) {
        return queue.getLeft();
      }
      try {
        java.util.List<QueueEntry> entries = queue.get().entries();
        Option<LockRecord> processor = QueueProcessor.processor(queue.get(), context.clock);
        if (json) {
          JsonObject object = new JsonObject();
          if (processor.isDefined()) {
            JsonObject holder = new JsonObject();
            holder.put("pid", processor.get().pid());
            holder.put("since", processor.get().heldSince().toString());
            object.put("processor", holder);
          }
          JsonArray array = new JsonArray();
          for (QueueEntry entry : entries) {
            array.add(JsonParser.object().from(JsonWriter.string(entryJson(entry))));
          }
          object.put("entries", array);
          context.out.println(JsonWriter.string(object));
          return ExitCodes.OK;
        }
        context.out.println(processor.isDefined() ? "processor: pid " + processor.get().pid() + " since "
            + processor.get().heldSince() : "processor: none running");
        if (entries.isEmpty()) {
          context.out.println("the queue is empty");
        }
        for (QueueEntry entry : entries) {
          context.out.println("#" + entry.seq() + "  " + entry.state().name().toLowerCase(Locale.ROOT) + "  "
              + entry.branch() + " -> " + entry.target() + entry.reason().map(r -> "  (" + r + ")").getOrElse("")
              + entry.landedAs().map(c -> "  as " + c.substring(0, 12)).getOrElse(""));
        }
        return ExitCodes.OK;
      } catch (IOException | JsonParserException e) {
        context.err.println("session-lock: " + e.getMessage());
        return ExitCodes.UNAVAILABLE;
      }
    }

    private static JsonObject entryJson(QueueEntry entry) {
      JsonObject json = new JsonObject();
      json.put("seq", entry.seq());
      json.put("branch", entry.branch());
      json.put("head", entry.head());
      json.put("target", entry.target());
      entry.enqueuedBy().forEach(s -> json.put("enqueued_by", s));
      json.put("enqueued_at", entry.enqueuedAt().toString());
      json.put("state", entry.state().name().toLowerCase(Locale.ROOT));
      entry.reason().forEach(r -> json.put("reason", r));
      entry.logTail().forEach(t -> json.put("log_tail", t));
      json.put("attempts", entry.attempts());
      entry.landedAs().forEach(c -> json.put("landed_as", c));
      json.put("updated_at", entry.updatedAt().toString());
      return json;
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
        footer = CommandText.EXIT_CODES, description = "Take a waiting BRANCH out of the queue.")
    int remove(
        @Parameters(paramLabel = "BRANCH") String branch,
        @picocli.CommandLine.Option(names = "--dir", paramLabel = "DIR", description = "the repository") String dir) {
      Either<Integer, MergeQueue> queue = open(dir);
      if (queue.isLeft()) {
        return queue.getLeft();
      }
      Either<String, QueueEntry> removed = queue.get().remove(branch);
      if (removed.isLeft()) {
        context.err.println("session-lock: " + removed.getLeft());
        return ExitCodes.NO_ITEM;
      }
      context.out.println("removed #" + removed.get().seq() + " " + branch + " from the queue");
      return ExitCodes.OK;
    }
  }

  @Command(name = "worktree", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES, description = "Create and remove worktrees for sessions (Claude Code's "
          + "WorktreeCreate/WorktreeRemove hooks, Copilot's /worktree, Codex's scripts, people).")
  static final class Worktree {
    private final CommandContext context;

    Worktree(CommandContext context) {
      this.context = context;
    }

    @Command(name = "create", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
        footer = CommandText.EXIT_CODES,
        description = "Create the worktree NAME on a new branch, link the .env* files, run the install step; print "
            + "its path as the last line of stdout (all else on stderr). --hook: NAME from the event on stdin.")
    int create(
        @Parameters(paramLabel = "NAME", arity = "0..1") String name,
        @picocli.CommandLine.Option(names = "--hook", description = "read {\\\"name\\\": ...} from stdin") boolean hook,
        @picocli.CommandLine.Option(names = "--install", paramLabel = "CMD",
            description = "the install step (default: $SESSION_LOCK_WORKTREE_INSTALL, else npm ci/install when there is a package.json)")
            String install,
        @picocli.CommandLine.Option(names = "--no-install", description = "skip the install step") boolean noInstall) {
      String wanted = name;
      Path cwd = context.cwd;
      if (hook) {
        Either<String, JsonObject> event = readEvent();
        if (event.isLeft()) {
          context.err.println("session-lock: worktree create: " + event.getLeft());
          return ExitCodes.USAGE;
        }
        wanted = event.get().getString("name", null);
        if (event.get().isString("cwd")) {
          cwd = Path.of(event.get().getString("cwd"));
        }
      }
      if (wanted == null || wanted.isBlank()) {
        context.err.println("session-lock: worktree create needs a NAME");
        return ExitCodes.USAGE;
      }
      Either<String, Worktrees> worktrees = Worktrees.of(cwd);
      if (worktrees.isLeft()) {
        context.err.println("session-lock: " + worktrees.getLeft());
        return ExitCodes.USAGE;
      }
      Option<String> step = noInstall ? Option.some("none")
          : Option.of(install != null ? install : context.env.get(Worktrees.INSTALL_VARIABLE));
      Either<String, Path> created = worktrees.get().create(wanted, step, context.err);
      if (created.isLeft()) {
        context.err.println("session-lock: worktree " + wanted + " was not created: " + created.getLeft());
        return created.getLeft().contains("is not a worktree name") ? ExitCodes.USAGE : ExitCodes.CANNOT_CREATE;
      }
      context.out.println(created.get());
      return ExitCodes.OK;
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
        footer = CommandText.EXIT_CODES,
        description = "Release the file locks on files under PATH, remove what create added; without --hook also "
            + "the worktree itself. PATH must be a linked worktree of this repository (exit 66 and nothing touched "
            + "otherwise). --hook: PATH from the event on stdin (worktree_path); never fails loudly.")
    int remove(
        @Parameters(paramLabel = "PATH", arity = "0..1") String path,
        @picocli.CommandLine.Option(names = "--hook", description = "read {\\\"worktree_path\\\": ...} from stdin") boolean hook) {
      String wanted = path;
      if (hook) {
        Either<String, JsonObject> event = readEvent();
        wanted = event.isRight() ? event.get().getString("worktree_path", null) : null;
      }
      if (wanted == null || wanted.isBlank()) {
        context.err.println("session-lock: worktree remove needs a PATH");
        return hook ? ExitCodes.OK : ExitCodes.USAGE;
      }
      Path worktree = Workspaces.canonical(context.cwd.resolve(wanted));
      // The repository of the current directory (as git worktree remove), else the one around PATH.
      Either<String, Worktrees> worktrees = Worktrees.of(context.cwd);
      if (worktrees.isLeft() && worktree.toFile().isDirectory()) {
        worktrees = Worktrees.of(worktree);
      }
      if (worktrees.isLeft()) {
        context.err.println("session-lock: " + worktrees.getLeft() + "; nothing was released or removed");
        return hook ? ExitCodes.OK : ExitCodes.USAGE;
      }
      if (!worktrees.get().isLinked(worktree)) {
        context.err.println("session-lock: " + worktree + " is not a linked worktree of the repository at "
            + worktrees.get().mainTree() + " (git worktree list shows them); nothing was released or removed");
        return hook ? ExitCodes.OK : ExitCodes.NO_ITEM;
      }
      int released = releaseLocksUnder(worktree);
      context.err.println("released " + released + " file locks under " + worktree);
      for (String line : worktrees.get().remove(worktree, !hook)) {
        context.err.println(line);
      }
      return ExitCodes.OK;
    }

    private int releaseLocksUnder(Path worktree) {
      Either<Integer, OpenStore> store = context.openStore();
      if (store.isLeft()) {
        return 0;
      }
      var files = store.get().fileLocks(context.clock, context.config().ttl());
      var all = files.list(io.vavr.control.Option.some(WorkspaceHash.of(worktree.toString())));
      int released = 0;
      if (all.isLeft()) {
        return 0;
      }
      for (LockStatus status : all.get()) {
        if (status instanceof LockStatus.Held held
            && held.record().details().path().getOrElse("").startsWith(worktree + "/")) {
          var removed = files.forceRelease(new dev.parallelsessionlock.core.FileLocks.LockedFile(
              WorkspaceHash.of(worktree.toString()), held.record().details().path().get()));
          if (removed.isRight() && removed.get().isDefined() && removed.get().get() instanceof Slot.Held) {
            released++;
          }
        }
      }
      return released;
    }

    private Either<String, JsonObject> readEvent() {
      try {
        String text = new String(context.in.readAllBytes(), StandardCharsets.UTF_8);
        return Either.right(JsonParser.object().from(text));
      } catch (IOException | JsonParserException e) {
        return Either.left("the event on stdin is not a JSON object");
      }
    }
  }
}
