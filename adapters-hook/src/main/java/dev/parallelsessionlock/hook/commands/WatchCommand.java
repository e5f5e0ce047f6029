package dev.parallelsessionlock.hook.commands;

import dev.parallelsessionlock.hook.ExitCodes;
import com.grack.nanojson.JsonWriter;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.FileLocks;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStatus;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.Ticket;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.git.Git;
import dev.parallelsessionlock.hook.runtime.Hints;
import dev.parallelsessionlock.hook.runtime.OpenStore;
import dev.parallelsessionlock.git.MergeQueue;
import dev.parallelsessionlock.git.QueueEntry;
import dev.parallelsessionlock.git.QueueProcessor;
import dev.parallelsessionlock.markdown.ClaimFailure;
import dev.parallelsessionlock.markdown.WorkItems;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;

/**
 * {@code watch}: a live view of one workspace in the terminal (JLine), or one frame for scripts. Reading the store is
 * {@link WatchReader}'s, the frame is {@link WatchFrame}, the text and JSON are {@link WatchRender}'s; only {@link
 * WatchTerminal} touches the terminal, and JLine loads only there.
 */
@Command(name = "watch", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
    footer = CommandText.EXIT_CODES,
    description = "A live view of this workspace: every session (agent, pid, alive or not), what each holds, who "
        + "waits for what and in which order, the claimed work items and the merge queue. Redraws on change; q or "
        + "Ctrl-C quits. Without a terminal, prints one frame.")
final class WatchCommand extends DirectoryCommand {

  @picocli.CommandLine.Option(names = "--once", description = "print one frame as text and exit")
  boolean once;

  @picocli.CommandLine.Option(names = "--json", description = "print one frame as one JSON object and exit")
  boolean json;

  @picocli.CommandLine.Option(names = "--items", paramLabel = "DIR",
      description = "where work items live (default: $SESSION_LOCK_ITEMS, else the workspace)")
  String itemsDir;

  WatchCommand(CommandContext context) {
    super(context);
  }

  @Override
  int run() {
    Either<Integer, OpenStore> store = context.openStore();
    if (store.isLeft()) {
      return store.getLeft();
    }
    Path workspace = context.workspace(dir);
    String items = itemsDir != null ? itemsDir : context.env.getOrDefault("SESSION_LOCK_ITEMS", "");
    Path itemsRoot = items.isBlank() ? workspace : context.cwd.resolve(items).normalize();
    Either<StoreFailure, WorkItems> workItems = WorkItems.open(context.config().lockDir(),
        ProcessTableLiveness.forThisHost(), context.clock, WorkItems.DEFAULT_STALE_AFTER);
    if (workItems.isLeft()) {
      context.err.println("session-lock: " + workItems.getLeft().describe());
      return ExitCodes.UNAVAILABLE;
    }
    WatchReader reader = new WatchReader(context, store.get(), workspace, itemsRoot, workItems.get(),
        Git.in(workspace).commonDir());
    if (json || once || !interactive()) {
      Either<String, WatchFrame> frame = reader.read();
      if (frame.isLeft()) {
        context.err.println("session-lock: " + frame.getLeft());
        return ExitCodes.UNAVAILABLE;
      }
      Instant now = context.clock.instant();
      if (json) {
        context.out.println(JsonWriter.string(WatchRender.json(frame.get(), now)));
        return ExitCodes.OK;
      }
      StringBuilder text = new StringBuilder();
      for (String line : WatchRender.lines(frame.get(), now)) {
        text.append(line).append('\n');
      }
      context.out.print(text);
      if (!once) {
        context.err.println("session-lock: standard output is not a terminal: printed one frame (for scripts: "
            + Hints.command(context.program(), "watch", "--once") + ", or --json)");
      }
      return ExitCodes.OK;
    }
    return WatchTerminal.run(reader, context);
  }

  /** A live view needs this process's own standard output on a terminal (in-process runs print one frame). */
  private boolean interactive() {
    return context.out == System.out && System.console() != null;
  }

}
