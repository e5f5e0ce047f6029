package dev.parallelsessionlock.git;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * A processor in a JVM of its own: {@code <repo> <validation command>}; killed by the test mid-validation, or run
 * to the end under an environment of the test's choosing. Prints what the run did as its last line.
 */
public final class QueueContender {

  public static void main(String[] args) {
    MergeQueue queue = MergeQueue.open(Path.of(args[0]), LockDirectoryLeases.INSTANCE).getOrElseThrow(problem -> new IllegalStateException(problem));
    var result = new QueueProcessor(queue, args[1], Duration.ofMinutes(5), 1, Clock.systemUTC(), System.err).process();
    System.err.println(result.isRight() ? "landed " + result.get().landed() + ", rejected " + result.get().rejected()
        : "failed: " + result.getLeft());
    System.exit(result.isRight() ? 0 : 1);
  }
}
