package dev.parallelsessionlock.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The log {@link Contender}s append to, and its checks. Each line is one {@code O_APPEND} write, so the file is one
 * global order of what every contender did.
 */
public final class ContenderLog {

  private ContenderLog() {}

  /** The log opened for appending, made when missing. */
  static FileChannel open(Path log) throws IOException {
    return FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  /** Appends {@code line} in one write. */
  static void append(FileChannel log, String line) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      log.write(bytes);
    }
  }

  /**
   * No two holds overlapped: every {@code E} is followed by the {@code X} of the same contender and round before any
   * other {@code E}; and each of {@code contenders} completed {@code rounds} rounds.
   */
  public static void assertNoOverlap(Path log, int contenders, int rounds) throws IOException {
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).as("lines of %d contenders, %d rounds each", contenders, rounds).hasSize(2 * contenders * rounds);
    Map<String, Integer> completed = new HashMap<>();
    String inside = null;
    for (int i = 0; i < lines.size(); i++) {
      String[] parts = lines.get(i).split(" ");
      String holder = parts[1] + " " + parts[2];
      if (parts[0].equals("E")) {
        assertThat(inside).as("line %d: nobody inside when %s enters", i, holder).isNull();
        inside = holder;
      } else {
        assertThat(holder).as("line %d: the one inside leaves", i).isEqualTo(inside);
        inside = null;
        completed.merge(parts[1], 1, Integer::sum);
      }
    }
    assertThat(completed).hasSize(contenders).allSatisfy((id, count) -> assertThat(count).isEqualTo(rounds));
  }

  /** The lines of {@code round} of a race, once all {@code racers} answered it (or {@code timeout} passed). */
  public static List<String> awaitRound(Path log, int round, int racers, Duration timeout) throws Exception {
    String prefix = "R " + round + " ";
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> lines = new ArrayList<>();
    do {
      Thread.sleep(2);
      lines.clear();
      if (Files.exists(log)) {
        for (String line : Files.readAllLines(log)) {
          if (line.startsWith(prefix)) {
            lines.add(line);
          }
        }
      }
    } while (lines.size() < racers && System.nanoTime() < deadline);
    assertThat(lines).as("round %d answered by every racer", round).hasSize(racers);
    return lines;
  }

  /** The one winner's line among a round's {@code lines}; fails when none or several won, or one failed. */
  public static String winner(List<String> lines) {
    assertThat(lines).as("no racer failed").noneMatch(line -> line.split(" ")[3].equals("FAILED"));
    List<String> winners = new ArrayList<>();
    for (String line : lines) {
      if (line.split(" ")[3].equals("WON")) {
        winners.add(line);
      }
    }
    assertThat(winners).as("winners of the round").hasSize(1);
    return winners.get(0);
  }

  /** The racer id in a round's line ({@code R round id outcome}). */
  public static String racer(String line) {
    return line.split(" ")[2];
  }
}
