package dev.parallelsessionlock.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.Liveness;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.process.fixture.ProcFixture;
import io.vavr.control.Option;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Process identity and liveness over a fixture {@code /proc}: clock steps, foreign boots and namespaces, names. */
final class ProcessIdentityTest {

  @TempDir
  Path temp;

  private ProcFixture proc;

  @BeforeEach
  void setUp() {
    proc = new ProcFixture(temp).self(4000, "java", 1, 90_000).process(4242, "claude", 1, 5_000);
  }

  @Test
  void liveHolder_afterTheClockIsSteppedForward_isStillAliveAndTheSameProcess() {
    ProcessRef recorded = proc.table().ref(4242);
    proc.bootTime(1_700_000_003L); // date -s +3s: btime moves with the wall clock

    LocalProcesses later = proc.table();

    assertThat(ProcessTableLiveness.of(later).of(recorded)).isEqualTo(Liveness.ALIVE);
    assertThat(later.ref(4242).isSameProcessAs(recorded)).isTrue();
    assertThat(later.ref(4242).startedAt()).isNotEqualTo(recorded.startedAt());
  }

  @Test
  void liveHolder_afterAOneSecondStepBack_isStillTheSameProcess() {
    ProcessRef recorded = proc.table().ref(4242);
    proc.bootTime(1_700_000_000L - 1);

    assertThat(proc.table().ref(4242).isSameProcessAs(recorded)).isTrue();
  }

  @Test
  void holder_fromAnotherBoot_isUnknown_evenWhenItsPidIsFreeHere() {
    ProcessRef recorded = proc.table().ref(4242);
    proc.bootId("3b1f6c2e-0000-4000-8000-0000000000ff").exit(4242);

    assertThat(ProcessTableLiveness.of(proc.table()).of(recorded)).isEqualTo(Liveness.UNKNOWN);
  }

  @Test
  void holder_fromAnotherPidNamespace_isUnknown_evenWhenItsPidIsFreeHere() {
    ProcessRef inContainer = proc.table().ref(4242);
    proc.pidNamespace("pid:[4026532999]").exit(4242);

    assertThat(ProcessTableLiveness.of(proc.table()).of(inContainer)).isEqualTo(Liveness.UNKNOWN);
  }

  @Test
  void holder_whosePidNowRunsAnotherProcess_isDead() {
    ProcessRef recorded = proc.table().ref(4242);
    proc.process(4242, "claude", 1, 5_001);

    assertThat(ProcessTableLiveness.of(proc.table()).of(recorded)).isEqualTo(Liveness.DEAD);
  }

  @Test
  void holder_thatExitedOrIsAZombie_isDead() {
    ProcessRef recorded = proc.table().ref(4242);
    proc.process(4242, "claude", 'Z', 1, 5_000);
    assertThat(ProcessTableLiveness.of(proc.table()).of(recorded)).isEqualTo(Liveness.DEAD);

    proc.exit(4242);
    assertThat(ProcessTableLiveness.of(proc.table()).of(recorded)).isEqualTo(Liveness.DEAD);
  }

  @Test
  void ref_carriesBootIdNamespaceAndRawTicks_andTheWallClockStartAtOneHundredTicksASecond() {
    ProcessRef ref = proc.table().ref(4242);

    assertThat(ref.identity()).contains(new ProcessRef.Identity(
        "3b1f6c2e-0000-4000-8000-000000000001", "pid:[4026531836]", 5_000));
    assertThat(ref.startedAt()).contains(Instant.ofEpochSecond(1_700_000_000L + 50));
    assertThat(ref.host()).contains("fixture-host");
  }

  @Test
  void parseStat_aNameWithParenthesesAndSpaces_endsAtTheLastParenthesis() {
    proc.process(77, "a) b (c) d", 'S', 4242, 123);

    LocalProcesses.Stat stat = proc.table().stat(77).get();

    assertThat(stat.name()).isEqualTo("a) b (c) d");
    assertThat(stat.state()).isEqualTo('S');
    assertThat(stat.parentPid()).isEqualTo(4242);
    assertThat(stat.startTicks()).isEqualTo(123);
  }

  @Test
  void parseStat_garbage_isNone() {
    assertThat(LocalProcesses.parseStat("", Option.none())).isEmpty();
    assertThat(LocalProcesses.parseStat("12 (x) S 1 2", Option.none())).isEmpty();
    assertThat(LocalProcesses.parseStat("x (y) " + "S 1 ".repeat(20), Option.none())).isEmpty();
  }

  @Test
  void legacyRecord_withoutIdentity_isComparedByStartTimeToWithinOneSecond() {
    Instant started = Instant.ofEpochSecond(1_700_000_000L + 50);
    ProcessTableLiveness liveness = ProcessTableLiveness.of(proc.table());

    assertThat(liveness.of(new ProcessRef(4242, Option.some("fixture-host"), Option.some(started.plusMillis(900)))))
        .isEqualTo(Liveness.ALIVE);
    assertThat(liveness.of(new ProcessRef(4242, Option.some("fixture-host"), Option.some(started.plusSeconds(2)))))
        .isEqualTo(Liveness.DEAD);
    assertThat(liveness.of(new ProcessRef(4242, Option.some("other-host"), Option.some(started.plusSeconds(2)))))
        .isEqualTo(Liveness.UNKNOWN);
  }

  @Test
  void theRealProcFs_givesThisProcessAnIdentity() {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "Linux only");

    ProcessRef me = LocalProcesses.current();

    assertThat(me.identity()).isNotEmpty();
    assertThat(me.identity().get().pidNamespace()).startsWith("pid:[");
    assertThat(ProcessTableLiveness.forThisHost().of(me)).isEqualTo(Liveness.ALIVE);
  }
}
