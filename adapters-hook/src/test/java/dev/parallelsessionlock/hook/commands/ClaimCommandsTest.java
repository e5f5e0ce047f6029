package dev.parallelsessionlock.hook.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.testkit.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code claim}, {@code unclaim}, {@code claims}, {@code shell-init}: outputs and exit codes, in-process. */
final class ClaimCommandsTest {

  @TempDir
  Path temp;

  private final Map<String, String> env = new HashMap<>();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
  private final ProcessRef agent = LocalProcesses.current();
  private ByteArrayOutputStream out;
  private ByteArrayOutputStream err;
  private Path items;
  private static final String ITEM = "---\nid: WRK-157\nstatus: pending\nlocked_by: \"\"\nlocked_at: \"\"\n---\nbody\n";

  @BeforeEach
  void setUp() throws Exception {
    env.put("SESSION_LOCK_DIR", temp.resolve("locks").toString());
    items = Files.createDirectories(temp.resolve("work"));
    Files.writeString(items.resolve("WRK-157.md"), ITEM);
    env.put("SESSION_LOCK_ITEMS", items.toString());
    env.put("SESSION_LOCK_LAUNCHER", "/opt/sl/session-lock");
  }

  private int run(String... args) {
    out = new ByteArrayOutputStream();
    err = new ByteArrayOutputStream();
    return new Commands(env, temp, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), clock, () -> agent).run(args);
  }

  /** One command on its own thread with its own output: exit code, then stdout and stderr. */
  private java.util.concurrent.CompletableFuture<String[]> runAside(String... args) {
    return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      ByteArrayOutputStream o = new ByteArrayOutputStream();
      ByteArrayOutputStream e = new ByteArrayOutputStream();
      int code = new Commands(env, temp, new PrintStream(o, true, StandardCharsets.UTF_8),
          new PrintStream(e, true, StandardCharsets.UTF_8), clock, () -> agent).run(args);
      return new String[] {Integer.toString(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
    });
  }

  /** The tickets of the work items' lines in the lock directory. */
  private long tickets() throws java.io.IOException {
    try (java.util.stream.Stream<Path> files = Files.list(temp.resolve("locks"))) {
      return files.filter(f -> f.getFileName().toString().startsWith("wait-")).count();
    }
  }

  private void awaitTickets(long count) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (tickets() != count) {
      assertThat(System.nanoTime()).as("%d tickets in line", count).isLessThan(end);
      Thread.sleep(10); // a real wait in another thread: polled, as a person would look
    }
  }

  @Test
  void claimWait_whileHeld_waitsInLine_andIsServedWhenUnclaimed_beforeANewcomer() throws Exception {
    assertThat(run("claim", "WRK-157", "--session", "alice")).isZero();
    java.util.concurrent.CompletableFuture<String[]> bob = runAside("claim", "WRK-157", "--session", "bob", "--wait", "60");
    awaitTickets(1);

    assertThat(run("claim", "WRK-157", "--session", "carol")).as("carol, while alice holds and bob waits").isEqualTo(4);
    assertThat(tickets()).as("carol keeps no place without --wait").isEqualTo(1);
    assertThat(run("unclaim", "WRK-157", "--session", "alice")).isZero();
    int carol = run("claim", "WRK-157", "--session", "carol");
    String[] served = bob.get(30, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(carol).as("carol never overtakes bob: " + err()).isEqualTo(4);
    assertThat(served[0]).as(served[2]).isEqualTo("0");
    assertThat(served[1]).startsWith("claimed WRK-157 for session bob");
    assertThat(Files.readString(items.resolve("WRK-157.md"))).contains("locked_by: \"bob\"");
    assertThat(tickets()).as("bob left the line when served").isZero();
  }

  @Test
  void claim_withAMistypedSetting_saysItsWarningOnce() {
    env.put("SESSION_LOCK_TTL_MS", "ten minutes");

    assertThat(run("claim", "WRK-157", "--session", "alice")).isZero();

    assertThat(err().lines().filter(line -> line.contains("SESSION_LOCK_TTL_MS"))).hasSize(1);
  }

  @Test
  void claimWait_budgetEnds_deniedWithItsPlace_andThePlaceIsKept() throws Exception {
    assertThat(run("claim", "WRK-157", "--session", "alice")).isZero();

    assertThat(run("claim", "WRK-157", "--session", "bob", "--wait", "1")).isEqualTo(4);

    assertThat(err()).contains("is claimed by session alice").contains("Waited 1s in line; next in line (1st)")
        .contains("run the same command again before then");
    assertThat(tickets()).isEqualTo(1);
    assertThat(run("claim", "WRK-157", "--session", "bob", "--wait", "-1")).isEqualTo(64);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void claim_byId_thenRefusedForAnother_thenRenewed_thenUnclaimed() throws Exception {
    assertThat(run("claim", "WRK-157", "--session", "alice")).isZero();
    assertThat(out()).isEqualTo("claimed WRK-157 for session alice (" + items.resolve("WRK-157.md") + ")\n");

    clock.advance(Duration.ofMinutes(35));
    assertThat(run("claim", "WRK-157", "--session", "bob")).isEqualTo(4);
    assertThat(err()).isEqualTo("session-lock: WRK-157 is claimed by session alice since 35m0s ago; it is stale in "
        + "1h25m. Pick another item, wait for it (--wait SEC), or (if that session is gone) '/opt/sl/session-lock' unclaim '"
        + items.resolve("WRK-157.md") + "' --force\n");

    assertThat(run("claim", "WRK-157", "--session", "alice")).isZero();
    assertThat(out()).startsWith("renewed WRK-157");
    assertThat(Files.readString(items.resolve("WRK-157.md"))).contains("locked_at: \"2026-11-29T10:35:00Z\"");

    assertThat(run("unclaim", "WRK-157", "--session", "bob")).isEqualTo(4);
    assertThat(run("unclaim", "WRK-157", "--session", "alice")).isZero();
    assertThat(Files.readString(items.resolve("WRK-157.md"))).isEqualTo(ITEM);
    assertThat(run("unclaim", "WRK-157", "--session", "alice")).isZero();
    assertThat(out()).isEqualTo("WRK-157 is not claimed\n");
  }

  @Test
  void sessionFromTheAgentsEnvironment_isTheDefault_andNoneIsAUsageError() {
    assertThat(run("claim", "WRK-157")).isEqualTo(64);
    env.put("CLAUDE_CODE_SESSION_ID", "from-env");
    assertThat(run("claim", "WRK-157")).isZero();
    assertThat(out()).contains("for session from-env");
  }

  /**
   * Seed 000's own acceptance test, as a script runs it: two session ids from one shell (one process above both
   * commands). The second is a rival, not a renewal, whatever process they share and whichever owner rule is set.
   */
  @Test
  void twoSessionIds_fromOneShell_areRivals_underEitherOwnerRule() throws Exception {
    for (String owner : new String[] {"process", "session"}) {
      Files.writeString(items.resolve("WRK-157.md"), ITEM);
      env.put("SESSION_LOCK_OWNER", owner);
      env.put("CLAUDE_CODE_SESSION_ID", "A");
      assertThat(run("claim", "WRK-157")).isZero();
      env.put("CLAUDE_CODE_SESSION_ID", "B");

      assertThat(run("claim", "WRK-157")).as(owner).isEqualTo(4);
      assertThat(out() + err()).doesNotContain("renewed");
      assertThat(err()).contains("claimed by session A");
      assertThat(Files.readString(items.resolve("WRK-157.md"))).contains("locked_by: \"A\"");
      assertThat(run("unclaim", "WRK-157")).as(owner).isEqualTo(4);
      env.put("CLAUDE_CODE_SESSION_ID", "A");
      assertThat(run("claim", "WRK-157")).isZero();
      assertThat(out()).startsWith("renewed WRK-157 for session A");
      assertThat(run("unclaim", "WRK-157")).isZero();
    }
  }

  @Test
  void staleClaim_isTakenOverWithAWarningNamingThePreviousHolder() {
    run("claim", "WRK-157", "--session", "alice");
    clock.advance(Duration.ofMinutes(31));

    assertThat(run("claim", "WRK-157", "--session", "bob", "--stale-after", "30m")).isZero();
    assertThat(err()).isEqualTo("session-lock: warning: took WRK-157 over from session alice (its claim was 31m0s old, stale)\n");
    assertThat(run("claim", "WRK-157", "--session", "carol", "--stale-after", "soon")).isEqualTo(64);
  }

  @Test
  void forceUnclaim_saysWhoseClaimItRemoved() {
    run("claim", "WRK-157", "--session", "alice");
    clock.advance(Duration.ofMinutes(3));

    assertThat(run("unclaim", "WRK-157", "--force")).isZero();
    assertThat(out()).isEqualTo("removed the claim of session alice (since 3m0s) on WRK-157\n");
  }

  @Test
  void missingItems_ambiguousIds_andMalformedItems_haveTheirOwnCodes_andOneLine() throws Exception {
    Files.writeString(items.resolve("a.md"), "---\nid: WRK-300\n---\n");
    Files.writeString(items.resolve("b.md"), "---\nid: WRK-300\n---\n");
    Files.writeString(items.resolve("bad.md"), "---\nid: WRK-400\nlocked_by: [x]\n---\n");

    assertThat(run("claim", "WRK-999", "--session", "s")).isEqualTo(66);
    assertThat(run("claim", "WRK-300", "--session", "s")).isEqualTo(66);
    assertThat(err()).startsWith("session-lock: WRK-300 is the id of 2 items: ");
    assertThat(run("claim", "work/bad.md", "--session", "s")).isEqualTo(65);
    assertThat(err()).isEqualTo("session-lock: " + items.resolve("bad.md") + ":3: locked_by is not a string\n");
    assertThat(Files.readString(items.resolve("bad.md"))).isEqualTo("---\nid: WRK-400\nlocked_by: [x]\n---\n");
  }

  @Test
  void claims_listsHolderAgeAndState_asTextAndJson() throws Exception {
    Files.writeString(items.resolve("WRK-158.md"), ITEM.replace("157", "158"));
    run("claim", "WRK-157", "--session", "alice");
    clock.advance(Duration.ofHours(3));

    assertThat(run("claims")).isZero();
    assertThat(out()).isEqualTo("WRK-157  claimed by session alice, for 3h0m, stale: may be taken over\nWRK-158  free\n");
    assertThat(run("claims", "--json")).isZero();
    JsonObject first = JsonParser.array().from(out()).getObject(0);
    assertThat(first.getString("session")).isEqualTo("alice");
    assertThat(first.getBoolean("stale")).isTrue();
    assertThat(first.getString("claimed_at")).isEqualTo("2026-11-29T10:00:00Z");
  }

  @Test
  void shellInit_definesTheSeedsFunctionsOverThisLauncher() {
    env.put("SESSION_LOCK_LAUNCHER", "/opt/my tools/session-lock");

    assertThat(run("shell-init")).isZero();
    assertThat(out()).contains("claim_wrk() { '/opt/my tools/session-lock' claim \"$@\"; }",
        "release_wrk() { '/opt/my tools/session-lock' unclaim \"$@\"; }");
  }
}
