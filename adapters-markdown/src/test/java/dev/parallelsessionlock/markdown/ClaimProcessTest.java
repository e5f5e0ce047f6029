package dev.parallelsessionlock.markdown;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Claims by separate JVMs through the real filesystem: one winner per round, and never a torn item. */
final class ClaimProcessTest {

  @TempDir
  Path temp;

  private static final String ITEM = "---\r\nid: WRK-157\r\ntitle: \"Session locking\"  # keep me\r\nlocked_by: ''\r\n"
      + "locked_at: ''\r\n---\r\n\r\n## What\r\n---\r\nbody\r\n";

  private static Process jvm(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), ClaimContender.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static FrontMatter parse(Path item) throws Exception {
    var parsed = FrontMatter.parse(item, Files.readAllBytes(item));
    assertThat(parsed.isRight()).as("the item parses: %s", parsed).isTrue();
    return parsed.get();
  }

  @Test
  void eightJvmsClaimingOneItemAtTheSameInstant_haveExactlyOneWinnerEachRound() throws Exception {
    int jvms = 8;
    int rounds = 50;
    Path item = Files.writeString(temp.resolve("WRK-157.md"), ITEM);
    Path locks = temp.resolve("locks");
    Path log = temp.resolve("claims.log");
    String go = temp.resolve("go").toString();
    List<Process> racers = new ArrayList<>();
    for (int id = 0; id < jvms; id++) {
      racers.add(jvm("race", locks.toString(), item.toString(), String.valueOf(id), String.valueOf(rounds),
          log.toString(), go));
    }
    for (int round = 0; round < rounds; round++) {
      Files.createFile(Path.of(go + "-" + round));
      String prefix = "R " + round + " ";
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      List<String> lines;
      do {
        Thread.sleep(2);
        lines = Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.startsWith(prefix)).toList() : List.of();
      } while (lines.size() < jvms && System.nanoTime() < deadline);
      assertThat(lines).as("round %d answered by every JVM", round).hasSize(jvms).noneMatch(l -> l.contains("FAILED"));
      List<String> winners = lines.stream().filter(l -> l.endsWith(" WON")).toList();
      assertThat(winners).as("winners of round %d", round).hasSize(1);
      String winner = "p" + winners.get(0).split(" ")[2];
      assertThat(parse(item).lockedBy()).as("the item names the winner").contains(winner);
      // Free it for the next round, as its holder would.
      Files.writeString(item, parse(item).withoutClaim());
    }
    Files.createFile(Path.of(go + "-end"));
    for (Process racer : racers) {
      assertThat(racer.waitFor(1, TimeUnit.MINUTES)).isTrue();
      assertThat(racer.exitValue()).isZero();
    }
    assertThat(Files.readString(item)).isEqualTo(ITEM);
  }

  @Test
  void aClaimerKilledMidClaim_leavesTheOldOrTheNewItem_neverATornOne() throws Exception {
    Path item = Files.writeString(temp.resolve("WRK-157.md"), ITEM);
    Path locks = temp.resolve("locks");
    String claimed = parse(item).withClaim("churner", "2026-01-01T00:00:00Z");
    AtomicBoolean reading = new AtomicBoolean(true);
    AtomicReference<String> torn = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      while (reading.get()) {
        try {
          String text = Files.readString(item);
          var parsed = FrontMatter.parse(item, text.getBytes(StandardCharsets.UTF_8));
          if (parsed.isLeft() || !(parsed.get().withoutClaim().equals(ITEM))) {
            torn.compareAndSet(null, text);
          }
        } catch (Exception e) {
          torn.compareAndSet(null, e.toString());
        }
      }
    });
    reader.start();
    for (int kill = 0; kill < 6; kill++) {
      Process churner = jvm("churn", locks.toString(), item.toString());
      BufferedReader out = new BufferedReader(new InputStreamReader(churner.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("GO");
      Thread.sleep(ThreadLocalRandom.current().nextInt(50, 400));
      churner.destroyForcibly().waitFor();
      FrontMatter after = parse(item);
      assertThat(after.lockedBy().isEmpty() || after.lockedBy().contains("churner")).isTrue();
      assertThat(after.withoutClaim()).as("only the two values ever change").isEqualTo(ITEM);
    }
    reading.set(false);
    reader.join();
    assertThat(torn.get()).as("a reader saw a torn or changed item").isNull();
    assertThat(claimed).contains("locked_by: 'churner'");
  }
}
