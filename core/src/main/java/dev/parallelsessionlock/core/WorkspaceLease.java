package dev.parallelsessionlock.core;

import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The workspace lease of workspace mode, in one namespace with the file locks of files mode ({@link FileLocks}),
 * the way databases lock at two granularities: a workspace lease excludes other sessions' and tasks' file locks in
 * its work tree, and a file lock excludes another session's workspace lease. A session never blocks itself, nor a
 * task bound to it (the ownership rules of {@link Claimant}).
 *
 * <p>Closed with conditional writes only, never a read-then-write: each side writes its own record first and then
 * reads the other granularity. {@link #acquire} writes the lease, then reads the work tree's file records; a file
 * acquire writes its file records, then reads the lease. Each reads after its own write, so of two racers at least
 * one sees the other and backs off, giving back only what it newly took. Both may back off: nobody wins that round,
 * and the callers try again after a short random pause (the adapters do; the core never sleeps). A renewal of a
 * lease the caller already held fresh never backs off: the existing holder wins.
 *
 * <p>So the common path, a session renewing its own lease, stays one read and one write; only a grant that is new to
 * the rivals reads the work tree's file records. Runs on the hook path: no lambdas, no vavr collections.
 */
public final class WorkspaceLease {

  private final FileLocks files;

  private WorkspaceLease(FileLocks files) {
    this.files = Objects.requireNonNull(files, "files");
  }

  /** The workspace lease over the protocol and store of {@code files}. */
  public static WorkspaceLease of(FileLocks files) {
    return new WorkspaceLease(files);
  }

  /** {@link #acquire(WorkspaceHash, Claimant, Duration, Option)} without a path in the record. */
  public Either<LockFailure, WorkspaceAcquisition> acquire(WorkspaceHash workspace, Claimant claimant, Duration leaseTtl) {
    return acquire(workspace, claimant, leaseTtl, Option.none());
  }

  /**
   * Takes or renews the lease on {@code workspace} for {@code leaseTtl}, or reports who blocks it: another
   * session's lease, or other holders' file locks in the work tree (then the lease this call wrote is given back).
   * {@code path} is the workspace's resolved path, kept in the record for people.
   */
  public Either<LockFailure, WorkspaceAcquisition> acquire(
      WorkspaceHash workspace, Claimant claimant, Duration leaseTtl, Option<String> path) {
    ParallelSessionLock lock = files.lock();
    LockKey key = LockKey.workspace(workspace);
    Either<LockFailure, ParallelSessionLock.Grant> result =
        lock.grant(key, claimant, leaseTtl, path, Option.none(), NEVER_TAGGED);
    if (result.isLeft()) {
      return Either.left(result.getLeft());
    }
    if (result.get() instanceof ParallelSessionLock.Grant.Refused refused) {
      return Either.right(new WorkspaceAcquisition.Blocked(refused.blocked()));
    }
    if (!(result.get() instanceof ParallelSessionLock.Grant.Granted granted)) {
      return Either.left(new LockFailure.Busy(key)); // a grant of the same session is still checking
    }
    Acquisition.Acquired got = granted.acquired();
    if (granted.checked()) {
      return Either.right(new WorkspaceAcquisition.Acquired(got));
    }
    Either<LockFailure, List<LockStatus.Held>> rivals = files.rivals(workspace, claimant);
    if (rivals.isLeft()) {
      return Either.left(rivals.getLeft());
    }
    if (!rivals.get().isEmpty()) {
      Either<LockFailure, Boolean> undone = lock.undo(got);
      if (undone.isLeft()) {
        return Either.left(undone.getLeft());
      }
      return Either.right(new WorkspaceAcquisition.FilesHeld(rivals.get()));
    }
    Either<LockFailure, Boolean> settled = lock.settle(got);
    if (settled.isLeft()) {
      return Either.left(settled.getLeft());
    }
    if (!settled.get()) {
      return Either.left(new LockFailure.Contended(key, 1)); // changed under the check: this call did not win
    }
    return Either.right(new WorkspaceAcquisition.Acquired(got));
  }

  /** The clock leases are judged by. */
  java.time.Instant now() {
    return files.lock().now();
  }

  /** Workspace leases carry no attempt tag (only a multi-file acquire's files do). */
  private static final ParallelSessionLock.Attempts NEVER_TAGGED = new ParallelSessionLock.Attempts() {
    @Override
    public Either<LockFailure, ParallelSessionLock.AttemptState> stateOf(LockRecord record) {
      return Either.right(ParallelSessionLock.AttemptState.SETTLED);
    }
  };
}
