package dev.parallelsessionlock.markdown;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.LockStatus;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Release;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.testkit.FakeLiveness;
import dev.parallelsessionlock.testkit.MutableClock;
import io.vavr.control.Option;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class WorkItemsTest {

  @TempDir
  Path temp;

  private final MutableClock clock = MutableClock.at("2026-11-29T10:00:00Z");
  private final FakeLiveness liveness = new FakeLiveness();
  private WorkItems items;
  private Path dir;
  private Path item;

  private static ProcessRef process(long pid) {
    return new ProcessRef(pid, Option.some("host"), Option.none(), Option.some(new ProcessRef.Identity("b", "n", pid)));
  }

  private static final Claimant ALICE = new Claimant("alice", process(100));
  private static final Claimant BOB = new Claimant("bob", process(200));
  private static final Claimant BOB_FROM_A_TERMINAL = new Claimant("bob", ProcessRef.unknown(Option.none()));

  private static final String ITEM = "---\nid: WRK-157\ntitle: Session locking\nlocked_by: \"\"\nlocked_at: \"\"\n---\n\nbody\n";

  @BeforeEach
  void setUp() throws Exception {
    items = WorkItems.open(temp.resolve("locks"), liveness, clock, WorkItems.DEFAULT_STALE_AFTER).get();
    dir = Files.createDirectories(temp.resolve("work/items"));
    item = Files.writeString(dir.resolve("WRK-157.md"), ITEM);
  }

  private String text() throws Exception {
    return Files.readString(item);
  }

  @Test
  void claim_ofAFifo_isRefusedAtOnce_namingIt() throws Exception {
    Path fifo = dir.resolve("WRK-158.md");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();

    var claimed = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> items.claim(fifo, ALICE));
    var read = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), () -> items.read(fifo));

    assertThat(claimed.getLeft().describe()).contains(fifo + ": is a FIFO (named pipe), not a regular file");
    assertThat(read.getLeft().describe()).contains("is a FIFO");
  }

  @Test
  void claim_ofAFreeItem_writesTheTwoFields() throws Exception {
    Acquisition result = items.claim(item, ALICE).get();

    assertThat(result).isInstanceOf(Acquisition.Acquired.class);
    assertThat(text()).isEqualTo(ITEM.replace("locked_by: \"\"", "locked_by: \"alice\"")
        .replace("locked_at: \"\"", "locked_at: \"2026-11-29T10:00:00Z\""));
  }

  @Test
  void claim_again_bySameSession_renewsLockedAt() throws Exception {
    items.claim(item, ALICE);
    clock.advance(Duration.ofMinutes(30));

    Acquisition.Acquired renewed = (Acquisition.Acquired) items.claim(item, ALICE).get();

    assertThat(renewed.how()).isEqualTo(Acquisition.How.RENEWED);
    assertThat(text()).contains("locked_at: \"2026-11-29T10:30:00Z\"");
  }

  @Test
  void claim_ofAnotherSessionsFreshClaim_isRefused_namingTheHolderAndAge_andChangesNothing() throws Exception {
    items.claim(item, ALICE);
    String before = text();
    clock.advance(Duration.ofMinutes(35));

    Acquisition result = items.claim(item, BOB).get();

    assertThat(result).isInstanceOf(Acquisition.Blocked.class);
    assertThat(((Acquisition.Blocked) result).holder().get().sessionId()).isEqualTo("alice");
    assertThat(text()).isEqualTo(before);
  }

  @Test
  void claim_olderThanTwoHours_isTakenOver_fromWhom() throws Exception {
    items.claim(item, ALICE);
    clock.advance(Duration.ofHours(2).plusSeconds(1));

    Acquisition.Acquired taken = (Acquisition.Acquired) items.claim(item, BOB).get();

    assertThat(taken.how()).isEqualTo(Acquisition.How.TOOK_OVER_STALE);
    assertThat(taken.previous().get().sessionId()).isEqualTo("alice");
    assertThat(text()).contains("locked_by: \"bob\"");
  }

  @Test
  void claim_ofASessionWhoseProcessIsGone_isTakenOverAtOnce() throws Exception {
    items.claim(item, ALICE);
    liveness.kill(100);

    Acquisition.Acquired taken = (Acquisition.Acquired) items.claim(item, BOB).get();

    assertThat(taken.how()).isEqualTo(Acquisition.How.TOOK_OVER_DEAD_HOLDER);
  }

  @Test
  void claim_ofAnUnknownSession_waitsOutTheTwoHours() throws Exception {
    items.claim(item, BOB_FROM_A_TERMINAL);
    clock.advance(Duration.ofHours(1));

    assertThat(items.claim(item, ALICE).get()).isInstanceOf(Acquisition.Blocked.class);
  }

  @Test
  void unclaim_byTheHolder_emptiesBothFieldsBackToTheOriginalBytes() throws Exception {
    items.claim(item, ALICE);

    assertThat(items.unclaim(item, ALICE).get()).isInstanceOf(Release.Released.class);
    assertThat(text()).isEqualTo(ITEM);
  }

  @Test
  void unclaim_byAnotherSession_isRefused_andForceRemovesIt_sayingWhose() throws Exception {
    items.claim(item, ALICE);

    assertThat(items.unclaim(item, BOB).get()).isInstanceOf(Release.NotHolder.class);
    assertThat(text()).contains("alice");
    Option<Slot> removed = items.forceUnclaim(item).get();
    assertThat(((Slot.Held) removed.get()).record().sessionId()).isEqualTo("alice");
    assertThat(text()).isEqualTo(ITEM);
  }

  @Test
  void read_showsTheHolderAndItsAge() {
    items.claim(item, ALICE);
    clock.advance(Duration.ofMinutes(10));

    LockStatus.Held status = (LockStatus.Held) items.read(item).get();

    assertThat(status.record().sessionId()).isEqualTo("alice");
    assertThat(status.age()).isEqualTo(Duration.ofMinutes(10));
    assertThat(status.remaining()).isEqualTo(Duration.ofMinutes(110));
  }

  @Test
  void itemWithoutFrontmatter_orWithMalformedYaml_isUnclaimable_andUntouched() throws Exception {
    Path plain = Files.writeString(dir.resolve("notes.md"), "# Notes\n\ntext\n");
    Path broken = Files.writeString(dir.resolve("broken.md"), "---\nid: X\ntitle: [oops\n---\n");

    assertThat(items.claim(plain, ALICE).getLeft()).isEqualTo(new ClaimFailure.Unclaimable(
        new Malformed(plain, 1, "no YAML frontmatter: a work item starts with a '---' line")));
    assertThat(items.claim(broken, ALICE).getLeft().describe()).startsWith(broken + ":").contains("malformed YAML");
    assertThat(Files.readString(plain)).isEqualTo("# Notes\n\ntext\n");
    assertThat(Files.readString(broken)).isEqualTo("---\nid: X\ntitle: [oops\n---\n");
  }

  @Test
  void find_byId_matchesExactlyOneFile_andSaysSoWhenNoneOrSeveral() throws Exception {
    Files.createDirectories(dir.resolve("archive"));
    Files.writeString(dir.resolve("archive/other.md"), "---\nid: WRK-200\n---\n");
    Files.writeString(dir.resolve("archive/twin-a.md"), "---\nid: WRK-300\n---\n");
    Files.writeString(dir.resolve("twin-b.md"), "---\nid: WRK-300\n---\n");

    assertThat(WorkItems.find("WRK-157", temp, Option.some(dir)).get()).isEqualTo(item);
    assertThat(WorkItems.find("WRK-200", temp, Option.some(dir)).get()).isEqualTo(dir.resolve("archive/other.md"));
    assertThat(WorkItems.find("WRK-999", temp, Option.some(dir)).getLeft()).isInstanceOf(ClaimFailure.NotFound.class);
    assertThat(WorkItems.find("WRK-300", temp, Option.some(dir)).getLeft()).isInstanceOf(ClaimFailure.Ambiguous.class);
    assertThat(WorkItems.find("WRK-15", temp, Option.some(dir)).isLeft()).as("exact ids only").isTrue();
    assertThat(WorkItems.find("work/items/WRK-157.md", temp, Option.none()).get()).isEqualTo(temp.resolve("work/items/WRK-157.md"));
    assertThat(WorkItems.find("missing.md", temp, Option.none()).getLeft().describe()).isEqualTo("missing.md: no such file");
  }

  @Test
  void claims_listsEveryItemWithItsClaim_andSkipsWhatCannotHoldOne() throws Exception {
    Files.writeString(dir.resolve("WRK-158.md"), ITEM.replace("157", "158"));
    Files.writeString(dir.resolve("README.md"), "# not an item\n");
    items.claim(item, ALICE);
    java.util.List<Malformed> skipped = new java.util.ArrayList<>();

    var claims = items.claims(dir, skipped::add).get();

    assertThat(claims).hasSize(2);
    assertThat(claims.get(0).id()).contains("WRK-157");
    assertThat(claims.get(0).status()).isInstanceOf(LockStatus.Held.class);
    assertThat(claims.get(1).status()).isInstanceOf(LockStatus.Free.class);
    assertThat(skipped).extracting(Malformed::file).containsExactly(dir.resolve("README.md"));
  }
}
