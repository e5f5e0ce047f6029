package dev.parallelsessionlock.markdown;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;

/**
 * A separate JVM claiming work items for real, driven by {@link ClaimProcessTest}.
 *
 * <ul>
 *   <li>{@code race <lockDir> <item> <id> <rounds> <log> <go>}: for each round r, wait for the file {@code <go>-r},
 *       claim once as session {@code p<id>} and append {@code R r id WON|BLOCKED|FAILED}; exit once
 *       {@code <go>-end} exists.</li>
 *   <li>{@code churn <lockDir> <item>}: claim and unclaim in a loop as session {@code churner}, printing
 *       {@code GO} once, until killed.</li>
 * </ul>
 */
public final class ClaimContender {

  public static void main(String[] args) throws Exception {
    WorkItems items = WorkItems.open(Path.of(args[1]), ProcessTableLiveness.forThisHost(), Clock.systemUTC(),
        WorkItems.DEFAULT_STALE_AFTER).getOrElseThrow(f -> new IllegalStateException(f.describe()));
    Path item = Path.of(args[2]);
    if (args[0].equals("churn")) {
      Claimant me = new Claimant("churner", LocalProcesses.current());
      System.out.println("GO");
      System.out.flush();
      while (true) {
        items.claim(item, me);
        items.unclaim(item, me);
      }
    }
    String id = args[3];
    int rounds = Integer.parseInt(args[4]);
    Path log = Path.of(args[5]);
    String go = args[6];
    Claimant me = new Claimant("p" + id, LocalProcesses.current());
    for (int round = 0; round < rounds; round++) {
      Path signal = Path.of(go + "-" + round);
      while (!Files.exists(signal)) {
        Thread.sleep(1);
      }
      var result = items.claim(item, me);
      String outcome = result.isLeft() ? "FAILED " + result.getLeft().describe()
          : result.get() instanceof Acquisition.Acquired ? "WON" : "BLOCKED";
      append(log, "R " + round + " " + id + " " + outcome + "\n");
    }
    while (!Files.exists(Path.of(go + "-end"))) {
      Thread.sleep(5);
    }
  }

  /** One O_APPEND write: the log is a global order. */
  private static void append(Path log, String line) throws Exception {
    try (FileChannel channel = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      channel.write(java.nio.ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
    }
  }
}
