package dev.parallelsessionlock.hook.runtime;

import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FileLocks;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.Refresh;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.core.Slot;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Files mode keeps uncommitted work. At the end of a turn a session keeps its locks on the files it changed that
 * still differ from {@code HEAD} (staged or not, or untracked), renewed for {@link #DEFAULT_KEEP}; the rest are
 * released, as the seed's "Stop releases" has it. A kept lock is released when git shows the file as committed
 * again (checked after every shell command of the session that ran git), at SessionEnd, by {@code files release},
 * or at once when the session's process dies (the protocol's dead-holder rule), so a long keep never outlives its
 * session. A file outside any git work tree has no {@code HEAD} to differ from: it is released. When git cannot
 * tell in time (no git, a broken repository, a status slower than half the hook's deadline), the end of a turn
 * releases as the seed does: the keep is a protection on top, never a reason to hold a lock nobody can explain.
 * Plain loops, no lambdas (the hook path).
 */
final class KeptFiles {

  /** How long a kept lock lasts without a renewal: a working day; the holder's death frees it at once anyway. */
  static final Duration DEFAULT_KEEP = Duration.ofHours(8);

  /** What the end of a turn did: the files kept, and how many locks were released. */
  static final class Outcome {
    final List<String> kept;
    final int released;

    Outcome(List<String> kept, int released) {
      this.kept = kept;
      this.released = released;
    }
  }

  private KeptFiles() {}

  /**
   * At the end of a turn: keeps (renews for {@code keep}) the session's locks on files git shows changed, releases
   * the others. {@code budgetMs} bounds each {@code git status}.
   */
  static Either<LockFailure, Outcome> atTurnEnd(FileLocks files, Claimant claimant, Duration keep, long budgetMs) {
    // The session's records read once: the release and the renewal write from these reads.
    Either<LockFailure, List<Slot.Held>> held = files.held(claimant);
    if (held.isLeft()) {
      return Either.left(held.getLeft());
    }
    Map<String, Slot.Held> byPath = new LinkedHashMap<>();
    for (Slot.Held slot : held.get()) {
      byPath.put(slot.record().details().path().get(), slot);
    }
    List<String> changed = new ArrayList<>();
    List<String> clean = new ArrayList<>();
    split(new ArrayList<>(byPath.keySet()), budgetMs, false, changed, clean);
    Either<LockFailure, List<Release>> released = files.releaseHeld(slotsOf(clean, byPath), claimant);
    if (released.isLeft()) {
      return Either.left(released.getLeft());
    }
    if (!changed.isEmpty()) {
      Either<LockFailure, List<Refresh>> renewed = files.renew(slotsOf(changed, byPath), claimant, keep);
      if (renewed.isLeft()) {
        return Either.left(renewed.getLeft());
      }
    }
    return Either.right(new Outcome(changed, countReleased(released.get())));
  }

  private static List<Slot.Held> slotsOf(List<String> paths, Map<String, Slot.Held> byPath) {
    List<Slot.Held> slots = new ArrayList<>(paths.size());
    for (String path : paths) {
      slots.add(byPath.get(path));
    }
    return slots;
  }

  /**
   * After a shell command of the session that ran git: releases the session's locks on the files git now shows as
   * committed (a commit, a stash, a restore). When git cannot tell, nothing is released. Returns how many.
   */
  static Either<LockFailure, Integer> afterGit(FileLocks files, Claimant claimant, long budgetMs) {
    Either<LockFailure, List<String>> held = files.heldPaths(claimant);
    if (held.isLeft()) {
      return Either.left(held.getLeft());
    }
    if (held.get().isEmpty()) {
      return Either.right(0);
    }
    List<String> changed = new ArrayList<>();
    List<String> clean = new ArrayList<>();
    split(held.get(), budgetMs, true, changed, clean);
    return release(files, claimant, clean);
  }

  /**
   * Sorts {@code paths} into those git shows changed and those it shows committed, one {@code git status} per work
   * tree. A file outside any work tree counts as committed. Files of a tree git cannot tell about count as changed
   * when {@code unknownIsChanged}, else as committed.
   */
  private static void split(List<String> paths, long budgetMs, boolean unknownIsChanged, List<String> changed,
      List<String> clean) {
    Map<Path, List<String>> byTree = new LinkedHashMap<>();
    Map<String, Path> trees = Workspaces.gitWorkTreesOf(paths);
    for (String path : paths) {
      Path tree = trees.get(path);
      if (tree == null) {
        clean.add(path);
        continue;
      }
      List<String> ofTree = byTree.get(tree);
      if (ofTree == null) {
        ofTree = new ArrayList<>();
        byTree.put(tree, ofTree);
      }
      ofTree.add(path);
    }
    for (Map.Entry<Path, List<String>> tree : byTree.entrySet()) {
      Option<Map<String, GitStatus.Entry>> status = GitStatus.of(tree.getKey(), tree.getValue(), budgetMs);
      for (String path : tree.getValue()) {
        if (status.isEmpty() ? unknownIsChanged : status.get().containsKey(path)) {
          changed.add(path);
        } else {
          clean.add(path);
        }
      }
    }
  }

  private static Either<LockFailure, Integer> release(FileLocks files, Claimant claimant, List<String> paths) {
    if (paths.isEmpty()) {
      return Either.right(0);
    }
    Either<LockFailure, List<Release>> released = files.release(lockedFiles(paths), claimant);
    if (released.isLeft()) {
      return Either.left(released.getLeft());
    }
    return Either.right(countReleased(released.get()));
  }

  private static int countReleased(List<Release> released) {
    int count = 0;
    for (Release release : released) {
      if (release instanceof Release.Released) {
        count++;
      }
    }
    return count;
  }

  private static List<FileLocks.LockedFile> lockedFiles(List<String> paths) {
    List<FileLocks.LockedFile> files = new ArrayList<>(paths.size());
    for (String path : paths) {
      files.add(Workspaces.lockedFile(Path.of(path)));
    }
    return files;
  }
}
