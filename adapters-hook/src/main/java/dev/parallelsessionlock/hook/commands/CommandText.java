package dev.parallelsessionlock.hook.commands;

import dev.parallelsessionlock.core.Liveness;
import dev.parallelsessionlock.core.LockStatus;
import dev.parallelsessionlock.hook.Version;
import java.util.Locale;
import picocli.CommandLine;

/**
 * The words the command groups share: the version line and the exit codes every command's help ends with, and how
 * a held lock is named. The groups use this, never {@link Commands} (which only assembles them) or each other.
 */
final class CommandText {

  /** Every command's help ends with the exit codes. */
  static final String EXIT_CODES = "%nExit codes: 0 success; 3 doctor found a problem; 4 a file or a work item is held "
      + "by another session or task; 5 a task's file changed outside it; 6 a plan's tasks overlap; 7 the queue has "
      + "another processor; 8 the queue stopped, its entries kept (a dirty checked-out target, a validation that "
      + "deleted the queue's files); 64 usage error; "
      + "65 a settings file, a work item or a plan is malformed (left untouched); 66 no such work item, plan, "
      + "baseline or linked worktree; 69 the lock store or the install location cannot be used; 70 internal "
      + "error; 73 the worktree could not be made. "
      + "See session-lock --help.";

  private CommandText() {}

  /** What {@code COMMAND --version} prints. */
  static final class VersionText implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"session-lock " + Version.TEXT};
    }
  }

  /** The file a held lock is for, else its key. */
  static String pathOf(LockStatus.Held held) {
    return held.record().details().path().getOrElse(held.key().name());
  }

  /** The holder's liveness in one word ({@code DEAD} stands out). */
  static String liveness(LockStatus.Held held) {
    return held.liveness() == Liveness.DEAD ? "DEAD" : held.liveness().name().toLowerCase(Locale.ROOT);
  }
}
