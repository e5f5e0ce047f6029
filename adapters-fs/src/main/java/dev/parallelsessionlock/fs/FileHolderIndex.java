package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.store.IoErrors;
import io.vavr.control.Either;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@link HolderIndex} of a {@link FileLockStore}: one empty file per key a holder may hold,
 * {@code <lock dir>/holders/<12 hex digits of the holder's MD5>/<key>}. Creating and deleting a name is atomic, so
 * concurrent hooks of one session never lose each other's entries; a folder left empty is removed. A hash
 * collision of two holders only makes a release try a key that is not its own, which the protocol refuses.
 */
public final class FileHolderIndex implements HolderIndex {

  static final String DIRECTORY = "holders";

  private final Path root;

  private FileHolderIndex(Path root) {
    this.root = root;
  }

  /** The index beside the records of {@code store}. */
  public static FileHolderIndex of(FileLockStore store) {
    return new FileHolderIndex(store.directory().resolve(DIRECTORY));
  }

  private Path folder(String holder) {
    return root.resolve(WorkspaceHash.of(holder).hex());
  }

  @Override
  public Either<StoreFailure, LockKey> add(String holder, LockKey key) {
    Path entry = folder(holder).resolve(key.name());
    for (int attempt = 0; attempt < 100; attempt++) {
      try {
        if (entry.toFile().exists()) { // one stat; NIO's exists throws inside for a missing file
          return Either.right(key);
        }
        try {
          Files.createDirectories(entry.getParent());
        } catch (FileAlreadyExistsException folderRemovedMeanwhile) {
          // createDirectories saw the folder, then a remove deleted it before it could check: try again
          continue;
        }
        Files.createFile(entry);
        return Either.right(key);
      } catch (FileAlreadyExistsException already) {
        return Either.right(key);
      } catch (NoSuchFileException folderRemovedMeanwhile) {
        // a remove emptied and deleted the folder between our two calls: make it again
      } catch (IOException e) {
        return Either.left(new StoreFailure(key, "index", IoErrors.describe(e)));
      }
    }
    return Either.left(new StoreFailure(key, "index", "the holder's index folder kept disappearing"));
  }

  @Override
  public Either<StoreFailure, LockKey> remove(String holder, LockKey key) {
    Path folder = folder(holder);
    try {
      Files.deleteIfExists(folder.resolve(key.name()));
    } catch (IOException e) {
      return Either.left(new StoreFailure(key, "unindex", IoErrors.describe(e)));
    }
    // java.io's delete answers false while other entries remain: no exception per key when a session ends with
    // thousands of them (NIO's throws DirectoryNotEmptyException, which cost more than the delete itself).
    folder.toFile().delete();
    return Either.right(key);
  }

  @Override
  public Either<StoreFailure, List<LockKey>> keys(String holder) {
    List<LockKey> keys = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder(holder))) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (isKey(name)) {
          keys.add(new LockKey(name));
        }
      }
    } catch (NoSuchFileException none) {
      return Either.right(List.of());
    } catch (IOException e) {
      return Either.left(new StoreFailure(null, "read the index of " + holder, IoErrors.describe(e)));
    }
    Collections.sort(keys);
    return Either.right(List.copyOf(keys));
  }

  private static boolean isKey(String name) {
    try {
      new LockKey(name);
      return true;
    } catch (IllegalArgumentException notOurs) {
      return false;
    }
  }
}
