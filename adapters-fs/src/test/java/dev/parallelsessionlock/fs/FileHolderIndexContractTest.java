package dev.parallelsessionlock.fs;

import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.testkit.HolderIndexContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The holder index contract over the file store's index (one empty file per key). */
final class FileHolderIndexContractTest extends HolderIndexContract {

  @TempDir
  Path temp;

  @Override
  protected HolderIndex newIndex() {
    return FileHolderIndex.of(TempStores.fresh(temp, false));
  }
}
