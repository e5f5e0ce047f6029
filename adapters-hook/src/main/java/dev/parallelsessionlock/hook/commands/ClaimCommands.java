package dev.parallelsessionlock.hook.commands;

import dev.parallelsessionlock.hook.ExitCodes;
import dev.parallelsessionlock.hook.runtime.Durations;
import dev.parallelsessionlock.hook.runtime.Hints;
import dev.parallelsessionlock.hook.runtime.HookConfig;
import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonWriter;
import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.Grantor;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.Turn;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.hook.runtime.LineText;
import dev.parallelsessionlock.hook.runtime.LineWait;
import dev.parallelsessionlock.hook.runtime.OpenStore;
import dev.parallelsessionlock.core.Liveness;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStatus;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.markdown.ClaimFailure;
import dev.parallelsessionlock.markdown.WorkItems;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import io.vavr.control.Either;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Work-item claims (seed 000): {@code claim}, {@code unclaim}, {@code claims}, {@code shell-init}. A claim is
 * {@code locked_by}/{@code locked_at} in the item's frontmatter, taken with the lock protocol
 * ({@link WorkItems}).
 */
final class ClaimCommands {

  private ClaimCommands() {}

  /** What claim and unclaim share: the item, the session, where items live, how old a claim may get. */
  abstract static class ItemCommand implements Callable<Integer> {
    final CommandContext context;

    @Parameters(paramLabel = "ITEM", description = "a markdown file, or an item's id (WRK-157) under --items")
    String item;

    @Option(names = "--session", paramLabel = "S", description = "the session (default: $CLAUDE_CODE_SESSION_ID)")
    String session;

    @Option(names = "--items", paramLabel = "DIR", description = "where items live (default: $SESSION_LOCK_ITEMS)")
    String itemsDir;

    ItemCommand(CommandContext context) {
      this.context = context;
    }

    io.vavr.control.Option<Path> itemsDir() {
      String dir = itemsDir != null ? itemsDir : context.env.get("SESSION_LOCK_ITEMS");
      return dir == null || dir.isBlank() ? io.vavr.control.Option.none() : io.vavr.control.Option.some(context.cwd.resolve(dir));
    }

    String session() {
      return session != null ? session : context.sessionFromEnvironment();
    }

    /** The claimant: the agent process when run inside that session's agent, else the session id alone. */
    Claimant claimant(String id) {
      return context.sessionClaimant(id);
    }

    Either<Integer, WorkItems> open(Duration staleAfter) {
      return open(staleAfter, true);
    }

    /** The work items; {@code warn}: say the configuration's warnings (not when the lock store said them already). */
    Either<Integer, WorkItems> open(Duration staleAfter, boolean warn) {
      HookConfig config = context.config();
      if (warn) {
        config.warnings().forEach(w -> context.err.println("session-lock: " + w));
      }
      Either<StoreFailure, WorkItems> items = WorkItems.open(config.lockDir(), ProcessTableLiveness.forThisHost(),
          context.clock, staleAfter);
      if (items.isLeft()) {
        context.err.println("session-lock: " + items.getLeft().describe());
        return Either.left(ExitCodes.UNAVAILABLE);
      }
      return Either.right(items.get());
    }

    Either<Integer, Path> find() {
      return WorkItems.find(item, context.cwd, itemsDir()).mapLeft(this::failed);
    }

    int failed(ClaimFailure failure) {
      context.err.println("session-lock: " + failure.describe());
      if (failure instanceof ClaimFailure.Unclaimable) {
        return ExitCodes.MALFORMED;
      }
      if (failure instanceof ClaimFailure.Unavailable) {
        return ExitCodes.UNAVAILABLE;
      }
      return ExitCodes.NO_ITEM;
    }
  }

  @Command(name = "claim", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "Claim a work item for a session (locked_by, locked_at in its frontmatter): exactly one session "
          + "wins; the same session renews; a stale or dead claim is taken over with a warning.")
  static final class Claim extends ItemCommand {
    @Option(names = "--stale-after", paramLabel = "DURATION",
        description = "a claim older than this is taken over (default 2h; 90m, 45s, 1d, PT2H)")
    String staleAfter;

    @Option(names = "--wait", paramLabel = "SEC", description = "wait in line until the item is free, at most SEC "
        + "seconds; served in order of arrival (default: one try, and no place kept)")
    Long waitSeconds;

    Claim(CommandContext context) {
      super(context);
    }

    @Override
    public Integer call() {
      String id = session();
      if (id == null || id.isBlank()) {
        return context.usage("claim needs a session: --session S (no $CLAUDE_CODE_SESSION_ID)");
      }
      io.vavr.control.Option<Duration> stale = staleAfter == null
          ? io.vavr.control.Option.some(WorkItems.DEFAULT_STALE_AFTER) : duration(staleAfter);
      if (stale.isEmpty()) {
        return context.usage("--stale-after takes a duration such as 2h, 90m, 45s, 1d or PT2H");
      }
      Either<Integer, Path> path = find();
      if (path.isLeft()) {
        return path.getLeft();
      }
      if (waitSeconds != null && (waitSeconds < 0 || waitSeconds > 86400)) {
        return context.usage("--wait takes 0 to 86400 seconds");
      }
      // Through the fair line, as the hook and files acquire: its tickets in the configured store (where list and
      // watch show them), watched while --wait waits (an unclaim changes the item, not the lock directory: the
      // watch's 200 ms safety net sees it; a database store is polled).
      Either<Integer, OpenStore> tickets = context.openStore();
      if (tickets.isLeft()) {
        return tickets.getLeft();
      }
      Either<Integer, WorkItems> items = open(stale.get(), false);
      if (items.isLeft()) {
        return items.getLeft();
      }
      Either<ClaimFailure, WorkItems.ClaimKey> claim = items.get().claimKey(path.get());
      if (claim.isLeft()) {
        return failed(claim.getLeft());
      }
      WorkItems.ClaimKey key = claim.get();
      Claimant claimant = claimant(id);
      FairLine line = FairLine.of(key.lock(), tickets.get().store());
      java.util.List<LockKey> keys = java.util.List.of(key.key());
      long budget = waitSeconds == null ? 0 : java.util.concurrent.TimeUnit.SECONDS.toNanos(waitSeconds);
      Either<LockFailure, Turn<Acquisition>> turn = LineWait.inLine(line, keys, claimant,
          Grantor.lease(key.lock(), key.key(), claimant, key.lock().ttl(), io.vavr.control.Option.some(key.path())),
          budget, tickets.get().files().map(FileLockStore::directory));
      if (turn.isLeft()) {
        return failed(new ClaimFailure.Unavailable(turn.getLeft()));
      }
      Instant now = context.clock.instant();
      java.util.Map<LockKey, String> names = java.util.Map.of(key.key(), item);
      if (turn.get() instanceof Turn.Deadlock<Acquisition> deadlock) {
        context.err.println("session-lock: " + LineText.deadlock(deadlock, names));
        return ExitCodes.HELD;
      }
      if (turn.get() instanceof Turn.Waiting<Acquisition> waiting) { // without --wait tryOnce kept no place
        String inLine = LineText.forCommand(waiting, budget, now, names);
        inLine = inLine.isEmpty() ? "" : "\n" + inLine;
        if (waiting.refused().isEmpty()) {
          context.err.println("session-lock: other sessions wait in line for " + item + " ahead of you." + inLine);
          return ExitCodes.HELD;
        }
        Acquisition.Blocked blocked = (Acquisition.Blocked) waiting.refused().get();
        LockRecord holder = blocked.holder().get();
        context.err.println("session-lock: " + item + " is claimed by session " + holder.sessionId()
            + processOf(holder) + " since " + Durations.human(Duration.between(holder.acquiredAt(), now))
            + " ago; it is stale in " + Durations.human(Duration.between(now, blocked.freeAt()))
            + ". Pick another item, wait for it (--wait SEC), or (if that session is gone) "
            + Hints.command(context.program(), "unclaim", path.get().toString(), "--force") + inLine);
        return ExitCodes.HELD;
      }
      Acquisition.Acquired acquired = (Acquisition.Acquired) ((Turn.Granted<Acquisition>) turn.get()).outcome();
      if (acquired.previous().isDefined() && acquired.how() != Acquisition.How.RENEWED) {
        LockRecord previous = acquired.previous().get();
        context.err.println("session-lock: warning: took " + item + " over from session " + previous.sessionId()
            + " (" + (acquired.how() == Acquisition.How.TOOK_OVER_DEAD_HOLDER ? "its process is gone"
                : "its claim was " + Durations.human(Duration.between(previous.acquiredAt(), now)) + " old, stale")
            + ")");
      }
      boolean renewed = acquired.how() == Acquisition.How.RENEWED && acquired.previous().isDefined()
          && acquired.previous().get().sessionId().equals(id);
      context.out.println((renewed ? "renewed " : "claimed ") + item + " for session "
          + id + " (" + path.get() + ")");
      return ExitCodes.OK;
    }
  }

  @Command(name = "unclaim", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "Release a session's claim on a work item; --force removes anyone's (for people).")
  static final class Unclaim extends ItemCommand {
    @Option(names = "--force", description = "remove the claim whoever holds it, and say whose it was")
    boolean force;

    Unclaim(CommandContext context) {
      super(context);
    }

    @Override
    public Integer call() {
      String id = session();
      if (!force && (id == null || id.isBlank())) {
        return context.usage("unclaim needs a session: --session S (no $CLAUDE_CODE_SESSION_ID), or --force");
      }
      Either<Integer, Path> path = find();
      if (path.isLeft()) {
        return path.getLeft();
      }
      Either<Integer, WorkItems> items = open(WorkItems.DEFAULT_STALE_AFTER);
      if (items.isLeft()) {
        return items.getLeft();
      }
      Instant now = context.clock.instant();
      if (force) {
        Either<ClaimFailure, io.vavr.control.Option<Slot>> removed = items.get().forceUnclaim(path.get());
        if (removed.isLeft()) {
          return failed(removed.getLeft());
        }
        if (removed.get().isDefined() && removed.get().get() instanceof Slot.Held held) {
          context.out.println("removed the claim of session " + held.record().sessionId() + " (since "
              + Durations.human(Duration.between(held.record().acquiredAt(), now)) + ") on " + item);
        } else {
          context.out.println(item + " was not claimed");
        }
        return ExitCodes.OK;
      }
      Either<ClaimFailure, Release> released = items.get().unclaim(path.get(), claimant(id));
      if (released.isLeft()) {
        return failed(released.getLeft());
      }
      if (released.get() instanceof Release.Released) {
        context.out.println("released " + item);
        return ExitCodes.OK;
      }
      Release.NotHolder notHolder = (Release.NotHolder) released.get();
      if (notHolder.current().isDefined() && notHolder.current().get() instanceof Slot.Held held) {
        context.err.println("session-lock: " + item + " is claimed by session " + held.record().sessionId()
            + processOf(held.record()) + ", not by " + id + "; nothing changed (a person may use --force)");
        return ExitCodes.HELD;
      }
      context.out.println(item + " is not claimed");
      return ExitCodes.OK;
    }
  }

  @Command(name = "claims", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "Every work item under DIR with its claim: holder, age, stale or dead.")
  static final class Claims implements Callable<Integer> {
    private final CommandContext context;

    @Option(names = "--items", paramLabel = "DIR", description = "where items live (default: $SESSION_LOCK_ITEMS, else here)")
    String itemsDir;

    @Option(names = "--json", description = "a JSON array, one object per item")
    boolean json;

    Claims(CommandContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      String dir = itemsDir != null ? itemsDir : context.env.getOrDefault("SESSION_LOCK_ITEMS", ".");
      Path root = context.cwd.resolve(dir.isBlank() ? "." : dir);
      HookConfig config = context.config();
      Either<StoreFailure, WorkItems> items = WorkItems.open(config.lockDir(), ProcessTableLiveness.forThisHost(),
          context.clock, WorkItems.DEFAULT_STALE_AFTER);
      if (items.isLeft()) {
        context.err.println("session-lock: " + items.getLeft().describe());
        return ExitCodes.UNAVAILABLE;
      }
      Either<ClaimFailure, io.vavr.collection.List<WorkItems.ItemClaim>> all = items.get().claims(root,
          malformed -> context.err.println("session-lock: skipped " + malformed.describe()));
      if (all.isLeft()) {
        context.err.println("session-lock: " + all.getLeft().describe());
        return all.getLeft() instanceof ClaimFailure.NotFound ? ExitCodes.NO_ITEM : ExitCodes.UNAVAILABLE;
      }
      JsonArray array = new JsonArray();
      StringBuilder text = new StringBuilder();
      for (WorkItems.ItemClaim claim : all.get()) {
        String name = claim.id().getOrElse(root.relativize(claim.file()).toString());
        JsonObject object = new JsonObject();
        object.put("path", claim.file().toString());
        if (claim.id().isDefined()) {
          object.put("id", claim.id().get());
        }
        if (claim.status() instanceof LockStatus.Held held) {
          LockRecord record = held.record();
          boolean dead = held.liveness() == Liveness.DEAD;
          boolean stale = held.remaining().isZero();
          object.put("state", "claimed");
          object.put("session", record.sessionId());
          object.put("pid", record.pid());
          object.put("liveness", held.liveness().name().toLowerCase(Locale.ROOT));
          object.put("claimed_at", record.acquiredAt().toString());
          object.put("age_ms", held.age().toMillis());
          object.put("stale", stale);
          object.put("dead", dead);
          text.append(name).append("  claimed by session ").append(record.sessionId()).append(processOf(record))
              .append(", for ").append(Durations.human(held.age()))
              .append(dead ? ", DEAD: may be taken over" : stale ? ", stale: may be taken over" : "").append('\n');
        } else {
          object.put("state", "free");
          text.append(name).append("  free\n");
        }
        array.add(object);
      }
      if (json) {
        context.out.println(JsonWriter.string(array));
      } else {
        context.out.print(all.get().isEmpty() ? "no work items under " + root + "\n" : text.toString());
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "shell-init", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "Print bash functions claim_wrk and release_wrk (the seed's names): source <(session-lock shell-init)")
  static final class ShellInit implements Callable<Integer> {
    private final CommandContext context;

    ShellInit(CommandContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      String program = context.program();
      context.out.print("# parallel-session-lock: work-item claims, as workflow-guards.sh calls them\n"
          + "claim_wrk() { " + program + " claim \"$@\"; }\n"
          + "release_wrk() { " + program + " unclaim \"$@\"; }\n");
      return ExitCodes.OK;
    }
  }

  /** {@code " (pid 12, alive)"}, or nothing when the session's process is not known. */
  static String processOf(LockRecord record) {
    return record.holder().isKnown() ? " (pid " + record.pid() + ")" : "";
  }

  /** {@code 2h}, {@code 90m}, {@code 45s}, {@code 1d}, or ISO-8601 {@code PT2H}; positive only. */
  static io.vavr.control.Option<Duration> duration(String text) {
    try {
      Duration parsed;
      if (text.startsWith("P") || text.startsWith("p")) {
        parsed = Duration.parse(text.toUpperCase(Locale.ROOT));
      } else {
        long amount = Long.parseLong(text.substring(0, text.length() - 1));
        switch (text.charAt(text.length() - 1)) {
          case 's': parsed = Duration.ofSeconds(amount); break;
          case 'm': parsed = Duration.ofMinutes(amount); break;
          case 'h': parsed = Duration.ofHours(amount); break;
          case 'd': parsed = Duration.ofDays(amount); break;
          default: return io.vavr.control.Option.none();
        }
      }
      return parsed.isNegative() || parsed.isZero() ? io.vavr.control.Option.none() : io.vavr.control.Option.some(parsed);
    } catch (RuntimeException notADuration) {
      return io.vavr.control.Option.none();
    }
  }
}
