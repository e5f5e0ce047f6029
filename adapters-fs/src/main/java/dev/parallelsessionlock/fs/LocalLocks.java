package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FileLocks;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.core.WorkspaceLease;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The locks of one lock directory, wired for a Java tool that embeds the library: the file store, this host's
 * process liveness, the system clock, the workspace lease and file locks over them (one namespace). The same records the
 * {@code session-lock} hook and commands use, so a tool and the agents' hooks see each other.
 *
 * <pre>{@code
 * LocalLocks locks = LocalLocks.open(Path.of(System.getProperty("user.home"), ".claude/runtime")).get();
 * Claimant me = locks.claimant("my-tool-run-42");
 * }</pre>
 */
public final class LocalLocks {

  private final FileLockStore store;
  private final ParallelSessionLock lock;
  private final FileLocks files;
  private final WorkspaceLease workspace;

  private LocalLocks(FileLockStore store, ParallelSessionLock lock) {
    this.store = store;
    this.lock = lock;
    this.files = FileLocks.of(lock, store, FileHolderIndex.of(store)).withWriter(LocalProcesses.current());
    this.workspace = WorkspaceLease.of(files);
  }

  /** The locks in {@code directory} (created private if missing), or why it cannot be used. */
  public static Either<StoreFailure, LocalLocks> open(Path directory) {
    return open(directory, Clock.systemUTC());
  }

  /** The same, with the clock the leases are judged by. */
  public static Either<StoreFailure, LocalLocks> open(Path directory, Clock clock) {
    return FileLockStore.open(directory)
        .map(store -> new LocalLocks(store, ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), clock)));
  }

  /** The lock protocol itself, for keys of a tool's own (refresh and release of the workspace lease, too). */
  public ParallelSessionLock lock() {
    return lock;
  }

  /**
   * The workspace lease, as the hook in workspace mode takes it: one namespace with the file locks (a lease is
   * refused while other holders have files in the work tree, and the other way round).
   */
  public WorkspaceLease workspace() {
    return workspace;
  }

  /** File locks of sessions and tasks. */
  public FileLocks files() {
    return files;
  }

  public FileLockStore store() {
    return store;
  }

  /** A session named {@code sessionId}, running in this very process. */
  public Claimant claimant(String sessionId) {
    return new Claimant(sessionId, LocalProcesses.current());
  }

  /** A plan task, taken by this very process. */
  public Claimant task(String taskId) {
    return Claimant.task(taskId, LocalProcesses.current(), Option.none());
  }

  /** The workspace lease's key for a workspace path (resolve symlinks first, as the hook does). */
  public static LockKey workspaceKey(Path workspace) {
    return LockKey.workspace(workspaceHash(workspace));
  }

  /** A workspace path's hash, for {@link #workspace()} (resolve symlinks first, as the hook does). */
  public static WorkspaceHash workspaceHash(Path workspace) {
    return WorkspaceHash.of(workspace.toString());
  }

  /** A file of {@code workspace}, for {@link FileLocks}; both paths resolved as the hook resolves them. */
  public static FileLocks.LockedFile file(Path workspace, Path file) {
    return new FileLocks.LockedFile(WorkspaceHash.of(workspace.toString()), file.toString());
  }
}
