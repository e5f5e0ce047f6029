package dev.parallelsessionlock.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Slot;
import io.vavr.control.Option;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real JVMs contending through the real filesystem, and holders killed with SIGKILL. */
final class MultiProcessTest {

  @TempDir
  Path temp;

  private static Process jvm(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        Contender.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static String firstLine(Process process) throws Exception {
    BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    return reader.readLine();
  }

  @Test
  void eightJvms_hammeringOneKey_neverHoldItAtTheSameTime() throws Exception {
    int jvms = 8;
    int rounds = 300;
    Path log = temp.resolve("log");
    List<Process> contenders = new ArrayList<>();
    for (int id = 0; id < jvms; id++) {
      contenders.add(jvm("contend", temp.toString(), String.valueOf(id), String.valueOf(rounds), log.toString()));
    }
    for (Process contender : contenders) {
      assertThat(contender.waitFor(3, TimeUnit.MINUTES)).as("contender finished").isTrue();
      assertThat(contender.exitValue()).isZero();
    }

    List<String> lines = Files.readAllLines(log);
    assertThat(lines).hasSize(2 * jvms * rounds);
    Map<String, Integer> completed = new HashMap<>();
    String inside = null;
    for (String line : lines) {
      String[] parts = line.split(" ");
      if (parts[0].equals("E")) {
        assertThat(inside).as("nobody inside when %s enters", line).isNull();
        inside = parts[1] + " " + parts[2];
      } else {
        assertThat(parts[1] + " " + parts[2]).as("the one inside leaves").isEqualTo(inside);
        inside = null;
        completed.merge(parts[1], 1, Integer::sum);
      }
    }
    assertThat(completed).hasSize(jvms).allSatisfy((id, count) -> assertThat(count).isEqualTo(rounds));
    assertThat(FileLockStore.open(temp).get().read(Contender.KEY).get()).isEmpty();
  }

  @Test
  void holderKilledWithSigkill_isTakenOverAsSoonAsItsDeathIsSeen() throws Exception {
    Process holder = jvm("hold", temp.toString(), "doomed");
    assertThat(firstLine(holder)).isEqualTo("HELD");
    FileLockStore store = FileLockStore.open(temp).get();
    ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC());
    Claimant next = new Claimant("next", LocalProcesses.current());

    assertThat(lock.acquire(Contender.KEY, next).get()).isInstanceOf(Acquisition.Blocked.class);
    holder.destroyForcibly().waitFor();

    Acquisition taken = lock.acquire(Contender.KEY, next).get();
    assertThat(taken).isInstanceOf(Acquisition.Acquired.class);
    assertThat(((Acquisition.Acquired) taken).how()).isEqualTo(Acquisition.How.TOOK_OVER_DEAD_HOLDER);
    assertThat(((Acquisition.Acquired) taken).previous().map(r -> r.sessionId())).contains("doomed");
  }

  @Test
  void writerKilledMidWrite_leavesTheOldOrTheNewRecordNeverATornOne() throws Exception {
    FileLockStore store = FileLockStore.open(temp).get();
    for (int kill = 0; kill < 6; kill++) {
      Process churner = jvm("churn", temp.toString(), "churner-" + kill);
      assertThat(firstLine(churner)).isEqualTo("GO");
      Thread.sleep(5 + 13L * kill); // real processes: vary where in its loop the kill lands
      churner.destroyForcibly().waitFor();

      Option<Slot> left = store.read(Contender.KEY).get();
      assertThat(left.filter(slot -> slot instanceof Slot.Unreadable)).as("after kill %d", kill).isEmpty();
      ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC());
      Claimant next = new Claimant("next-" + kill, LocalProcesses.current());
      assertThat(lock.acquire(Contender.KEY, next).get()).isInstanceOf(Acquisition.Acquired.class);
      assertThat(lock.release(Contender.KEY, next).get()).isNotNull();
    }
    try (var files = Files.list(temp)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".corrupt-"))).isEmpty();
    }
  }

  @Test
  void recordOfAKilledHolder_namesItsRealPidAndStartTime() throws Exception {
    Process holder = jvm("hold", temp.toString(), "named");
    assertThat(firstLine(holder)).isEqualTo("HELD");
    try {
      Slot.Held held = (Slot.Held) FileLockStore.open(temp).get().read(Contender.KEY).get().get();
      ProcessRef recorded = held.record().holder();
      assertThat(recorded.isSameProcessAs(LocalProcesses.of(holder.pid()))).isTrue();
    } finally {
      holder.destroyForcibly().waitFor();
    }
  }
}
