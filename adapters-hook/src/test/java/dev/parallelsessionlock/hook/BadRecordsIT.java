package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.parallelsessionlock.hook.install.HookRegistrations;
import dev.parallelsessionlock.hook.runtime.Agent;
import com.grack.nanojson.JsonParser;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.WorkspaceHash;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lock records that are not what the tool writes, read by the built executable through {@code sh -c}, as people
 * and agents run it: a FIFO (or another non-regular file) at a record path must be refused within the documented
 * time, never hang a command or the hook; values beyond what the tool writes are read within bounds, and said so.
 */
final class BadRecordsIT {

  private static final Path LAUNCHER = Path.of(System.getProperty("session-lock.launcher"));
  /** Far longer than any of these commands takes; a command still running then is hung. */
  private static final long HUNG_AFTER_SECONDS = 30;

  @TempDir
  Path temp;

  private Path project;
  private Path locks;
  private Process running;

  record Run(int exit, String stdout, String stderr) {}

  @BeforeEach
  void setUp() throws IOException {
    project = Files.createDirectories(temp.resolve("project/.git")).getParent().toRealPath();
    locks = temp.resolve("locks");
  }

  @AfterEach
  void killWhatHung() {
    if (running != null && running.isAlive()) {
      running.descendants().forEach(ProcessHandle::destroyForcibly);
      running.destroyForcibly();
    }
  }

  /** Runs {@code command} with {@code sh -c} in the project, {@code stdin} on its input; fails if it hangs. */
  private Run sh(String command, String stdin) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).directory(project.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK")
        || name.startsWith("COPILOT") || name.startsWith("GEMINI") || name.startsWith("CODEX"));
    env.put("SESSION_LOCK_DIR", locks.toString());
    env.put("SESSION_LOCK_WAIT_MS", "0"); // one answer per call; waiting: WaitProcessIT
    running = builder.start();
    Process process = running;
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
    try (var input = process.getOutputStream()) {
      input.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException closedEarly) {
      // the command did not read its input
    }
    if (!process.waitFor(HUNG_AFTER_SECONDS, TimeUnit.SECONDS)) {
      killWhatHung();
      fail("hung for " + HUNG_AFTER_SECONDS + " s: " + command);
    }
    return new Run(process.exitValue(), new String(out.get(), StandardCharsets.UTF_8),
        new String(err.get(), StandardCharsets.UTF_8));
  }

  private static byte[] readAll(java.io.InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  private Run cli(String args) throws Exception {
    return sh("'" + LAUNCHER + "' " + args, "");
  }

  private static void mkfifo(Path path) throws Exception {
    Files.createDirectories(path.getParent());
    assertThat(new ProcessBuilder("mkfifo", path.toString()).inheritIO().start().waitFor()).isZero();
  }

  private Path fileRecord(String file) {
    return locks.resolve(LockKey.file(WorkspaceHash.of(project.toString()), project + "/" + file).name() + ".json");
  }

  private Path workspaceRecord() {
    return locks.resolve(LockKey.workspace(WorkspaceHash.of(project.toString())).name() + ".json");
  }

  private String filesHook(String event) {
    for (HookRegistrations.Registration registration : HookRegistrations.registrations(Agent.CLAUDE)) {
      if (registration.event().equals(event)) {
        return HookRegistrations.command(LAUNCHER.toString(), Agent.CLAUDE, registration, true);
      }
    }
    throw new IllegalArgumentException(event);
  }

  private String edit(String session, String file) {
    return "{\"session_id\":\"" + session + "\",\"cwd\":\"" + project + "\",\"hook_event_name\":\"PreToolUse\","
        + "\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"" + file + "\",\"old_string\":\"a\",\"new_string\":\"b\"}}";
  }

  /** One line naming the FIFO, exit 69: what a symlink at a record path gets. */
  private static void refusesNaming(Run run, Path fifo) {
    assertThat(run.exit()).as(run.stderr()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(run.stderr()).contains(fifo + ": is a FIFO (named pipe), not a regular file; refusing to open it (remove it)");
    assertThat(run.stderr().lines()).hasSize(1);
  }

  /** A record as the seed's bash hook or a hand edit could leave it: an endless ttl, no process identity. */
  private static String endlessRecord(String session, String path) {
    long now = System.currentTimeMillis();
    return "{\"schema_version\":1,\"session_id\":\"" + session + "\",\"pid\":0,\"acquired_at\":" + now
        + ",\"ttl_ms\":9223372036854775807,\"held_since\":" + now + ",\"identity\":\"session\",\"path\":\""
        + path + "\"}\n";
  }

  private static final String CLAMPED = "record clamped: ttl 9223372036854775807 ms read as a day, the longest lease";

  @Test
  void aWorkspaceLeaseWithAnEndlessTtl_isReadAsADay_andSaysSo_inListStatusAndTheDeny() throws Exception {
    Files.createDirectories(locks);
    Files.writeString(workspaceRecord(), endlessRecord("alice", project.toString()));

    Run list = cli("list");
    Run status = cli("status");
    Run json = cli("list --json");
    Run denied = sh(HookProcessIT.command(LAUNCHER.toString(), ""), edit("bob", "a.txt"));

    assertThat(list.stdout()).contains("held by session alice", "23h59m left", "; " + CLAMPED).doesNotContain("106751991167d");
    assertThat(status.stdout()).contains("23h59m left", "; " + CLAMPED);
    assertThat(JsonParser.array().from(json.stdout()).getObject(0).getString("clamped")).isEqualTo(CLAMPED.substring(16));
    assertThat(JsonParser.array().from(json.stdout()).getObject(0).getLong("remaining_ms")).isLessThanOrEqualTo(86_400_000L);
    assertThat(denied.exit()).isEqualTo(2);
    assertThat(denied.stderr()).contains("held by alice (pid 0)", ", lease ends in 1439m", "(" + CLAMPED + ")");
  }

  @Test
  void aFileLockWithAnEndlessTtl_isReadAsADay_andSaysSo_inFilesListAcquireAndTheDeny() throws Exception {
    Files.createDirectories(locks);
    Files.writeString(fileRecord("a.txt"), endlessRecord("alice", project + "/a.txt"));

    Run list = cli("files list");
    Run json = cli("files list --json");
    Run acquire = cli("files acquire --session bob a.txt");
    Run denied = sh(filesHook("PreToolUse"), edit("bob", "a.txt"));

    assertThat(list.stdout()).startsWith(project + "/a.txt  session alice (no process known) unknown, for ")
        .endsWith(", 23h59m left (" + CLAMPED + ")\n");
    assertThat(JsonParser.array().from(json.stdout()).getObject(0).getString("clamped")).isEqualTo(CLAMPED.substring(16));
    assertThat(acquire.exit()).isEqualTo(ExitCodes.HELD);
    assertThat(acquire.stderr()).contains("held: " + project + "/a.txt by session alice", "23h59m left (" + CLAMPED + ")");
    assertThat(denied.exit()).isEqualTo(2);
    assertThat(denied.stderr()).contains(project + "/a.txt - session alice", "lease ends in 23h59m (" + CLAMPED + ")");
  }

  @Test
  void aFifoAtAFileLockRecord_isRefusedByEveryCommandAndTheHook_withoutHanging() throws Exception {
    assertThat(cli("files acquire --session alice b.txt").exit()).isZero();
    Path fifo = fileRecord("a.txt");
    mkfifo(fifo);

    refusesNaming(cli("files list"), fifo);
    refusesNaming(cli("files list --json"), fifo);
    refusesNaming(cli("files release --force a.txt"), fifo);
    refusesNaming(cli("files acquire --session bob a.txt"), fifo);
    refusesNaming(cli("list"), fifo);
    refusesNaming(cli("status"), fifo);
    refusesNaming(cli("prune"), fifo);
    // A session id of its own: the user is told once per session and cause (a marker under the temp directory).
    Run hook = sh(filesHook("PreToolUse"), edit("bob-" + System.nanoTime(), "a.txt"));
    assertThat(hook.exit()).isZero();
    assertThat(hook.stderr()).contains(fifo + ": is a FIFO (named pipe)", "; allowing");
    assertThat(JsonParser.object().from(hook.stdout()).getString("systemMessage")).contains("is a FIFO (named pipe)");

    Files.delete(fifo);
    assertThat(cli("files list").stdout()).contains(project + "/b.txt  session alice");
  }

  @Test
  void aFifoAtTheWorkspaceLease_isRefusedByReleaseForceAndTheHook_withoutHanging() throws Exception {
    Path fifo = workspaceRecord();
    mkfifo(fifo);

    refusesNaming(cli("release --force"), fifo);
    Run hook = sh(HookProcessIT.command(LAUNCHER.toString(), ""), edit("bob", "a.txt"));
    assertThat(hook.exit()).isZero();
    assertThat(hook.stderr()).contains(fifo + ": is a FIFO (named pipe)", "; allowing");
  }

  @Test
  void aFifoAtAGuardFile_failsTheWriteAtOnce_withoutHanging() throws Exception {
    assertThat(cli("files acquire --session alice a.txt").exit()).isZero();
    Path guard;
    try (var guards = Files.list(locks)) {
      guard = guards.filter(f -> f.getFileName().toString().startsWith(".session-lock.guard")).findFirst().orElseThrow();
    }
    Files.delete(guard);
    mkfifo(guard);

    Run release = cli("files release --session alice a.txt");

    assertThat(release.exit()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(release.stderr()).contains(guard + ": is a FIFO (named pipe), not a regular file");
  }

  @Test
  void aFifoAtATaskBaseline_isRefusedByCheckAndTaskDone_withoutHanging() throws Exception {
    Files.writeString(project.resolve("a.txt"), "a");
    assertThat(cli("snapshot --task T1 a.txt").exit()).isZero();
    Path baseline;
    try (var files = Files.list(locks.resolve("snapshots/baselines/bodies"))) { // the baseline's JSON
      baseline = files.filter(Files::isRegularFile).findFirst().orElseThrow();
    }
    Files.delete(baseline);
    mkfifo(baseline);

    Run check = cli("check --task T1");
    Run done = cli("task done T1");

    assertThat(check.exit()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(check.stderr()).contains(baseline + ": is a FIFO (named pipe)");
    assertThat(done.exit()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(done.stderr()).contains(baseline + ": is a FIFO (named pipe)");
  }
}
