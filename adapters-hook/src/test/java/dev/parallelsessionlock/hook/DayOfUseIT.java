package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.hook.runtime.Agent;
import dev.parallelsessionlock.hook.runtime.AgentSamplesTest;
import dev.parallelsessionlock.hook.runtime.ShellCommands;
import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A day on one repository, as a user lives it: the built launcher installed the way the README says, three agent
 * sessions (two Claude Code, one Codex, each its own live process) running the registered hook commands through
 * {@code sh -c} with the real clients' recorded payloads, a person committing by hand between them, a plan with two
 * tasks, work items claimed by a script, branches through the merge queue, a worktree, a Stop, a crash, and
 * {@code doctor} and {@code status} at the end. Nothing here is set up behind the tool's back but the faults a day
 * brings (a mistyped variable, a stray file in the lock directory).
 *
 * <p>Every line any command or hook printed all day is kept, and at the end none may name an internal key or
 * exception, or advise a bare {@code session-lock} that is not on the PATH.
 */
final class DayOfUseIT {

  private static final Path LAUNCHER = Path.of(System.getProperty("session-lock.launcher"));
  private static final Path SAMPLES = AgentSamplesTest.SAMPLES;

  @TempDir
  Path temp;

  private Path repo;
  private Path home;
  private Path installHome;
  private Path installed;
  private final List<Agent> agents = new ArrayList<>();
  /** Everything printed today, for the checks at the end of the day. */
  private final StringBuilder printed = new StringBuilder();

  record Result(int exit, String stdout, String stderr) {
    String all() {
      return stdout + stderr;
    }
  }

  /** A live agent CLI stand-in ({@link FakeAgent}): runs hook commands and its shell tool with {@code sh -c}. */
  final class Agent {
    final String client;
    final String session;
    final Process process;
    final PrintStream toAgent;
    final BufferedReader fromAgent;

    Agent(String client, String session, Map<String, String> clientEnv) throws IOException {
      this.client = client;
      this.session = session;
      ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), FakeAgent.class.getName())
          .directory(repo.toFile());
      baseEnvironment(builder.environment());
      builder.environment().putAll(IDENTITY);
      builder.environment().putAll(clientEnv);
      builder.redirectError(ProcessBuilder.Redirect.INHERIT);
      process = builder.start();
      toAgent = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
      fromAgent = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      assertThat(fromAgent.readLine()).startsWith("READY ");
      agents.add(this);
    }

    /** The registered hook command for {@code event}, fed {@code payload}, as the client runs it. */
    Result hook(String event, String payload) throws IOException {
      return send(registered(client, event), payload);
    }

    /** The same, with a variable set for this one call (a slow machine's deadline, a mistyped store). */
    Result hook(String event, String payload, String assignment) throws IOException {
      return send("export " + assignment + "; " + registered(client, event), payload);
    }

    /** A command run by the agent's shell tool (its environment, the repository as its directory). */
    Result shell(String command) throws IOException {
      return send(command, "");
    }

    private Result send(String command, String stdin) throws IOException {
      assertThat(command).doesNotContain("\t", "\n");
      toAgent.println(command + "\t" + stdin.replace("\n", ""));
      String[] answer = fromAgent.readLine().split("\t", -1);
      Base64.Decoder b64 = Base64.getDecoder();
      Result result = new Result(Integer.parseInt(answer[0]), new String(b64.decode(answer[1]), StandardCharsets.UTF_8),
          new String(b64.decode(answer[2]), StandardCharsets.UTF_8));
      synchronized (printed) { // a waiting hook answers on a thread of its own
        printed.append(result.all()).append('\n');
      }
      return result;
    }

    void kill() throws InterruptedException {
      process.destroyForcibly().waitFor();
    }
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (Agent agent : agents) {
      agent.kill();
    }
  }

  private void baseEnvironment(Map<String, String> env) {
    env.keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK")
        || name.startsWith("COPILOT") || name.startsWith("GEMINI") || name.startsWith("CODEX")
        || name.startsWith("GIT_"));
    env.put("HOME", home.toString());
    env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
    env.put("SESSION_LOCK_HOME", installHome.toString());
    env.put("GIT_CONFIG_NOSYSTEM", "1");
    env.put("LC_ALL", "C.UTF-8");
    env.put("SESSION_LOCK_WAIT_MS", "0"); // one answer per call; waiting: WaitProcessIT
  }

  /** A command a person or a script runs in the repository, through {@code sh -c}. */
  private Result sh(Map<String, String> extraEnv, String command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).directory(repo.toFile());
    baseEnvironment(builder.environment());
    builder.environment().putAll(extraEnv);
    Process process = builder.start();
    process.getOutputStream().close();
    java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return process.getErrorStream().readAllBytes();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    byte[] out = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).as(command).isTrue();
    Result result = new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8),
        new String(err.get(), StandardCharsets.UTF_8));
    synchronized (printed) {
      printed.append(result.all()).append('\n');
    }
    return result;
  }

  /** A git identity from the environment: the person's terminal and the agents have one, the scripts do not. */
  private static final Map<String, String> IDENTITY = Map.of("GIT_AUTHOR_NAME", "Pat Person", "GIT_AUTHOR_EMAIL",
      "pat@example.com", "GIT_COMMITTER_NAME", "Pat Person", "GIT_COMMITTER_EMAIL", "pat@example.com");

  /** The person at the keyboard: a git identity, no agent variables. */
  private Result person(String command) throws Exception {
    return sh(IDENTITY, command);
  }

  /** A script (cron, a CI runner): no identity, no agent variables. */
  private Result script(String command) throws Exception {
    return sh(Map.of(), command);
  }

  private String q(Object path) {
    return ShellCommands.quote(path.toString());
  }

  /** The installed launcher, quoted, as hints and scripts use it. */
  private String sl() {
    return q(installed);
  }

  /** The command {@code install} registered for {@code client}'s {@code event}, read from its settings file. */
  private String registered(String client, String event) throws IOException {
    Path settings = client.equals("codex") ? repo.resolve(".codex/hooks.json") : repo.resolve(".claude/settings.json");
    try {
      JsonObject hooks = JsonParser.object().from(Files.readString(settings)).getObject("hooks");
      JsonArray groups = hooks.getArray(event);
      assertThat(groups).as(event + " registered in " + settings).isNotNull();
      return groups.getObject(0).getArray("hooks").getObject(0).getString("command");
    } catch (com.grack.nanojson.JsonParserException e) {
      throw new IOException(e);
    }
  }

  /** A recorded payload of {@code client} for {@code sample}, moved to this repository and session. */
  private String payload(Agent agent, String sample, Map<String, Object> toolInput) throws Exception {
    JsonObject recorded = JsonParser.object().from(Files.readString(SAMPLES.resolve(agent.client).resolve(sample + ".json")))
        .getObject("payload");
    JsonObject payload = new JsonObject(recorded);
    payload.put("session_id", agent.session);
    payload.put("cwd", repo.toString());
    if (toolInput != null) {
      JsonObject input = new JsonObject();
      input.putAll(toolInput);
      payload.put("tool_input", input);
    }
    return JsonWriter.string(payload);
  }

  private String payload(Agent agent, String sample) throws Exception {
    return payload(agent, sample, null);
  }

  /** Claude's Edit of {@code file}: PreToolUse, the write itself, PostToolUse. Returns the PreToolUse answer. */
  private Result edit(Agent agent, String file, String text) throws Exception {
    Result pre = agent.hook("PreToolUse", payload(agent, "PreToolUse-Edit", Map.of("file_path", repo.resolve(file)
        .toString(), "old_string", "x", "new_string", text)));
    if (pre.exit() == 0) {
      Files.writeString(repo.resolve(file), text);
      assertThat(agent.hook("PostToolUse", payload(agent, "PostToolUse-Edit", Map.of("file_path",
          repo.resolve(file).toString(), "old_string", "x", "new_string", text))).exit()).isZero();
    }
    return pre;
  }

  /** Codex's apply_patch updating {@code file} (relative to {@code dir}), then the patch applied. */
  private Result patch(Agent agent, Path dir, String file, String text) throws Exception {
    String patch = "*** Begin Patch\n*** Update File: " + file + "\n@@\n-" + Files.readString(dir.resolve(file)).strip()
        + "\n+" + text + "\n*** End Patch\n";
    JsonObject input = new JsonObject();
    input.put("command", patch);
    JsonObject recorded = JsonParser.object().from(Files.readString(SAMPLES.resolve("codex/PreToolUse-apply_patch.json")))
        .getObject("payload");
    JsonObject payload = new JsonObject(recorded);
    payload.put("session_id", agent.session);
    payload.put("cwd", dir.toString());
    payload.put("tool_input", input);
    Result pre = agent.hook("PreToolUse", JsonWriter.string(payload));
    if (pre.exit() == 0) {
      Files.writeString(dir.resolve(file), text + "\n");
      payload.put("hook_event_name", "PostToolUse");
      payload.put("tool_response", "Success. Updated the following files:\nM " + file + "\n");
      assertThat(agent.hook("PostToolUse", JsonWriter.string(payload)).exit()).isZero();
    }
    return pre;
  }

  /** The agent's shell tool running {@code command}: PreToolUse, and when allowed the command and PostToolUse. */
  private Result bash(Agent agent, String command) throws Exception {
    String sample = agent.client.equals("codex") ? "PreToolUse-Bash" : "PreToolUse-Bash";
    Map<String, Object> input = new HashMap<>();
    input.put("command", command);
    Result pre = agent.hook("PreToolUse", payload(agent, sample, input));
    if (pre.exit() != 0) {
      return pre;
    }
    Result ran = agent.shell(command);
    String post = agent.client.equals("codex") ? "PostToolUse-Bash" : "PostToolUseFailure-Bash";
    JsonObject postPayload = JsonParser.object().from(payload(agent, post, input));
    postPayload.put("hook_event_name", "PostToolUse");
    assertThat(agent.hook("PostToolUse", JsonWriter.string(postPayload)).exit()).isZero();
    return ran;
  }

  private String git(String... args) throws Exception {
    StringBuilder command = new StringBuilder("git");
    for (String arg : args) {
      command.append(' ').append(q(arg));
    }
    Result result = script(command.toString());
    assertThat(result.exit()).as(command + ": " + result.all()).isZero();
    return result.stdout().strip();
  }

  /** Session ids are new every run, as real ones are (the once-per-session notices are kept under /tmp). */
  private final String run = Long.toHexString(System.nanoTime());
  private final String aliceId = "alice-" + run;
  private final String bobId = "bob-" + run;
  private final String carolId = "carol-" + run;

  private static final String ITEM = "---\nid: %s\nstatus: pending\nlocked_by: \"\"\nlocked_at: \"\"\n---\nThe work.\n";

  @Test
  void aDayOnOneRepository() throws Exception {
    repo = Files.createDirectories(temp.resolve("day/repo")).toRealPath();
    home = Files.createDirectories(temp.resolve("home"));
    installHome = temp.resolve("tools/session lock");
    installed = installHome.resolve("bin/session-lock");

    // 08:50 The person's repository: a main branch, some files; work items beside it, in a folder with a space.
    assertThat(person("git init -q -b main").exit()).isZero();
    Files.createDirectories(repo.resolve("src"));
    Files.createDirectories(repo.resolve("docs"));
    Path items = Files.createDirectories(repo.resolveSibling("work items"));
    for (String file : List.of("README.md", "src/a.txt", "src/b.txt", "src/c.txt", "docs/guide.md")) {
      Files.writeString(repo.resolve(file), file + "\n");
    }
    Files.writeString(items.resolve("WRK-1.md"), String.format(ITEM, "WRK-1"));
    Files.writeString(items.resolve("WRK-2.md"), String.format(ITEM, "WRK-2"));
    assertThat(person("git add -A && git commit -q -m start").exit()).isZero();

    // 08:55 Install as the README says: Claude Code and Codex in files mode, the git hooks. The first install
    // builds the start-up archives and says so while it works.
    Result install = person(q(LAUNCHER) + " install --dir . --mode files");
    assertThat(install.exit()).as(install.all()).isZero();
    assertThat(install.stderr()).as("install says what it builds while it builds it")
        .contains("building the hook's start-up archive", "done in");
    assertThat(install.stdout()).contains("registered the claude hooks (files mode)");
    assertThat(person(q(LAUNCHER) + " install --dir . --agent codex --mode files --trust").exit()).isZero();
    Result gitHooks = person(sl() + " install --git-hooks --dir .");
    assertThat(gitHooks.exit()).as(gitHooks.all()).isZero();
    // A second guide said "local scope": now the Claude hook is registered twice.
    assertThat(person(sl() + " install --dir . --mode files --scope local").exit()).isZero();

    // 08:58 The person starts a docs branch and commits on it by hand: the fresh pre-commit hook lets it through.
    Result sideCommit = person("git switch -q -c side && echo more > docs/more.md && git add docs/more.md"
        + " && git commit -q -m 'docs: more' && git switch -q main");
    assertThat(sideCommit.exit()).as("a person's commit after install --git-hooks: " + sideCommit.all()).isZero();
    String sideTip = git("rev-parse", "side");

    Agent alice = new Agent("claude", aliceId, Map.of("CLAUDECODE", "1", "CLAUDE_CODE_SESSION_ID", aliceId,
        "CLAUDE_PROJECT_DIR", repo.toString()));
    Agent bob = new Agent("claude", bobId, Map.of("CLAUDECODE", "1", "CLAUDE_CODE_SESSION_ID", bobId,
        "CLAUDE_PROJECT_DIR", repo.toString()));
    Agent carol = new Agent("codex", carolId, Map.of("CODEX_MANAGED_BY_NPM", "1",
        "CODEX_HOME", home.resolve(".codex").toString()));

    // 09:00 An agent session merges into main right after install: refused before it runs (no enqueue needed),
    // and git's own guard refuses it too when it runs outside the hook; the work tree is left as it was.
    Result merge = bash(bob, "git merge -q --ff-only side");
    assertThat(merge.exit()).as("an agent's merge into main right after install: " + merge.all()).isEqualTo(2);
    assertThat(merge.stderr()).contains("only the merge queue updates", sl() + " queue enqueue");
    Result direct = bob.shell("git merge -q --ff-only side");
    assertThat(direct.exit()).as("the same merge past the hook: " + direct.all()).isNotZero();
    assertThat(git("rev-parse", "main")).isNotEqualTo(sideTip);
    if (!git("status", "--porcelain").isEmpty()) {
      git("reset", "-q", "--hard"); // what git's refused fast-forward left behind (the README's Limits say so)
    }

    // 09:05 Three sessions edit three files at once.
    assertThat(edit(alice, "src/a.txt", "a: alice's half-done work").exit()).isZero();
    assertThat(edit(bob, "src/b.txt", "b: bob's change").exit()).isZero();
    assertThat(patch(carol, repo, "src/c.txt", "c: carol's change").exit()).isZero();

    // 09:10 Bob reaches for alice's file: denied, naming it and her.
    Result bobOnA = edit(bob, "src/a.txt", "b was here");
    assertThat(bobOnA.exit()).isEqualTo(2);
    assertThat(bobOnA.stderr()).contains("src/a.txt", aliceId);
    assertThat(Files.readString(repo.resolve("src/a.txt"))).isEqualTo("a: alice's half-done work");

    // 09:15 Bob's git: a wrapped checkout and a commit of everything are denied; his own commit goes through,
    // and the pre-commit hook lets a clean agent commit pass.
    Result wrapped = bash(bob, "timeout 60 git checkout side");
    assertThat(wrapped.exit()).as(wrapped.all()).isEqualTo(2);
    Result everything = bash(bob, "git add -A && git commit -m 'wip: everything'");
    assertThat(everything.exit()).as(everything.all()).isEqualTo(2);
    assertThat(everything.stderr()).contains("src/a.txt", aliceId);
    Result own = bash(bob, "git add src/b.txt && git commit -q -m 'b: bob' src/b.txt");
    assertThat(own.exit()).as("bob commits his own file: " + own.all()).isZero();
    assertThat(git("show", "--stat", "--format=", "HEAD")).contains("src/b.txt").doesNotContain("src/a.txt");

    // 09:30 The person commits a README fix by hand, between the sessions.
    Files.writeString(repo.resolve("README.md"), "README.md, fixed by Pat\n");
    Result personCommit = person("git commit -q -m 'readme' README.md");
    assertThat(personCommit.exit()).as(personCommit.all()).isZero();

    // 10:00 A plan with two tasks: no overlap; alice runs T1 on the guide, bound to her session.
    Path plan = temp.resolve("plans/plan.json");
    Files.createDirectories(plan.getParent());
    Files.writeString(plan, "{\"waves\": [{\"name\": \"docs\", \"tasks\": ["
        + "{\"id\": \"T1\", \"files\": [\"docs/**\"]}, {\"id\": \"T2\", \"files\": [\"src/c.txt\"]}]}]}");
    assertThat(alice.shell(sl() + " overlap " + q(plan)).exit()).isZero();
    assertThat(alice.shell(sl() + " files acquire --task T1 docs/guide.md").exit()).isZero();
    assertThat(alice.shell(sl() + " snapshot --task T1 docs/guide.md").exit()).isZero();
    assertThat(edit(alice, "docs/guide.md", "docs: the guide, by task T1").exit()).isZero();
    assertThat(edit(bob, "docs/guide.md", "bob too").exit()).as("the task's file is held").isEqualTo(2);
    assertThat(alice.shell(sl() + " check --task T1").exit()).isZero();
    Result typo = alice.shell(sl() + " task done T3");
    Result typoCheck = alice.shell(sl() + " check --task T3");
    assertThat(typo.exit()).as("task done of a task that does not exist: " + typo.all()).isEqualTo(66);
    assertThat(typoCheck.exit()).isEqualTo(66);
    Result commitT1 = bash(alice, "git commit -q -m 'docs: T1' docs/guide.md");
    assertThat(commitT1.exit()).as(commitT1.all()).isZero();
    Result done = alice.shell(sl() + " task done T1");
    assertThat(done.exit()).as(done.all()).isZero();

    // 10:30 A script claims work items for two sessions from one shell: the second is refused, and the hint it
    // prints runs as printed.
    Result first = script("CLAUDE_CODE_SESSION_ID=" + aliceId + " " + sl() + " claim ../'work items'/WRK-1.md");
    assertThat(first.exit()).as(first.all()).isZero();
    Result second = script("CLAUDE_CODE_SESSION_ID=" + bobId + " " + sl() + " claim ../'work items'/WRK-1.md");
    assertThat(second.exit()).as("a second session id from the same shell: " + second.all()).isEqualTo(4);
    assertThat(second.all()).doesNotContain("renewed");
    assertThat(Files.readString(items.resolve("WRK-1.md"))).contains("locked_by: \"" + aliceId + "\"");
    String hint = hintIn(second.stderr());
    Result followed = script(hint);
    assertThat(followed.exit()).as("the hint " + hint + " as printed: " + followed.all()).isZero();
    assertThat(Files.readString(items.resolve("WRK-1.md"))).isEqualTo(String.format(ITEM, "WRK-1"));
    assertThat(script("CLAUDE_CODE_SESSION_ID=" + bobId + " " + sl() + " claim ../'work items'/WRK-1.md").exit()).isZero();

    // 11:00 Carol works in a worktree of her own; removing anything but a linked worktree is refused and frees
    // nobody's files.
    Result created = carol.shell(sl() + " worktree create feat --no-install");
    assertThat(created.exit()).as(created.all()).isZero();
    Path worktree = Path.of(created.stdout().strip().lines().reduce((a, b) -> b).orElseThrow());
    assertThat(patch(carol, worktree, "src/b.txt", "b: carol's feature").exit()).isZero();
    Result featCommit = carol.shell("cd " + q(worktree) + " && git add -A && git commit -q -m 'feat: carol'");
    assertThat(featCommit.exit()).as(featCommit.all()).isZero();
    for (Path notAWorktree : List.of(repo, repo.resolve("src"), repo.resolve("no-such-dir"))) {
      Result refused = carol.shell(sl() + " worktree remove " + q(notAWorktree));
      assertThat(refused.exit()).as("worktree remove " + notAWorktree + ": " + refused.all()).isNotZero();
      assertThat(edit(bob, "src/a.txt", "still not bob's").exit()).as("alice still holds src/a.txt").isEqualTo(2);
    }
    assertThat(carol.shell(sl() + " worktree remove " + q(worktree)).exit()).isZero();

    // 11:55 Bob wants src/a.txt once more, now with waiting on (the default; the rest of the day answers at once):
    // his edit waits in line, `list` shows him first in line, and when alice's commit releases the file, his edit
    // goes through without a retry. He commits it too.
    String bobsEdit = payload(bob, "PreToolUse-Edit", Map.of("file_path", repo.resolve("src/a.txt").toString(),
        "old_string", "x", "new_string", "a: bob, after alice"));
    java.util.concurrent.CompletableFuture<Result> bobWaits = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return bob.hook("PreToolUse", bobsEdit, "SESSION_LOCK_WAIT_MS=20000");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    long lineDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    Result line = script(sl() + " list");
    while (!line.stdout().contains("1st in line: session " + bobId) && System.nanoTime() < lineDeadline) {
      line = script(sl() + " list"); // a person looking again: each look is a whole process
    }
    assertThat(line.stdout()).as("list while bob waits: " + line.all()).contains("waiting for ", "src/a.txt:\n",
        "1st in line: session " + bobId);
    assertThat(bobWaits).as("bob still waits while alice holds the file").isNotDone();
    assertThat(bash(alice, "git commit -q -m 'a: alice' src/a.txt").exit()).isZero();
    Result bobServed = bobWaits.get(60, TimeUnit.SECONDS);
    assertThat(bobServed.exit()).as("bob's waiting edit, once alice committed: " + bobServed.all()).isZero();
    Files.writeString(repo.resolve("src/a.txt"), "a: bob, after alice");
    assertThat(bob.hook("PostToolUse", payload(bob, "PostToolUse-Edit", Map.of("file_path",
        repo.resolve("src/a.txt").toString(), "old_string", "x", "new_string", "a: bob, after alice"))).exit()).isZero();
    assertThat(bash(bob, "git commit -q -m 'a: bob after alice' src/a.txt").exit()).isZero();

    // 12:00 Lunch: everyone commits their own work; a script (no git identity on this machine) runs the queue.
    assertThat(bash(carol, "git commit -q -m 'c: carol' src/c.txt").exit()).isZero();
    assertThat(git("status", "--porcelain", "--untracked-files=no")).isEmpty();
    assertThat(script(sl() + " queue enqueue worktree-feat").exit()).isZero();
    assertThat(script(sl() + " queue enqueue side").exit()).isZero();
    // A validation script that cleans up too much: it deletes the queue's folder. Nothing is lost; it says so.
    Result careless = script(sl() + " queue process --validate 'rm -rf \"$(git rev-parse --git-common-dir)/session-lock\"'");
    assertThat(careless.exit()).as(careless.all()).isEqualTo(8);
    Result queued = script(sl() + " queue status");
    assertThat(queued.stdout()).as(queued.all()).contains("worktree-feat", "side");
    Result processed = script(sl() + " queue process --validate 'test -f README.md'");
    assertThat(processed.exit()).as(processed.all()).isZero();
    String log = git("log", "--format=%s", "main");
    assertThat(log).contains("feat: carol", "docs: more", "a: alice", "readme");
    assertThat(Files.readString(repo.resolve("src/b.txt"))).isEqualTo("b: carol's feature\n");
    assertThat(Files.readString(repo.resolve("docs/guide.md"))).contains("docs: the guide");
    assertThat(repo.resolve("docs/more.md")).exists();

    // 13:00 Bob's shell has a mistyped store: his session is told, not silently switched to another store.
    Result mistyped = bob.hook("PreToolUse", payload(bob, "PreToolUse-Edit", Map.of("file_path",
        repo.resolve("src/b.txt").toString(), "old_string", "x", "new_string", "y")),
        "SESSION_LOCK_STORE=jdbc:postgres://localhost/locks");
    assertThat(mistyped.stdout()).as("what bob's session is told: " + mistyped.all())
        .contains("systemMessage", "SESSION_LOCK_STORE");
    Result doctorMistyped = sh(Map.of("SESSION_LOCK_STORE", "jdbc:postgres://localhost/locks"),
        sl() + " doctor --dir .");
    assertThat(doctorMistyped.exit()).as(doctorMistyped.all()).isEqualTo(3);

    // 14:00 Bob's code generator locked 2,000 files; his turn ends on a slow machine: Stop releases them all but
    // the one he changed and has not committed (src/b.txt stays his), and says nothing untrue.
    Files.createDirectories(repo.resolve("gen"));
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      many.append(" gen/f").append(i).append(".txt");
    }
    Result generated = bob.shell(sl() + " files acquire --session " + bobId + many);
    assertThat(generated.exit()).as(generated.all()).isZero();
    assertThat(edit(bob, "src/b.txt", "b: bob again").exit()).isZero();
    Result stop = bob.hook("Stop", payload(bob, "Stop"), "SESSION_LOCK_DEADLINE_MS=150");
    assertThat(stop.exit()).isZero();
    assertThat(stop.all()).doesNotContainIgnoringCase("protection is off");
    Result afterStop = script(sl() + " files list --session " + bobId);
    assertThat(afterStop.exit()).isZero();
    assertThat(afterStop.stdout()).doesNotContain("gen/f").contains("src/b.txt");

    // 14:30 Bob releases a file nobody holds: not "held by another", and the path, not a key.
    Result nobodys = script(sl() + " files release --session " + bobId + " docs/guide.md");
    assertThat(nobodys.exit()).as(nobodys.all()).isNotEqualTo(4);
    assertThat(nobodys.all()).contains("docs/guide.md");

    // 15:00 Carol edits src/c.txt again, and her agent crashes: alice takes the file over at once.
    assertThat(patch(carol, repo, "src/c.txt", "c: carol, unfinished").exit()).isZero();
    carol.kill();
    Result takeover = edit(alice, "src/c.txt", "c: alice picks it up");
    assertThat(takeover.exit()).as(takeover.all()).isZero();

    // 16:00 Garbage in the lock directory: a FIFO where a record goes, a record with an absurd lease. Nothing
    // hangs, and the lease is read as no longer than the tool would write.
    Path lockDir = home.resolve(".claude/runtime");
    assertThat(script(sl() + " files acquire --session zed-0009 docs/zed.md").exit()).isZero();
    Path zed;
    try (Stream<Path> records = Files.list(lockDir)) {
      zed = records.filter(p -> p.getFileName().toString().startsWith("file-")).filter(p -> {
        try {
          return Files.readString(p).contains("zed-0009");
        } catch (IOException e) {
          return false;
        }
      }).findFirst().orElseThrow();
    }
    Files.writeString(zed, Files.readString(zed).replaceAll("\"ttl_ms\":\\s*\\d+", "\"ttl_ms\":9223372036854775807"));
    Path fifo = lockDir.resolve(zed.getFileName().toString().replace("file-", "file-0").replace(".json", "0.json"));
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    for (String command : List.of("files list", "list", "status --dir .", "prune")) {
      Result quick = script("timeout 10 " + sl() + " " + command);
      assertThat(quick.exit()).as(command + " with a FIFO in the lock directory: " + quick.all()).isNotEqualTo(124);
    }
    Result status = script(sl() + " status --dir .");
    assertThat(status.stdout()).contains("zed-0009").doesNotContain("106751991167d");
    assertThat(script(sl() + " files list").stderr()).contains(fifo.toString(), "remove it");
    Files.delete(fifo); // the person does as told
    Result zedFiles = script(sl() + " files list --session zed-0009");
    assertThat(zedFiles.all()).as("an absurd ttl is read as the longest lease the tool writes")
        .contains("record clamped").doesNotContain("106751991167d");

    // 17:00 The day's end: doctor names the doubled registration; status shows who still holds what; a purge that
    // must refuse changes nothing.
    Result doctor = script(sl() + " doctor --dir .");
    assertThat(doctor.stdout()).as(doctor.all()).contains("registered in 2 scopes", "project", "local");
    String keepOne = hintIn(doctor.stdout());
    assertThat(keepOne).contains("uninstall", "--scope local");
    Result removedOne = script(keepOne);
    assertThat(removedOne.exit()).as(keepOne + ": " + removedOne.all()).isZero();
    assertThat(script(sl() + " doctor --dir .").stdout()).doesNotContain("scopes").contains("protection is on");
    assertThat(status.stdout()).contains(aliceId, "src/c.txt");
    String settings = Files.readString(repo.resolve(".claude/settings.json"));
    Result purge = script(sl() + " uninstall --dir . --purge");
    assertThat(purge.exit()).as(purge.all()).isNotZero();
    assertThat(Files.readString(repo.resolve(".claude/settings.json"))).isEqualTo(settings);
    assertThat(Files.exists(installed)).isTrue();

    // All day: no internal names, and every hint names the launcher by its path.
    String all = printed.toString();
    assertThat(all).doesNotContain("took_over", "Exception");
    assertThat(Pattern.compile("(?<![/\\w])file-[0-9a-f]{6}").matcher(all).find()).as("an internal key in: " + all)
        .isFalse();
    Matcher bare = Pattern.compile("(^|[\\s(`\"])session-lock (install|uninstall|doctor|status|list|release|files|"
        + "claim|unclaim|claims|snapshot|check|task|queue|worktree|prune|demo|overlap)\\b").matcher(all);
    List<String> bareHints = new ArrayList<>();
    while (bare.find()) {
      bareHints.add(all.substring(Math.max(0, bare.start() - 60), Math.min(all.length(), bare.end() + 40)));
    }
    assertThat(bareHints).as("hints with a bare session-lock, which is not on the PATH").isEmpty();
  }

  /** The command a refusal advises: from the installed launcher's quoted path to the end of that line. */
  private String hintIn(String text) {
    int at = text.indexOf(sl());
    assertThat(at).as("a hint naming " + sl() + " in: " + text).isNotNegative();
    int end = text.indexOf('\n', at);
    String hint = (end < 0 ? text.substring(at) : text.substring(at, end)).strip();
    return hint.endsWith(")") || hint.endsWith(".") ? hint.substring(0, hint.length() - 1) : hint;
  }
}
