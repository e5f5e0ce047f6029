package dev.parallelsessionlock.markdown;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockStatus;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessLiveness;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.store.IoErrors;
import dev.parallelsessionlock.store.LockDirectory;
import dev.parallelsessionlock.store.RegularFiles;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;

/**
 * Work-item claims for people and for Java tools: claim, unclaim, read and list, with every outcome a value. A
 * claim is the lock protocol over a {@link WorkItemStore}: acquire claims (or renews the caller's own claim),
 * takes over a claim older than {@code staleAfter} or one whose session's process is gone, and refuses a fresh
 * claim of another session; release is the holder's unclaim; force release is a person's.
 */
public final class WorkItems {

  /** The seed's rule: a claim older than 2 hours is stale. */
  public static final Duration DEFAULT_STALE_AFTER = Duration.ofHours(2);

  /** A work item with its claim as people see it. */
  public record ItemClaim(Path file, Option<String> id, LockStatus status) {}

  /**
   * An item's claim as a key on the protocol, for what waits for it (the fair line): {@code key}, the lock that
   * judges it, and {@code path}, the item's real path, kept in the claim.
   */
  public record ClaimKey(LockKey key, ParallelSessionLock lock, String path) {}

  private final ConcurrentMap<LockKey, Path> known = new ConcurrentHashMap<>();
  private final ParallelSessionLock lock;

  private WorkItems(LockDirectory claims, ProcessLiveness liveness, Clock clock, Duration staleAfter) {
    WorkItemStore store = new WorkItemStore(claims, staleAfter, new WorkItemStore.Items() {
      @Override
      public Option<Path> pathOf(LockKey key) {
        return Option.of(known.get(key));
      }

      @Override
      public List<LockKey> keys() {
        return List.ofAll(known.keySet()).sorted();
      }
    });
    this.lock = ParallelSessionLock.of(store, liveness, clock).withTtl(staleAfter);
  }

  /**
   * Claims kept in {@code lockDir/claims} (guards and which process each session runs in), judged by
   * {@code liveness} and {@code clock}; a claim is stale after {@code staleAfter}.
   */
  public static Either<StoreFailure, WorkItems> open(Path lockDir, ProcessLiveness liveness, Clock clock,
      Duration staleAfter) {
    return LockDirectory.open(lockDir.resolve("claims")).map(claims -> new WorkItems(claims, liveness, clock, staleAfter));
  }

  /**
   * The item {@code item} names: a file (relative to {@code cwd}), else an id ({@code WRK-157}) matching the
   * {@code id} of exactly one markdown file under {@code itemsDir}.
   */
  public static Either<ClaimFailure, Path> find(String item, Path cwd, Option<Path> itemsDir) {
    Path asFile = cwd.resolve(item);
    if (Files.isRegularFile(asFile)) {
      return Either.right(asFile);
    }
    if (item.contains("/") || item.endsWith(".md")) {
      return Either.left(new ClaimFailure.NotFound(item, "no such file"));
    }
    if (itemsDir.isEmpty()) {
      return Either.left(new ClaimFailure.NotFound(item, "no such file, and no --items DIR ($SESSION_LOCK_ITEMS) "
          + "to look for it by id"));
    }
    Either<ClaimFailure, List<Path>> all = markdownFiles(itemsDir.get());
    if (all.isLeft()) {
      return Either.left(all.getLeft());
    }
    List<Path> matches = all.get().filter(file -> idOf(file).contains(item));
    if (matches.isEmpty()) {
      return Either.left(new ClaimFailure.NotFound(item, "no work item under " + itemsDir.get() + " has this id"));
    }
    if (matches.size() > 1) {
      return Either.left(new ClaimFailure.Ambiguous(item, matches.asJava()));
    }
    return Either.right(matches.get());
  }

  private static Option<String> idOf(Path file) {
    try {
      RegularFiles.requireRegular(file, true);
      return FrontMatter.parse(file, Files.readAllBytes(file)).fold(malformed -> Option.none(), FrontMatter::id);
    } catch (IOException e) {
      return Option.none();
    }
  }

  private static Either<ClaimFailure, List<Path>> markdownFiles(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return Either.right(List.ofAll(files.filter(f -> f.toString().endsWith(".md") && Files.isRegularFile(f))
          .sorted().toList()));
    } catch (IOException e) {
      return Either.left(new ClaimFailure.NotFound(dir.toString(), IoErrors.describe(e)));
    }
  }

  /** Claims {@code item} for {@code claimant}, renews its own claim, or says who holds it. */
  public Either<ClaimFailure, Acquisition> claim(Path item, Claimant claimant) {
    return keyOf(item).flatMap(key -> lock.acquire(key.key(), claimant, lock.ttl(), Option.some(key.path()))
        .mapLeft(failure -> failed(failure, item)));
  }

  /**
   * The claim of {@code item} as a key on the one protocol: a fair line over it ({@code FairLine.of(lock, the lock
   * directory)}, granted by {@code Grantor.lease(lock, key, ...)}) is the claim that {@link #claim} makes, in order.
   */
  public Either<ClaimFailure, ClaimKey> claimKey(Path item) {
    return keyOf(item).map(key -> new ClaimKey(key.key(), lock, key.path()));
  }

  /** Removes {@code claimant}'s own claim on {@code item}; another session's stays ({@link Release.NotHolder}). */
  public Either<ClaimFailure, Release> unclaim(Path item, Claimant claimant) {
    return keyOf(item).flatMap(key -> lock.release(key.key(), claimant).mapLeft(failure -> failed(failure, item)));
  }

  /** For a person: removes whatever claim {@code item} has and returns it (none when it had none). */
  public Either<ClaimFailure, Option<Slot>> forceUnclaim(Path item) {
    return keyOf(item).flatMap(key -> lock.forceRelease(key.key()).mapLeft(failure -> failed(failure, item)));
  }

  /** The claim on {@code item}: free, or held with its holder's liveness, age and time left. */
  public Either<ClaimFailure, LockStatus> read(Path item) {
    return keyOf(item).flatMap(key -> lock.status(key.key()).mapLeft(failure -> failed(failure, item)));
  }

  /** Every markdown work item under {@code dir} with its claim; files that cannot hold a claim are skipped. */
  public Either<ClaimFailure, List<ItemClaim>> claims(Path dir, java.util.function.Consumer<Malformed> skipped) {
    Either<ClaimFailure, List<Path>> files = markdownFiles(dir);
    if (files.isLeft()) {
      return Either.left(files.getLeft());
    }
    List<ItemClaim> claims = List.empty();
    for (Path file : files.get()) {
      Either<ClaimFailure, FrontMatter> parsed = parse(file);
      if (parsed.isLeft()) {
        if (parsed.getLeft() instanceof ClaimFailure.Unclaimable unclaimable) {
          skipped.accept(unclaimable.malformed());
          continue;
        }
        return Either.left(parsed.getLeft());
      }
      Either<ClaimFailure, LockStatus> status = read(file);
      if (status.isLeft()) {
        if (status.getLeft() instanceof ClaimFailure.Unclaimable unclaimable) {
          skipped.accept(unclaimable.malformed());
          continue;
        }
        return Either.left(status.getLeft());
      }
      claims = claims.append(new ItemClaim(file, parsed.get().id(), status.get()));
    }
    return Either.right(claims);
  }

  private Either<ClaimFailure, KnownItem> keyOf(Path item) {
    Either<ClaimFailure, FrontMatter> parsed = parse(item);
    if (parsed.isLeft()) {
      return Either.left(parsed.getLeft());
    }
    try {
      Path real = item.toRealPath();
      LockKey key = LockKey.claim(real.toString());
      known.put(key, real);
      return Either.right(new KnownItem(key, real.toString()));
    } catch (IOException e) {
      return Either.left(new ClaimFailure.NotFound(item.toString(), IoErrors.describe(e)));
    }
  }

  /** A claimable item's key and real path. */
  private record KnownItem(LockKey key, String path) {}

  private static Either<ClaimFailure, FrontMatter> parse(Path item) {
    byte[] bytes;
    try {
      RegularFiles.requireRegular(item, true); // a FIFO would block the read; a symlinked item is fine
      bytes = Files.readAllBytes(item);
    } catch (java.nio.file.NoSuchFileException e) {
      return Either.left(new ClaimFailure.NotFound(item.toString(), "no such file"));
    } catch (IOException e) {
      return Either.left(new ClaimFailure.Unavailable(new LockFailure.StoreUnavailable(
          new StoreFailure(null, "read " + item, IoErrors.describe(e)))));
    }
    Either<Malformed, FrontMatter> parsed = FrontMatter.parse(item, bytes);
    if (parsed.isLeft()) {
      return Either.left(new ClaimFailure.Unclaimable(parsed.getLeft()));
    }
    FrontMatter frontMatter = parsed.get();
    Either<Malformed, Option<java.time.Instant>> claimedAt = frontMatter.claimedAt();
    if (claimedAt.isLeft()) {
      return Either.left(new ClaimFailure.Unclaimable(claimedAt.getLeft()));
    }
    return Either.right(frontMatter);
  }

  private static ClaimFailure failed(LockFailure failure, Path item) {
    return new ClaimFailure.Unavailable(failure);
  }
}
