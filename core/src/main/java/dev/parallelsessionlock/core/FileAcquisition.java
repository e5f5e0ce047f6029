package dev.parallelsessionlock.core;

import java.util.List;

/** The two expected outcomes of {@link FileLocks#acquire}: every file, or none. */
public sealed interface FileAcquisition {

  /** The caller holds every file now (new, renewed, taken over, or used through its task). */
  record Acquired(List<Acquisition.Acquired> files) implements FileAcquisition {
    public Acquired {
      files = List.copyOf(files);
    }
  }

  /**
   * At least one file is held by another holder; nothing the call took stays taken.
   *
   * @param held every file that is held, with its holder
   */
  record Blocked(List<Acquisition.Blocked> held) implements FileAcquisition {
    public Blocked {
      held = List.copyOf(held);
    }
  }
}
