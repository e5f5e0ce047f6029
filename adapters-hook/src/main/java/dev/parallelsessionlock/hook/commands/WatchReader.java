package dev.parallelsessionlock.hook.commands;

import dev.parallelsessionlock.hook.runtime.LockDirectoryStores;
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
 * Reads one frame's worth from the store, the work items and the queue; cheap enough to run every 250 ms. The
 * items folder is walked again only every {@link #CLAIMS_EVERY} (it reads every markdown file under it).
 */
final class WatchReader {
  static final java.time.Duration CLAIMS_EVERY = java.time.Duration.ofSeconds(2);

  private final CommandContext context;
  private final OpenStore store;
  private final Path workspace;
  private final Path itemsRoot;
  private final WorkItems workItems;
  private final Option<Path> queueDir;
  /** Opened once (opening runs git), when the queue's folder first shows up. */
  private MergeQueue mergeQueue;
  private Instant claimsReadAt;
  private List<WorkItems.ItemClaim> itemClaims = List.of();

  WatchReader(CommandContext context, OpenStore store, Path workspace, Path itemsRoot, WorkItems workItems,
      Option<Path> gitCommonDir) {
    this.context = context;
    this.store = store;
    this.workspace = workspace;
    this.itemsRoot = itemsRoot;
    this.workItems = workItems;
    this.queueDir = gitCommonDir.map(common -> common.resolve("session-lock").resolve("queue"));
  }

  Path workspace() {
    return workspace;
  }

  /** One frame, or why the store could not be read. */
  Either<String, WatchFrame> read() {
    ParallelSessionLock lock = store.lock(context.clock, context.config().ttl());
    WorkspaceHash hash = WorkspaceHash.of(workspace.toString());
    LockKey workspaceKey = LockKey.workspace(hash);
    Either<LockFailure, LockStatus> lease = lock.status(workspaceKey);
    if (lease.isLeft()) {
      return Either.left(lease.getLeft().describe());
    }
    Either<LockFailure, io.vavr.collection.List<LockStatus>> files =
        FileLocks.of(lock, store.store(), store.index()).list(Option.some(hash));
    if (files.isLeft()) {
      return Either.left(files.getLeft().describe());
    }
    Instant now = context.clock.instant();
    if (claimsReadAt == null || !now.isBefore(claimsReadAt.plus(CLAIMS_EVERY)) || now.isBefore(claimsReadAt)) {
      Either<ClaimFailure, io.vavr.collection.List<WorkItems.ItemClaim>> read = Files.isDirectory(itemsRoot)
          ? workItems.claims(itemsRoot, malformed -> { }) : Either.right(io.vavr.collection.List.empty());
      if (read.isLeft()) {
        return Either.left(read.getLeft().describe());
      }
      itemClaims = read.get().asJava();
      claimsReadAt = now;
    }
    List<WatchFrame.ClaimRead> claims = new ArrayList<>();
    Set<LockKey> claimKeys = new HashSet<>();
    for (WorkItems.ItemClaim claim : itemClaims) {
      claims.add(new WatchFrame.ClaimRead(
          claim.id().getOrElse(WatchFrame.relative(itemsRoot, claim.file().toString())), claim.status()));
      claimKeys.add(claim.status().key());
    }
    Either<String, List<WatchFrame.LineRead>> lines = lines(lock, hash, workspaceKey, claimKeys);
    if (lines.isLeft()) {
      return Either.left(lines.getLeft());
    }
    Either<String, Option<WatchFrame.Queue>> queue = queue();
    if (queue.isLeft()) {
      return Either.left(queue.getLeft());
    }
    return Either.right(WatchFrame.of(workspace, lease.get(), files.get().asJava(), lines.get(), claims, itemsRoot,
        queue.get(), ProcessTableLiveness.forThisHost()));
  }

  /** The lines of this workspace's keys: every marker names its key; a line without tickets is left out. */
  private Either<String, List<WatchFrame.LineRead>> lines(ParallelSessionLock lock, WorkspaceHash hash,
      LockKey workspaceKey, Set<LockKey> claimKeys) {
    Either<StoreFailure, io.vavr.collection.List<Slot>> markers = store.store().list(FairLine.MARKER_PREFIX);
    if (markers.isLeft()) {
      return Either.left(markers.getLeft().describe());
    }
    FairLine fairLine = FairLine.of(lock, store.store());
    String files = LockKey.filePrefix(hash);
    List<WatchFrame.LineRead> lines = new ArrayList<>();
    for (Slot marker : markers.get()) {
      if (!(marker instanceof Slot.Held held) || held.record().details().path().isEmpty()) {
        continue;
      }
      LockRecord record = held.record();
      String name = record.details().path().get();
      LockKey key;
      try {
        key = new LockKey(name);
      } catch (IllegalArgumentException notAKey) {
        continue;
      }
      if (!key.equals(workspaceKey) && !name.startsWith(files) && !claimKeys.contains(key)) {
        continue;
      }
      Either<LockFailure, List<Ticket>> tickets = fairLine.line(key);
      if (tickets.isLeft()) {
        return Either.left(tickets.getLeft().describe());
      }
      if (!tickets.get().isEmpty()) {
        lines.add(new WatchFrame.LineRead(key, tickets.get()));
      }
    }
    return Either.right(lines);
  }

  /** The merge queue, when the repository has one (watch never creates it). */
  private Either<String, Option<WatchFrame.Queue>> queue() {
    // records/ holds the entries; entries/ the entries of an earlier version, which opening the queue moves
    if (queueDir.isEmpty() || !Files.isDirectory(queueDir.get().resolve("records"))
        && !Files.isDirectory(queueDir.get().resolve("entries"))) {
      return Either.right(Option.none());
    }
    if (mergeQueue == null) {
      Either<String, MergeQueue> queue = MergeQueue.open(workspace, LockDirectoryStores.FILES);
      if (queue.isLeft()) {
        return Either.left(queue.getLeft());
      }
      mergeQueue = queue.get();
    }
    try {
      List<WatchFrame.QueueItem> entries = new ArrayList<>();
      for (QueueEntry entry : mergeQueue.entries()) {
        entries.add(WatchFrame.QueueItem.of(entry));
      }
      Option<LockRecord> processor = QueueProcessor.processor(mergeQueue, context.clock);
      return Either.right(Option.some(new WatchFrame.Queue(processor.map(LockRecord::pid), entries)));
    } catch (IOException e) {
      return Either.left(e.getMessage());
    }
  }
}
