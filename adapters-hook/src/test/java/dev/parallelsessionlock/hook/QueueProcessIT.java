package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

import com.grack.nanojson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The merge queue through the built executable, in a real repository, as a person or an agent's shell runs it. */
final class QueueProcessIT {

  private static final Path LAUNCHER = Path.of(System.getProperty("session-lock.launcher"));

  @TempDir
  Path temp;

  private Path repo;

  record Run(int exit, String stdout, String stderr) {}

  private Run run(List<String> command) throws Exception {
    return finish(start(command));
  }

  /** {@code command} started in the repository, with the test's environment; {@link #finish} waits for it. */
  private Process start(List<String> command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK")
        || name.startsWith("COPILOT") || name.startsWith("GEMINI") || name.startsWith("CODEX"));
    env.put("HOME", temp.resolve("home").toString());
    env.put("SESSION_LOCK_DIR", temp.resolve("locks").toString());
    env.put("SESSION_LOCK_WAIT_MS", "0"); // one answer per call; waiting: WaitProcessIT
    Process process = builder.start();
    process.getOutputStream().close();
    return process;
  }

  private static Run finish(Process process) throws Exception {
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  private Run sessionLock(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
    command.addAll(List.of(args));
    return run(command);
  }

  private Run git(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(args));
    Run result = run(command);
    assertThat(result.exit()).as("git %s: %s", String.join(" ", args), result.stderr()).isZero();
    return result;
  }

  @BeforeEach
  void setUp() throws Exception {
    repo = Files.createDirectories(temp.resolve("repo")).toRealPath();
    git("init", "-q", "-b", "main");
    git("config", "user.email", "t@example.com");
    git("config", "user.name", "t");
    Files.writeString(repo.resolve("base.txt"), "base\n");
    git("add", "-A");
    git("commit", "-qm", "base");
  }

  private void branch(String name) throws Exception {
    git("checkout", "-q", "-b", name, "main");
    Files.writeString(repo.resolve(name + ".txt"), name + "\n");
    git("add", "-A");
    git("commit", "-qm", name);
    git("checkout", "-q", "--detach", "main");
  }

  @Test
  void eightProcessesEnqueueingOneBranchAtOnce_makeExactlyOneEntry_theOthersExit66_tenRounds() throws Exception {
    for (int round = 1; round <= 10; round++) {
      String branch = "race-" + round;
      branch(branch);
      List<Process> racers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        racers.add(start(List.of(LAUNCHER.toString(), "queue", "enqueue", branch)));
      }
      List<Run> runs = new ArrayList<>();
      for (Process racer : racers) {
        runs.add(finish(racer));
      }

      assertThat(runs).as("round %d", round).filteredOn(r -> r.exit() == 0).hasSize(1);
      assertThat(runs).as("round %d", round).filteredOn(r -> r.exit() == 66
          && r.stderr().startsWith("session-lock: " + branch + " is already queued (#")).hasSize(7);
      var entries = JsonParser.object().from(sessionLock("queue", "status", "--json").stdout()).getArray("entries");
      int ofBranch = 0;
      for (int i = 0; i < entries.size(); i++) {
        ofBranch += entries.getObject(i).getString("branch").equals(branch) ? 1 : 0;
      }
      assertThat(ofBranch).as("entries of %s after round %d", branch, round).isEqualTo(1);
    }
  }

  @Test
  void aDeletedBranch_isRejectedWithAdviceThatRunsAsPrinted_andThenLands() throws Exception {
    branch("gone");
    assertThat(sessionLock("queue", "enqueue", "gone").exit()).isZero();
    git("branch", "-D", "gone");

    Run processed = sessionLock("queue", "process", "--validate", "true");
    assertThat(processed.stdout()).contains("rejected 1");
    String reason = JsonParser.object().from(sessionLock("queue", "status", "--json").stdout())
        .getArray("entries").getObject(0).getString("reason");
    assertThat(reason).contains("was deleted after it was enqueued", "to land that commit: ");
    String advice = reason.substring(reason.indexOf("to land that commit: ") + "to land that commit: ".length());

    Run followed = run(List.of("sh", "-c", advice));

    assertThat(followed.exit()).as(followed.stderr()).isZero();
    assertThat(followed.stdout()).startsWith("queued #2 gone at ");
    assertThat(sessionLock("queue", "process", "--validate", "true", "--wait", "5").stdout()).contains("landed 1");
    git("cat-file", "-e", "main:gone.txt");
    assertThat(sessionLock("queue", "process", "--validate", "true", "--wait", "-1").exit()).isEqualTo(64);
  }

  @Test
  void aValidationThatDeletesTheQueue_stopsWithExit8_andEveryEntryIsStillThere() throws Exception {
    branch("one");
    branch("two");
    sessionLock("queue", "enqueue", "one");
    sessionLock("queue", "enqueue", "two");

    Run processed = sessionLock("queue", "process", "--validate",
        "rm -rf \"$(git rev-parse --path-format=absolute --git-common-dir)/session-lock/queue\"");

    assertThat(processed.exit()).as(processed.stderr()).isEqualTo(8);
    assertThat(processed.stderr()).contains("session-lock: stopped: the validation of #1 deleted the queue's files",
        "nothing was lost");
    Run status = sessionLock("queue", "status");
    assertThat(status.stdout()).contains("#1  queued  one -> main", "#2  queued  two -> main")
        .doesNotContain("the queue is empty");
  }
}
