package dev.parallelsessionlock.hook.commands;

import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/** A command about one project: {@code --dir DIR}, which must be an existing directory, checked before it runs. */
abstract class DirectoryCommand implements Callable<Integer> {

  final CommandContext context;

  @Option(names = "--dir", paramLabel = "DIR", description = "the project (default: $CLAUDE_PROJECT_DIR, else here)")
  String dir;

  DirectoryCommand(CommandContext context) {
    this.context = context;
  }

  @Override
  public final Integer call() {
    io.vavr.control.Option<String> problem = context.dirProblem(dir);
    return problem.isDefined() ? context.usage(problem.get()) : run();
  }

  /** The command, once {@code --dir} is known to be usable. */
  abstract int run();
}
