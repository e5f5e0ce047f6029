package dev.parallelsessionlock.core;

import io.vavr.control.Either;
import io.vavr.control.Option;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The grant a {@link FairLine} hands out when it is a claimant's turn: one all-or-nothing try to take every key of
 * the attempt, on the protocol ({@link ParallelSessionLock#acquire}, {@link FileLocks#acquire}, {@link
 * WorkspaceLease#acquire}). The line decides whose turn it is; the grantor decides whether the keys are free, by the
 * protocol's own rules (stale and dead holders are taken over, the caller's own lease is renewed).
 *
 * <p>The factories below are anonymous classes, not lambdas: the hook calls them (HookStartupIT).
 *
 * @param <G> the protocol's own outcome, handed back unchanged for the caller's messages
 */
public interface Grantor<G> {

  /** One try, now. {@link LockFailure} when the store failed or the try did not settle (try again). */
  Either<LockFailure, Taking<G>> take();

  /** What one try came to. */
  sealed interface Taking<G> {
    G outcome();

    /** Every key is the claimant's now. */
    record Taken<G>(G outcome) implements Taking<G> {}

    /**
     * Held by others; nothing was taken. {@code by}: every lock that refused it, with its holder and when its lease
     * ends (for a workspace lease refused by file locks, those file locks).
     */
    record Refused<G>(G outcome, List<Acquisition.Blocked> by) implements Taking<G> {
      public Refused {
        by = List.copyOf(by);
      }
    }
  }

  /** A single key on the protocol (a workspace lease without files, a work-item claim, any lease). */
  static Grantor<Acquisition> lease(ParallelSessionLock lock, LockKey key, Claimant claimant, Duration ttl,
      Option<String> path) {
    Objects.requireNonNull(lock, "lock");
    return new Grantor<Acquisition>() {
      @Override
      public Either<LockFailure, Taking<Acquisition>> take() {
        Either<LockFailure, Acquisition> got = lock.acquire(key, claimant, ttl, path);
        if (got.isLeft()) {
          return Either.left(got.getLeft());
        }
        if (got.get() instanceof Acquisition.Blocked blocked) {
          List<Acquisition.Blocked> by = new ArrayList<>(1);
          by.add(blocked);
          return Either.right(new Taking.Refused<>(got.get(), by));
        }
        return Either.right(new Taking.Taken<>(got.get()));
      }
    };
  }

  /** Several files, all or nothing ({@link FileLocks#acquire}). */
  static Grantor<FileAcquisition> files(FileLocks locks, List<FileLocks.LockedFile> files, Claimant claimant,
      Duration ttl) {
    Objects.requireNonNull(locks, "locks");
    List<FileLocks.LockedFile> copy = List.copyOf(files);
    return new Grantor<FileAcquisition>() {
      @Override
      public Either<LockFailure, Taking<FileAcquisition>> take() {
        Either<LockFailure, FileAcquisition> got = locks.acquire(copy, claimant, ttl);
        if (got.isLeft()) {
          return Either.left(got.getLeft());
        }
        if (got.get() instanceof FileAcquisition.Blocked blocked) {
          return Either.right(new Taking.Refused<>(got.get(), blocked.held()));
        }
        return Either.right(new Taking.Taken<>(got.get()));
      }
    };
  }

  /** The workspace lease, one namespace with the file locks ({@link WorkspaceLease#acquire}). */
  static Grantor<WorkspaceAcquisition> workspace(WorkspaceLease lease, WorkspaceHash workspace, Claimant claimant,
      Duration ttl, Option<String> path) {
    Objects.requireNonNull(lease, "lease");
    return new Grantor<WorkspaceAcquisition>() {
      @Override
      public Either<LockFailure, Taking<WorkspaceAcquisition>> take() {
        Either<LockFailure, WorkspaceAcquisition> got = lease.acquire(workspace, claimant, ttl, path);
        if (got.isLeft()) {
          return Either.left(got.getLeft());
        }
        WorkspaceAcquisition outcome = got.get();
        List<Acquisition.Blocked> by = new ArrayList<>();
        if (outcome instanceof WorkspaceAcquisition.Blocked blocked) {
          by.add(blocked.lease());
        } else if (outcome instanceof WorkspaceAcquisition.FilesHeld held) {
          Instant now = lease.now();
          for (LockStatus.Held file : held.files()) {
            by.add(new Acquisition.Blocked(file.key(), Option.some(file.record()), now.plus(file.remaining())));
          }
        } else {
          return Either.right(new Taking.Taken<>(outcome));
        }
        return Either.right(new Taking.Refused<>(outcome, by));
      }
    };
  }
}
