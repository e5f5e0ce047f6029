package dev.parallelsessionlock.hook;

/** Exit codes of {@code session-lock}, stable; listed in {@code --help} and the README. */
public final class ExitCodes {
  /** Success; in hook mode the tool call proceeds (also on any internal error: the hook fails open). */
  public static final int OK = 0;
  /** Hook mode only: the tool call is denied, another session holds the workspace. */
  public static final int DENY = 2;
  /** {@code doctor}: protection is not fully on; one line per problem says what to do. */
  public static final int PROBLEMS = 3;
  /** A file (or work item) is held by another holder; one line per held file says by whom. */
  public static final int HELD = 4;
  /** {@code check}, {@code task done}: a file of the task changed outside it since its snapshot. */
  public static final int STALE = 5;
  /** {@code overlap}: two tasks of one wave can touch the same file. */
  public static final int OVERLAP = 6;
  /** {@code queue process}: another processor is processing this queue. */
  public static final int QUEUE_BUSY = 7;
  /**
   * {@code queue process}: stopped with the entries kept: the target's checked-out worktree has uncommitted
   * changes, or a validation deleted the queue's files (written back).
   */
  public static final int QUEUE_STOPPED = 8;
  /** {@code worktree create}: the worktree could not be made (it exists, git or the install step failed). */
  public static final int CANNOT_CREATE = 73;
  /** A work item that is no file, or an id that matches no item or several items. */
  public static final int NO_ITEM = 66;
  /** Unknown command or option, or a {@code --dir} that is no directory. */
  public static final int USAGE = 64;
  /** A settings file or a work item is malformed; it was left untouched. */
  public static final int MALFORMED = 65;
  /** The lock directory or a file to install cannot be used (permissions, not a directory). */
  public static final int UNAVAILABLE = 69;
  /** Internal error in a command for people. */
  static final int INTERNAL = 70;

  private ExitCodes() {}
}
