package dev.parallelsessionlock.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.Liveness;
import dev.parallelsessionlock.core.ProcessRef;
import io.vavr.control.Option;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class ProcessTableLivenessTest {

  private final ProcessTableLiveness liveness = ProcessTableLiveness.forThisHost();

  @Test
  void of_thisProcess_isAlive() {
    assertThat(liveness.of(LocalProcesses.current())).isEqualTo(Liveness.ALIVE);
  }

  @Test
  void of_aProcessThatExited_isDead() throws Exception {
    Process child = new ProcessBuilder("true").start();
    ProcessRef ref = LocalProcesses.of(child.toHandle());
    child.waitFor();

    assertThat(liveness.of(ref)).isEqualTo(Liveness.DEAD);
  }

  @Test
  void of_aReusedPid_isDead() {
    ProcessRef me = LocalProcesses.current();
    ProcessRef earlierOwnerOfMyPid = new ProcessRef(me.pid(), me.host(), Option.some(Instant.parse("2001-01-01T00:00:00Z")));

    assertThat(liveness.of(earlierOwnerOfMyPid)).isEqualTo(Liveness.DEAD);
  }

  @Test
  void of_aProcessOnAnotherHost_isUnknown() {
    ProcessRef remote = new ProcessRef(1, Option.some("some-other-host.invalid"), Option.none());

    assertThat(liveness.of(remote)).isEqualTo(Liveness.UNKNOWN);
  }

  @Test
  void of_noPid_isUnknown() {
    assertThat(liveness.of(ProcessRef.ofPid(0))).isEqualTo(Liveness.UNKNOWN);
  }

  @Test
  void current_carriesHostAndStartTime() {
    ProcessRef me = LocalProcesses.current();

    assertThat(me.pid()).isEqualTo(ProcessHandle.current().pid());
    assertThat(me.host()).isNotEmpty();
    assertThat(me.startedAt()).isNotEmpty();
    assertThat(me.isSameProcessAs(LocalProcesses.current())).isTrue();
  }
}
