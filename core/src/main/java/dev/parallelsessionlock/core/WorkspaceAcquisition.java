package dev.parallelsessionlock.core;

import java.util.List;

/** The expected outcomes of {@link WorkspaceLease#acquire}. */
public sealed interface WorkspaceAcquisition {

  /** The caller holds the workspace lease now (new, renewed or taken over). */
  record Acquired(Acquisition.Acquired lease) implements WorkspaceAcquisition {}

  /** Another session holds the workspace lease, fresh; nothing was written. */
  record Blocked(Acquisition.Blocked lease) implements WorkspaceAcquisition {}

  /**
   * Other sessions or tasks hold file locks in the work tree (files mode), fresh; the lease this call wrote was
   * given back. Another caller may have backed off from this one at the same moment: trying again after a short,
   * random pause settles it.
   *
   * @param files every such file lock, with its holder
   */
  record FilesHeld(List<LockStatus.Held> files) implements WorkspaceAcquisition {
    public FilesHeld {
      files = List.copyOf(files);
    }
  }
}
