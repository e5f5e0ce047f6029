package dev.parallelsessionlock.hook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonWriter;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.testkit.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The files-mode git guard in a real git repository: alice edits {@code a.txt} (held, changed, not committed);
 * bob's git commands that would rewrite the tree, or stage, commit, remove or move alice's file are denied
 * naming it and her; bob's own work and alice's own commit pass.
 */
final class FilesGitGuardTest {

  @TempDir
  Path temp;

  private Path repo;
  private final Map<String, String> env = new HashMap<>();
  private final MutableClock clock = new MutableClock(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  private final ProcessRef aliceAgent = LocalProcesses.current();
  private final ProcessRef bobAgent = LocalProcesses.of(ProcessHandle.current().parent().orElseThrow());

  @BeforeEach
  void setUp() throws Exception {
    repo = Files.createDirectories(temp.resolve("repo")).toRealPath();
    env.put("SESSION_LOCK_DIR", temp.resolve("locks").toString());
    env.put("SESSION_LOCK_WAIT_MS", "0"); // one decision per call; waiting in line: LineWaitTest, WaitProcessIT
    git("init", "-q", "-b", "main");
    Files.createDirectories(repo.resolve("src"));
    Files.writeString(repo.resolve("a.txt"), "a\n");
    Files.writeString(repo.resolve("b.txt"), "b\n");
    Files.writeString(repo.resolve("src/c.txt"), "c\n");
    git("add", "-A");
    git("commit", "-q", "-m", "start");
    git("branch", "other");
    // alice edits a.txt: the hook locks it, the tool writes it
    assertThat(run(edit("alice", "a.txt"), aliceAgent).exitCode()).isZero();
    Files.writeString(repo.resolve("a.txt"), "a, half done by alice\n");
  }

  private void git(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("git", "-C", repo.toString(), "-c", "user.name=t",
        "-c", "user.email=t@example.com"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(String.join(" ", args) + ": " + out).isZero();
  }

  private HookResult run(String payload, ProcessRef agent) {
    return HookRunner.run(new ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8)),
        HookArgs.parse(new String[] {"hook", "--mode", "files"}, 1), HookConfig.from(env), temp, clock, () -> agent);
  }

  private String edit(String session, String path) {
    return JsonWriter.string(JsonObject.builder().value("hook_event_name", "PreToolUse").value("session_id", session)
        .value("cwd", repo.toString()).value("tool_name", "Edit")
        .object("tool_input").value("file_path", path).end().done());
  }

  private String bash(String session, String command) {
    return JsonWriter.string(JsonObject.builder().value("hook_event_name", "PreToolUse").value("session_id", session)
        .value("cwd", repo.toString()).value("tool_name", "Bash")
        .object("tool_input").value("command", command).end().done());
  }

  private HookResult bob(String command) {
    return run(bash("bob", command), bobAgent);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "nice git checkout other", "nice -n 5 git checkout other", "ionice -c3 git checkout other",
      "timeout 5 git checkout other", "timeout -s KILL 5s git checkout other", "env -i git checkout other",
      "env -i PATH=/usr/bin git checkout other", "env -u HOME -C . git checkout other",
      "echo other | xargs git checkout", "echo other | xargs -n1 git checkout", "stdbuf -oL git checkout other",
      "stdbuf -o L git checkout other", "nohup git checkout other", "setsid -w git checkout other",
      "chrt -o 0 git checkout other", "time -p git checkout other", "command git checkout other",
      "exec git checkout other", "sudo -E -u nobody git checkout other", "builtin command git checkout other",
      "sh -c 'git checkout other'", "bash -lc \"cd . && git checkout other\"", "eval git checkout other",
      "git checkout-index -f -a", "git read-tree -u --reset HEAD", "git reset --hard",
      "git stash", "git checkout -b new other", "git switch -c new other",
      "echo $(git checkout other)", "env -S 'git checkout other'", "/usr/bin/env git checkout other"})
  void treeRewrites_throughAnyWrapper_areDenied_namingTheFileAndItsHolder(String command) {
    HookResult result = bob(command);

    assertThat(result.exitCode()).as(command).isEqualTo(2);
    assertThat(String.join("\n", result.stderr())).contains("would rewrite the work tree", repo.resolve("a.txt")
        .toString(), "session alice");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "git add -A", "git add .", "git add a.txt", "git add --all", "git add -u", "cd src && git add -A",
      "git commit -am wip", "git commit -a -m wip", "git commit --all --message wip", "git commit a.txt -m wip",
      "git rm a.txt", "git rm -r --cached .", "git mv a.txt d.txt", "git restore a.txt",
      "git add -A && git commit -m all", "nice git add -A", "xargs git add"})
  void stagingCommittingRemovingOrMoving_anothersChangedFile_isDenied(String command) {
    HookResult result = bob(command);

    assertThat(result.exitCode()).as(command).isEqualTo(2);
    assertThat(String.join("\n", result.stderr())).contains(repo.resolve("a.txt").toString(), "session alice",
        "another session is editing");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "git checkout -b new", "git switch -c new", "git checkout -q -b new", "git add b.txt", "git add src",
      "cd src && git add .", "git commit -m mine", "git commit b.txt -m mine", "git rm src/c.txt",
      "git mv b.txt e.txt", "git restore b.txt", "git status", "git add -n -A", "command -v git",
      "git log --oneline"})
  void bobsOwnWork_andCallsThatTouchNoHeldFile_pass(String command) throws Exception {
    Files.writeString(repo.resolve("b.txt"), "b by bob\n");

    assertThat(bob(command).exitCode()).as(command).isZero();
  }

  @Test
  void aFileStagedByItsHolder_isNotCommittedByAnother_butTheHolderCommitsIt() throws Exception {
    git("add", "a.txt");

    HookResult bobCommits = bob("git commit -m 'all staged'");
    assertThat(bobCommits.exitCode()).isEqualTo(2);
    assertThat(String.join("\n", bobCommits.stderr())).contains("git commit would commit", "a.txt");

    assertThat(run(bash("alice", "git commit -am 'my work'"), aliceAgent).exitCode()).isZero();
    assertThat(run(bash("alice", "git add -A && git commit -m mine"), aliceAgent).exitCode()).isZero();
  }

  @Test
  void whileAnotherSessionHoldsTheWorkTreeInWorkspaceMode_everyGuardedCallIsDenied_untilItsTurnEnds() throws Exception {
    ProcessRef carolAgent = LocalProcesses.of(1); // any other live process
    // Alice's session ends (a Stop would keep her uncommitted a.txt locked, and with it the work tree).
    assertThat(run(end("SessionEnd", "alice"), aliceAgent).exitCode()).isZero();
    HookResult carol = HookRunner.run(new ByteArrayInputStream(edit("carol", "src/c.txt").getBytes(StandardCharsets.UTF_8)),
        HookArgs.parse(new String[] {"hook"}, 1), HookConfig.from(env), temp, clock, () -> carolAgent);
    assertThat(carol.exitCode()).as("carol takes the work tree in workspace mode").isZero();
    Files.writeString(repo.resolve("b.txt"), "b by bob\n");

    for (String command : List.of("git add b.txt", "git commit b.txt -m mine", "git checkout other")) {
      HookResult result = bob(command);
      assertThat(result.exitCode()).as(command).isEqualTo(2);
      assertThat(String.join("\n", result.stderr())).as(command)
          .contains("work tree " + repo, "session carol", "holds in workspace mode", "release --force --dir");
    }
    assertThat(bob("git status").exitCode()).as("reading is no rewrite").isZero();

    HookResult carolStops = HookRunner.run(new ByteArrayInputStream(stop("carol").getBytes(StandardCharsets.UTF_8)),
        HookArgs.parse(new String[] {"hook"}, 1), HookConfig.from(env), temp, clock, () -> carolAgent);
    assertThat(carolStops.exitCode()).isZero();
    assertThat(bob("git add b.txt").exitCode()).isZero();
  }

  private String stop(String session) {
    return end("Stop", session);
  }

  private String end(String event, String session) {
    return JsonWriter.string(JsonObject.builder().value("hook_event_name", event).value("session_id", session)
        .value("cwd", repo.toString()).done());
  }

  @Test
  void aHeldFileWithNoChanges_isNoReasonToDeny_aStageOfEverything() throws Exception {
    git("-c", "core.hooksPath=/dev/null", "stash"); // a.txt back to its committed text, still held by alice
    Files.writeString(repo.resolve("b.txt"), "b by bob\n");

    assertThat(bob("git add -A && git commit -m mine").exitCode()).isZero();
    assertThat(bob("git rm a.txt").exitCode()).as("removing a held file is refused, changed or not").isEqualTo(2);
  }
}
