package dev.parallelsessionlock.markdown;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.testkit.Contender;
import dev.parallelsessionlock.testkit.ContenderLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Claims by separate JVMs (the testkit's {@link Contender} over {@link WorkItemContender}) through the real
 * filesystem: one winner per round, and never a torn item.
 */
final class ClaimProcessTest {

  @TempDir
  Path temp;

  private static final String ITEM = "---\r\nid: WRK-157\r\ntitle: \"Session locking\"  # keep me\r\nlocked_by: ''\r\n"
      + "locked_at: ''\r\n---\r\n\r\n## What\r\n---\r\nbody\r\n";

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
    Path log = temp.resolve("claims.log");
    String go = temp.resolve("go").toString();
    List<Process> racers = new ArrayList<>();
    for (int id = 0; id < jvms; id++) {
      racers.add(Contender.start(WorkItemContender.class, item.toString(), "race", String.valueOf(id),
          String.valueOf(rounds), log.toString(), go));
    }
    for (int round = 0; round < rounds; round++) {
      Contender.go(go, round);
      String winner = ContenderLog.winner(ContenderLog.awaitRound(log, round, jvms, Duration.ofMinutes(2)));
      assertThat(winner).as("round %d", round).endsWith(" WON NEW");
      assertThat(parse(item).lockedBy()).as("the item names the winner").contains("racer-" + ContenderLog.racer(winner));
      // Free it for the next round, as its holder would.
      Files.writeString(item, parse(item).withoutClaim());
    }
    Contender.go(go, -1);
    for (Process racer : racers) {
      assertThat(racer.waitFor(1, TimeUnit.MINUTES)).isTrue();
      assertThat(racer.exitValue()).isZero();
    }
    assertThat(Files.readString(item)).isEqualTo(ITEM);
  }

  @Test
  void eightJvmsClaimingAndUnclaimingOneItem_neverHoldItTogether_andLeaveItAsItWas() throws Exception {
    int jvms = 8;
    int rounds = 30;
    Path item = Files.writeString(temp.resolve("WRK-157.md"), ITEM);
    Path log = temp.resolve("holds.log");
    List<Process> contenders = new ArrayList<>();
    for (int id = 0; id < jvms; id++) {
      contenders.add(Contender.start(WorkItemContender.class, item.toString(), "contend", String.valueOf(id),
          String.valueOf(rounds), log.toString()));
    }
    for (Process contender : contenders) {
      assertThat(contender.waitFor(5, TimeUnit.MINUTES)).as("contender finished").isTrue();
      assertThat(contender.exitValue()).isZero();
    }

    ContenderLog.assertNoOverlap(log, jvms, rounds);
    assertThat(Files.readString(item)).isEqualTo(ITEM);
  }

  @Test
  void aClaimerKilledMidClaim_leavesTheOldOrTheNewItem_neverATornOne() throws Exception {
    Path item = Files.writeString(temp.resolve("WRK-157.md"), ITEM);
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
      Process churner = Contender.start(WorkItemContender.class, item.toString(), "churn", "churner");
      assertThat(Contender.firstLine(churner)).isEqualTo("GO");
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
