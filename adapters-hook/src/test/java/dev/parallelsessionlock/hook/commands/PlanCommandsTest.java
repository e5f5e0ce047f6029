package dev.parallelsessionlock.hook.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.hook.runtime.HookArgs;
import dev.parallelsessionlock.hook.runtime.HookConfig;
import dev.parallelsessionlock.hook.runtime.HookRunner;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.testkit.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code overlap}, {@code snapshot}, {@code check}, {@code task done}, in-process, with the hook in files mode. */
final class PlanCommandsTest {

  @TempDir
  Path temp;

  private Path repo;
  private final Map<String, String> env = new HashMap<>();
  private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  private final ProcessRef agent = LocalProcesses.current();
  private ByteArrayOutputStream out;
  private ByteArrayOutputStream err;

  private static final String PLAN = "{\"waves\":[{\"name\":\"api\",\"tasks\":["
      + "{\"id\":\"T1\",\"files\":[\"src/**/*.ts\",\"docs/\"]},{\"id\":\"T2\",\"files\":[\"src/api/*\"]}]},"
      + "{\"name\":\"ui\",\"tasks\":[{\"id\":\"T3\",\"files\":[\"ui/*.css\"]},{\"id\":\"T4\",\"files\":[\"ui/{a,b}/*\"]}]}]}";

  @BeforeEach
  void setUp() throws Exception {
    repo = Files.createDirectories(temp.resolve("repo/.git")).getParent().toRealPath();
    Files.createDirectories(repo.resolve("src/api"));
    env.put("SESSION_LOCK_DIR", temp.resolve("locks").toString());
    env.put("SESSION_LOCK_WAIT_MS", "0"); // one decision per call; waiting in line: LineWaitTest, WaitProcessIT
  }

  private int run(String... args) {
    out = new ByteArrayOutputStream();
    err = new ByteArrayOutputStream();
    return new Commands(env, repo, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), clock, () -> agent).run(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void overlap_reportsEachCriticalPair_withPatternsAndAnExample_exit6() throws Exception {
    Files.writeString(repo.resolve("plan.json"), PLAN);

    assertThat(run("overlap", "plan.json")).isEqualTo(6);
    assertThat(out()).isEqualTo(
        "critical overlap in wave api: T1 (src/**/*.ts) and T2 (src/api/*) can both touch src/api/a.ts\n");
    assertThat(run("overlap", "plan.json", "--json")).isEqualTo(6);
    JsonObject critical = JsonParser.object().from(out()).getArray("critical").getObject(0);
    assertThat(critical.getString("wave")).isEqualTo("api");
    assertThat(critical.getArray("tasks")).containsExactly("T1", "T2");
    assertThat(critical.getArray("patterns")).containsExactly("src/**/*.ts", "src/api/*");
    assertThat(critical.getString("example")).isEqualTo("src/api/a.ts");
  }

  @Test
  void overlap_ofADisjointPlan_isExit0_andAMalformedOneIsExit65WithWhere() throws Exception {
    Files.writeString(repo.resolve("ok.json"), "{\"waves\":[{\"tasks\":[{\"id\":\"A\",\"files\":[\"a/*\"]},"
        + "{\"id\":\"B\",\"files\":[\"b/*\"]}]}]}");
    Files.writeString(repo.resolve("bad.json"), "{\"waves\":[{\"tasks\":[{\"id\":\"A\",\"files\":\"a\"}]}]}");

    assertThat(run("overlap", "ok.json")).isZero();
    assertThat(out()).isEqualTo("no critical overlap in 1 waves\n");
    assertThat(run("overlap", "bad.json")).isEqualTo(65);
    assertThat(err()).isEqualTo("session-lock: bad.json: waves[0].tasks[0].files: missing, empty, or not an array\n");
    assertThat(run("overlap", "none.json")).isEqualTo(66);
  }

  @Test
  void overlapWithLocks_reportsPlanFilesHeldByHoldersOutsideThePlan() throws Exception {
    Files.writeString(repo.resolve("plan.json"), PLAN);
    run("files", "acquire", "--session", "outsider", "ui/main.css");
    run("files", "acquire", "--task", "T2", "src/api/x.ts");

    assertThat(run("overlap", "plan.json", "--locks")).isEqualTo(6);
    assertThat(out()).contains("locked now: ui/main.css by session outsider (no process known) (task T3 plans ui/*.css)")
        .doesNotContain("src/api/x.ts");
  }

  @Test
  void snapshotAndCheck_sayWhatChanged_exit5_andSnapshotAgainAcceptsIt() throws Exception {
    Path a = Files.writeString(repo.resolve("src/a.ts"), "one");
    Path gone = Files.writeString(repo.resolve("src/gone.ts"), "x");
    assertThat(run("snapshot", "--task", "T1", "src/a.ts", "src/gone.ts", "src/new.ts")).isZero();
    assertThat(run("check", "--task", "T1")).isZero();

    Files.writeString(a, "two");
    Files.delete(gone);
    Files.writeString(repo.resolve("src/new.ts"), "n");

    assertThat(run("check", "--task", "T1")).isEqualTo(5);
    assertThat(err()).startsWith("session-lock: task T1: 3 files changed outside the task since its snapshot:\n")
        .contains("  changed  " + a + "  ", "  deleted  " + gone + "  ", " -> -\n", "  created  " + repo.resolve("src/new.ts") + "  - -> ");
    assertThat(run("check", "--task", "T1", "--json")).isEqualTo(5);
    assertThat(JsonParser.object().from(out()).getArray("changes")).hasSize(3);
    assertThat(run("snapshot", "--task", "T1", "src/a.ts", "src/gone.ts", "src/new.ts")).isZero();
    assertThat(run("check", "--task", "T1")).isZero();
    assertThat(run("check", "--task", "nope")).isEqualTo(66);
    assertThat(run("check")).isEqualTo(64);
  }

  @Test
  void theBoundSessionsOwnEdit_movesTheBaseline_anotherSessionsDoesNot() throws Exception {
    Path a = Files.writeString(repo.resolve("src/a.ts"), "one");
    run("snapshot", "--task", "T1", "--session", "alice", "src/a.ts");

    Files.writeString(a, "alice wrote this");
    hook("PostToolUse", "bob", a);
    assertThat(run("check", "--task", "T1")).as("bob's edit is external").isEqualTo(5);
    hook("PostToolUse", "alice", a);
    assertThat(run("check", "--task", "T1")).as("alice's is the task's own").isZero();
  }

  private void hook(String event, String session, Path file) {
    String payload = "{\"hook_event_name\":\"" + event + "\",\"session_id\":\"" + session + "\",\"cwd\":\"" + repo
        + "\",\"tool_name\":\"Write\",\"tool_input\":{\"file_path\":\"" + file + "\"},\"tool_response\":{}}";
    HookRunner.run(new ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8)),
        HookArgs.parse(new String[] {"hook", "--mode", "files"}, 1), HookConfig.from(env), temp, clock, () -> agent);
  }

  @Test
  void taskDone_releasesLocksAndSnapshotWhenClean_keepsThemWhenStale_andForceReleasesAnyway() throws Exception {
    Path a = Files.writeString(repo.resolve("src/a.ts"), "one");
    run("files", "acquire", "--task", "T1", "src/a.ts");
    run("snapshot", "--task", "T1", "src/a.ts");
    Files.writeString(a, "changed by someone");

    assertThat(run("task", "done", "T1")).isEqualTo(5);
    assertThat(err()).contains("its locks and snapshot stay", "changed  " + a);
    run("files", "list", "--task", "T1");
    assertThat(out()).contains(a.toString());

    assertThat(run("task", "done", "T1", "--force")).isZero();
    assertThat(out()).isEqualTo("task T1 done: released 1 file locks and its snapshot\n");
    run("files", "list", "--task", "T1");
    assertThat(out()).isEqualTo("no file locks\n");

    run("files", "acquire", "--task", "T5", "src/a.ts");
    run("snapshot", "--task", "T5", "src/a.ts");
    assertThat(run("task", "done", "T5")).isZero();
  }

  @Test
  void taskDone_ofATaskWithNoBaselineAndNoLocks_answersAsCheckDoes_exit66() throws Exception {
    assertThat(run("check", "--task", "NOPE")).isEqualTo(66);
    String checked = err();

    assertThat(run("task", "done", "NOPE")).isEqualTo(66);

    assertThat(out()).isEmpty();
    assertThat(err()).isEqualTo(checked).startsWith("session-lock: task NOPE has no baseline in " + repo);
    assertThat(err().lines()).hasSize(1);
  }

  @Test
  void taskDone_ofATaskWithLocksButNoBaseline_releasesTheLocks() throws Exception {
    Files.writeString(repo.resolve("src/a.ts"), "one");
    run("files", "acquire", "--task", "T7", "src/a.ts");

    assertThat(run("task", "done", "T7")).isZero();

    assertThat(out()).isEqualTo("task T7 done: released 1 file locks\n");
  }

  @Test
  void checkSessionTasks_checksOnlyTheTasksOfTheSessionInTheEnvironment_andNothingWithoutOne() throws Exception {
    Path a = Files.writeString(repo.resolve("src/a.ts"), "one");
    run("snapshot", "--task", "T1", "--session", "alice", "src/a.ts");
    Files.writeString(a, "two");

    assertThat(run("check", "--session-tasks")).as("no agent session: a person's commit").isZero();
    env.put("CLAUDE_CODE_SESSION_ID", "bob");
    assertThat(run("check", "--session-tasks")).isZero();
    env.put("CLAUDE_CODE_SESSION_ID", "alice");
    assertThat(run("check", "--session-tasks")).isEqualTo(5);
    assertThat(err()).contains("task T1: 1 file changed");
  }
}
