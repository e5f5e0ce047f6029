package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A multi-file acquire is all or nothing even when its process is killed with SIGKILL half-way: the built
 * executable's {@code files acquire --task T} of 300 files, killed at a random point, leaves a partial set that the
 * next acquirer recognises as abandoned (its writer is dead) and frees at once; the task's earlier locks stay.
 */
final class FilesAcquireKillIT {

  private static final Path LAUNCHER = Path.of(System.getProperty("session-lock.launcher"));
  private static final int FILES = 300;

  @TempDir
  Path temp;

  private Path project;
  private Path locks;

  @BeforeEach
  void setUp() throws Exception {
    project = Files.createDirectory(temp.resolve("project")).toRealPath();
    locks = temp.resolve("locks");
    Process init = new ProcessBuilder("git", "init", "-q", project.toString()).redirectErrorStream(true).start();
    assertThat(init.waitFor()).isZero();
  }

  /** The executable through {@code sh -c}, exec'd so that the process started is the JVM itself. */
  private Process start(String arguments) throws IOException {
    ProcessBuilder builder = new ProcessBuilder("sh", "-c", "exec '" + LAUNCHER + "' " + arguments)
        .directory(project.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK")
        || name.startsWith("GEMINI"));
    builder.environment().put("SESSION_LOCK_DIR", locks.toString());
    builder.environment().put("SESSION_LOCK_WAIT_MS", "0"); // one answer per call; waiting: WaitProcessIT
    builder.redirectOutput(temp.resolve("out-" + System.nanoTime()).toFile());
    builder.redirectError(temp.resolve("err-" + System.nanoTime()).toFile());
    return builder.start();
  }

  private record Run(int exit, String stdout, String stderr) {}

  private Run run(String arguments) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("sh", "-c", "'" + LAUNCHER + "' " + arguments).directory(project.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK")
        || name.startsWith("GEMINI"));
    builder.environment().put("SESSION_LOCK_DIR", locks.toString());
    builder.environment().put("SESSION_LOCK_WAIT_MS", "0"); // one answer per call; waiting: WaitProcessIT
    Path out = temp.resolve("run-out-" + System.nanoTime());
    Path err = temp.resolve("run-err-" + System.nanoTime());
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  private long fileRecords() throws IOException {
    try (Stream<Path> entries = Files.list(locks)) {
      return entries.filter(f -> f.getFileName().toString().startsWith("file-")
          && f.getFileName().toString().endsWith(".json")).count();
    }
  }

  /** The paths task {@code task} holds, as {@code files list} reports them. */
  private List<String> heldBy(String task) throws Exception {
    Run list = run("files list --task " + task + " --json");
    assertThat(list.exit()).as(list.stderr()).isZero();
    JsonArray array = JsonParser.array().from(list.stdout());
    List<String> paths = new ArrayList<>();
    for (Object entry : array) {
      paths.add(((JsonObject) entry).getString("path"));
    }
    paths.sort(null);
    return paths;
  }

  @Test
  void filesAcquireKilledHalfWay_leavesAPartialSetThatARivalTakesAtOnce_andTheTasksEarlierLocksStay()
      throws Exception {
    StringBuilder earlier = new StringBuilder();
    List<String> earlierPaths = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      earlier.append(" earlier-").append(i).append(".txt");
      earlierPaths.add(project + "/earlier-" + i + ".txt");
    }
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < FILES; i++) {
      many.append(" gen/f-").append(i).append(".txt");
    }
    Run held = run("files acquire --task T" + earlier);
    assertThat(held.exit()).as(held.stderr()).isZero();
    Random random = new Random(20261206L);
    int partial = 0;
    for (int round = 0; round < 6; round++) {
      long target = 5 + 1 + random.nextInt(FILES - 2); // kill once 1..298 of the 300 new files are written
      Process acquire = start("files acquire --task T" + earlier + many);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (acquire.isAlive() && fileRecords() < target && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      acquire.destroyForcibly(); // SIGKILL
      assertThat(acquire.waitFor(30, TimeUnit.SECONDS)).isTrue();
      long left = fileRecords() - 5;
      if (acquire.exitValue() == 0) {
        continue; // it finished before the kill landed: a complete acquire, nothing to recover
      }
      partial += left > 0 && left < FILES ? 1 : 0;

      long started = System.nanoTime();
      Run rival = run("files acquire --task R" + many);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

      assertThat(rival.exit()).as("round %d, %d files left by the killed acquire: %s", round, left, rival.stderr())
          .isZero();
      assertThat(rival.stdout().lines()).as("round %d", round).hasSize(FILES);
      assertThat(heldBy("T")).as("round %d: the task's earlier locks", round).isEqualTo(earlierPaths);
      assertThat(run("files release --task R").exit()).isZero();
      assertThat(fileRecords()).as("round %d: only the task's earlier locks remain", round).isEqualTo(5);
      System.out.printf("round %d: killed with %d of %d files written; the rival took all in %d ms%n", round, left,
          FILES, tookMs);
    }
    assertThat(partial).as("rounds whose kill left a partial set").isGreaterThanOrEqualTo(3);
  }
}
