package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.hook.install.HookRegistrations;
import dev.parallelsessionlock.hook.runtime.Agent;
import dev.parallelsessionlock.hook.runtime.ShellCommands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built executable installed into temp homes: doctor, the launcher after a JDK change, prune, list. */
final class InstallProcessIT {

  private static final Path LAUNCHER = Path.of(System.getProperty("session-lock.launcher"));

  @TempDir
  Path temp;

  private Path project;
  private Path installHome;

  record Run(int exit, String stdout, String stderr) {}

  @BeforeEach
  void setUp() throws IOException {
    project = Files.createDirectories(temp.resolve("project/.git")).getParent().toRealPath();
    installHome = temp.resolve("install");
  }

  private Run run(Path program, String stdin, Map<String, String> extraEnv, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(program.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK")
        || name.startsWith("COPILOT") || name.startsWith("GEMINI") || name.startsWith("CODEX"));
    env.put("HOME", temp.resolve("home").toString());
    env.put("SESSION_LOCK_HOME", installHome.toString());
    env.put("SESSION_LOCK_DIR", temp.resolve("locks").toString());
    env.put("SESSION_LOCK_WAIT_MS", "0"); // one answer per call; waiting: WaitProcessIT
    env.putAll(extraEnv);
    Process process = builder.start();
    process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  private Run sessionLock(String... args) throws Exception {
    return run(LAUNCHER, "", Map.of(), args);
  }

  private Path installed() {
    return installHome.resolve("bin/session-lock");
  }

  @Test
  void doctor_afterInstall_saysProtectionIsOn_andNamesEachProblemOtherwise() throws Exception {
    assertThat(sessionLock("install", "--dir", project.toString()).exit()).isZero();

    Run healthy = sessionLock("doctor", "--dir", project.resolve(".git").getParent().toString());
    assertThat(healthy.exit()).as(healthy.stdout()).isZero();
    assertThat(healthy.stdout()).contains("ok  claude (project", "dry run allowed a session and denied its rival",
        "waker on Stop (asyncRewake)",
        "protection is on");

    assertThat(sessionLock("install", "--dir", project.toString(), "--mode", "files").exit()).isZero();
    Run files = sessionLock("doctor", "--dir", project.toString());
    assertThat(files.exit()).as(files.stdout()).isZero();
    assertThat(files.stdout()).contains("registered (files mode)", "dry run allowed a session and denied its rival");
    assertThat(Files.readString(project.resolve(".claude/settings.json"))).contains("hook --mode files --agent claude")
        .doesNotContain("exec \\\"$f\\\" hook --agent claude");
    assertThat(sessionLock("install", "--dir", project.toString(), "--mode", "workspace").exit()).isZero();
    assertThat(Files.readString(project.resolve(".claude/settings.json"))).doesNotContain("--mode files");

    assertThat(sessionLock("install", "--dir", project.toString(), "--agent", "codex", "--mode", "files").exit()).isZero();
    assertThat(sessionLock("install", "--dir", project.toString(), "--agent", "codex", "--mode", "bogus").exit())
        .isEqualTo(64);
    Run untrusted = sessionLock("doctor", "--dir", project.toString());
    assertThat(untrusted.exit()).isEqualTo(3);
    assertThat(untrusted.stdout()).contains("Codex skips this hook silently: it is untrusted (pre_tool_use:0:0)");

    Files.move(installHome, temp.resolve("moved-away"));
    Run gone = sessionLock("doctor", "--dir", project.toString());
    assertThat(gone.exit()).isEqualTo(3);
    assertThat(gone.stdout()).contains("the registered launcher " + installed() + " is missing");
  }

  @Test
  void launcher_afterTheArchiveNoLongerBelongsToItsJava_runsWithoutIt_andNoJvmLineReachesTheAgent() throws Exception {
    sessionLock("install", "--dir", project.toString());
    Path stamp = installHome.resolve("lib/session-lock.stamp");
    assertThat(Files.readString(stamp)).contains("JAVA_VERSION=");
    Files.writeString(stamp, "/opt/jdk-25/bin/java JAVA_VERSION=\"25.0.3\"\n"); // as after a JDK change
    Files.writeString(installHome.resolve("lib/session-lock.jsa"), "not an archive any more");
    String edit = "{\"hook_event_name\":\"PreToolUse\",\"session_id\":\"%s\",\"cwd\":\"" + project
        + "\",\"tool_name\":\"Edit\",\"tool_input\":{}}";

    Run version = run(installed(), "", Map.of(), "--version");
    Run first = run(installed(), String.format(edit, "alice"), Map.of("SESSION_LOCK_OWNER", "session"), "hook", "--agent", "claude");
    Run rival = run(installed(), String.format(edit, "bob"), Map.of("SESSION_LOCK_OWNER", "session"), "hook", "--agent", "claude");

    assertThat(version.exit()).isZero();
    assertThat(version.stdout()).startsWith("session-lock ");
    assertThat(first).isEqualTo(new Run(0, "", ""));
    assertThat(rival.exit()).isEqualTo(2);
    assertThat(rival.stderr()).startsWith("parallel session lock held by alice").doesNotContain("[error]", "cds");
    assertThat(sessionLock("doctor", "--dir", project.toString()).stdout())
        .contains("the start-up archive was built for another java");
  }

  @Test
  void launcher_withACorruptArchiveOfItsOwnJava_keepsJvmLinesOutOfTheReason() throws Exception {
    sessionLock("install", "--dir", project.toString());
    Files.writeString(installHome.resolve("lib/session-lock.jsa"), "garbage");
    String edit = "{\"hook_event_name\":\"PreToolUse\",\"session_id\":\"%s\",\"cwd\":\"" + project
        + "\",\"tool_name\":\"Edit\",\"tool_input\":{}}";

    run(installed(), String.format(edit, "alice"), Map.of("SESSION_LOCK_OWNER", "session"), "hook");
    Run rival = run(installed(), String.format(edit, "bob"), Map.of("SESSION_LOCK_OWNER", "session"), "hook");

    assertThat(rival.exit()).isEqualTo(2);
    assertThat(rival.stderr()).startsWith("parallel session lock held by alice").doesNotContain("[error]");
  }

  @Test
  void anInstallPathWithASpace_stillUsesTheStartUpArchive() throws Exception {
    installHome = temp.resolve("my tools/session lock");
    assertThat(sessionLock("install", "--dir", project.toString()).exit()).isZero();

    Run traced = run(Path.of("/bin/sh"), "", Map.of(), "-x", installed().toString(), "--version");

    assertThat(traced.exit()).isZero();
    assertThat(traced.stderr()).contains("-XX:SharedArchiveFile=" + installHome.resolve("lib/session-lock.jsa"));
  }

  @Test
  void dirThatIsNoDirectory_isAUsageErrorWithOneLine() throws Exception {
    Path file = Files.writeString(temp.resolve("a-file"), "x");
    for (String command : new String[] {"install", "status", "release", "doctor"}) {
      Run missing = sessionLock(command, "--dir", temp.resolve("typo/path").toString(), "--force");
      Run notDir = sessionLock(command, "--dir=" + file, "--force");
      if (!command.equals("release")) {
        missing = sessionLock(command, "--dir", temp.resolve("typo/path").toString());
        notDir = sessionLock(command, "--dir=" + file);
      }
      assertThat(missing.exit()).as(command).isEqualTo(64);
      assertThat(missing.stderr()).as(command).isEqualTo("session-lock: --dir " + temp.resolve("typo/path")
          + " does not exist (see '" + LAUNCHER + "' --help)\n");
      assertThat(notDir.exit()).as(command).isEqualTo(64);
      assertThat(notDir.stderr()).as(command).contains("is not a directory");
    }
    assertThat(Files.exists(temp.resolve("typo"))).isFalse();
  }

  @Test
  void prune_removesDeadAndLongExpiredLeases_keepsLiveOnes_andListShowsPathsAndTheDead() throws Exception {
    Path locks = Files.createDirectories(temp.resolve("locks"));
    Process exited = new ProcessBuilder("true").start();
    exited.waitFor();
    long now = System.currentTimeMillis();
    long alive = ProcessHandle.current().pid();
    Files.writeString(locks.resolve("session-lock-00000000dead.json"), "{\"schema_version\":1,\"session_id\":\"gone\","
        + "\"pid\":" + exited.pid() + ",\"acquired_at\":" + now + ",\"ttl_ms\":300000,\"path\":\"/repo/dead\"}");
    Files.writeString(locks.resolve("session-lock-0000000000old.json"), "{\"schema_version\":1,\"session_id\":\"old\","
        + "\"pid\":0,\"acquired_at\":" + (now - 3 * 86_400_000L) + ",\"ttl_ms\":300000}");
    Files.writeString(locks.resolve("session-lock-00000000live.json"), "{\"schema_version\":1,\"session_id\":\"live\","
        + "\"pid\":" + alive + ",\"acquired_at\":" + now + ",\"ttl_ms\":300000,\"path\":\"/repo/live\"}");

    Run list = sessionLock("list");
    assertThat(list.stdout()).contains("/repo/dead  held by session gone (pid " + exited.pid() + ", DEAD)",
        "/repo/live  held by session live", locks.resolve("session-lock-0000000000old.json") + "  held by session old")
        .doesNotContain("session-lock-00000000dead");

    Run pruned = sessionLock("prune");

    assertThat(pruned.exit()).isZero();
    assertThat(pruned.stdout()).contains("removed the lock on /repo/dead: session gone (pid " + exited.pid() + ", dead)",
        "removed the lock on " + locks.resolve("session-lock-0000000000old.json") + ": session old (pid 0, lease ended",
        "pruned 2");
    assertThat(Files.exists(locks.resolve("session-lock-00000000live.json"))).isTrue();
    assertThat(Files.exists(locks.resolve("session-lock-00000000dead.json"))).isFalse();
  }

  @Test
  void helpAnywhere_optionsWithEquals_andOptionsACommandDoesNotTake() throws Exception {
    assertThat(sessionLock("status", "--help").exit()).isZero();
    assertThat(sessionLock("status", "-h").stdout()).contains("Exit codes:");
    assertThat(sessionLock("files", "acquire", "--help").stdout()).contains("Exit codes:", "4 a file or a work item is");
    assertThat(sessionLock("status", "--dir=" + project).exit()).isZero();
    Run wrong = sessionLock("list", "--force");
    assertThat(wrong.exit()).isEqualTo(64);
    assertThat(wrong.stderr()).isEqualTo("session-lock: Unknown option: '--force' (see '" + LAUNCHER + "' list --help)\n");
  }

  private Run git(Map<String, String> extraEnv, String... args) throws Exception {
    return run(Path.of("/usr/bin/env"), "", extraEnv, prepend("git", args));
  }

  private static String[] prepend(String first, String... rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  /**
   * A real repository: the pre-commit hook install --git-hooks adds beside the user's own blocks an agent
   * session's commit while a file of its task changed outside the task, lets a clean one and a person's through,
   * and uninstall gives the user's hook back byte for byte.
   */
  @Test
  void gitHooks_blockAStaleCommitFromAnAgentSession_only_andUninstallRestoresTheUsersHook() throws Exception {
    Files.delete(project.resolve(".git"));
    assertThat(git(Map.of(), "init", "-q", ".").exit()).isZero();
    git(Map.of(), "config", "user.email", "t@example.com");
    git(Map.of(), "config", "user.name", "t");
    Files.writeString(project.resolve("a.txt"), "one\n");
    Files.writeString(project.resolve("b.txt"), "one\n");
    git(Map.of(), "add", "-A");
    assertThat(git(Map.of(), "commit", "-qm", "init").exit()).isZero();
    Path hook = project.resolve(".git/hooks/pre-commit");
    String users = "#!/bin/sh\n# the user's own check\necho user-hook-ran >&2\n";
    Files.writeString(hook, users);
    hook.toFile().setExecutable(true);

    Run installed = sessionLock("install", "--git-hooks", "--dir", project.toString());
    assertThat(installed.exit()).as(installed.stderr()).isZero();
    assertThat(installed.stdout()).contains("added ours to the git pre-commit hook " + hook,
        "installed the git reference-transaction hook");
    Map<String, String> alice = Map.of("CLAUDE_CODE_SESSION_ID", "alice");
    assertThat(run(LAUNCHER, "", alice, "snapshot", "--task", "T1", "a.txt").exit()).isZero();
    git(Map.of(), "checkout", "-q", "-b", "work"); // agent sessions commit on branches; the guard keeps master

    Files.writeString(project.resolve("b.txt"), "two\n");
    git(Map.of(), "add", "-A");
    Run clean = git(alice, "commit", "-qm", "b only");
    assertThat(clean.exit()).as("a clean task commits: %s", clean.stderr()).isZero();
    assertThat(clean.stderr()).isEqualTo("user-hook-ran\n");

    Files.writeString(project.resolve("a.txt"), "changed by another session\n");
    git(Map.of(), "add", "-A");
    Run blocked = git(alice, "commit", "-qm", "stale");
    assertThat(blocked.exit()).isNotZero();
    assertThat(blocked.stderr()).contains("task T1: 1 file changed outside the task", project.resolve("a.txt").toString(),
        "commit blocked");
    Run person = git(Map.of(), "commit", "-qm", "a person commits");
    assertThat(person.exit()).as("a commit outside any agent session: %s", person.stderr()).isZero();

    assertThat(sessionLock("uninstall", "--git-hooks", "--dir", project.toString()).stdout())
        .contains("removed ours from the git pre-commit hook", "removed the git reference-transaction hook");
    assertThat(Files.readString(hook)).isEqualTo(users);
    Files.delete(hook);
    sessionLock("install", "--git-hooks", "--dir", project.toString());
    assertThat(Files.isExecutable(hook)).isTrue();
    assertThat(sessionLock("uninstall", "--git-hooks", "--dir", project.toString()).stdout())
        .contains("removed the git pre-commit hook");
    assertThat(hook).doesNotExist();
  }

  /**
   * The pre-commit file install --git-hooks writes when the repository has none: a person's commit and an agent
   * session's clean commit pass silently (the block must not leave a failed test as the hook's exit status), and
   * only a stale one is blocked, with its message.
   */
  @Test
  void gitHooks_freshInstall_letsAPersonsAndACleanAgentCommitThroughSilently_andBlocksOnlyAStaleOne() throws Exception {
    Files.delete(project.resolve(".git"));
    assertThat(git(Map.of(), "init", "-q", ".").exit()).isZero();
    git(Map.of(), "config", "user.email", "t@example.com");
    git(Map.of(), "config", "user.name", "t");
    Files.writeString(project.resolve("a.txt"), "one\n");
    Files.writeString(project.resolve("b.txt"), "one\n");
    git(Map.of(), "add", "-A");
    assertThat(git(Map.of(), "commit", "-qm", "init").exit()).isZero();
    Path hook = project.resolve(".git/hooks/pre-commit");

    Run installed = sessionLock("install", "--git-hooks", "--guard", "release", "--dir", project.toString());
    assertThat(installed.exit()).as(installed.stderr()).isZero();
    assertThat(installed.stdout()).contains("installed the git pre-commit hook " + hook,
        "the merge-queue guard keeps agent sessions from moving master, release");

    Files.writeString(project.resolve("b.txt"), "a person's change\n");
    git(Map.of(), "add", "-A");
    Run person = git(Map.of(), "commit", "-qm", "a person commits");
    assertThat(person).as("a person's commit").isEqualTo(new Run(0, "", ""));

    Map<String, String> alice = Map.of("CLAUDE_CODE_SESSION_ID", "alice");
    assertThat(run(LAUNCHER, "", alice, "snapshot", "--task", "T1", "a.txt").exit()).isZero();
    Files.writeString(project.resolve("b.txt"), "alice's change\n");
    git(Map.of(), "add", "-A");
    Run clean = git(alice, "commit", "-qm", "a clean task commit on master");
    assertThat(clean).as("an agent session's clean commit (its own, on the tip)").isEqualTo(new Run(0, "", ""));
    git(Map.of(), "checkout", "-q", "-b", "work");
    git(Map.of(), "commit", "-q", "--allow-empty", "-m", "on work");
    git(Map.of(), "checkout", "-q", "master");
    Run landing = git(alice, "merge", "-q", "--ff-only", "work");
    assertThat(landing.exit()).as("the guard keeps agent sessions from landing on master from install on").isNotZero();
    assertThat(landing.stderr()).contains("refs/heads/master is updated only by the merge queue");
    git(Map.of(), "reset", "-q", "--hard");
    git(Map.of(), "checkout", "-q", "work");

    Files.writeString(project.resolve("a.txt"), "changed by another session\n");
    git(Map.of(), "add", "-A");
    Run blocked = git(alice, "commit", "-qm", "stale");
    assertThat(blocked.exit()).isEqualTo(1);
    assertThat(blocked.stderr()).contains("task T1: 1 file changed outside the task", "commit blocked",
        ShellCommands.quote(installed().toString()) + " snapshot --task");
    assertThat(git(Map.of(), "log", "--format=%s", "-1").stdout()).isEqualTo("on work\n");
  }

  /**
   * Beside a user's hook that runs under {@code sh -e}: the check's own failure (an unreadable baseline) does
   * not end the hook, and a clean agent commit still runs the rest of the user's hook.
   */
  @Test
  void gitHooks_besideAnErrexitHook_letACommitThroughWhenTheCheckCannotRun() throws Exception {
    Files.delete(project.resolve(".git"));
    assertThat(git(Map.of(), "init", "-q", ".").exit()).isZero();
    git(Map.of(), "config", "user.email", "t@example.com");
    git(Map.of(), "config", "user.name", "t");
    Files.writeString(project.resolve("a.txt"), "one\n");
    git(Map.of(), "add", "-A");
    assertThat(git(Map.of(), "commit", "-qm", "init").exit()).isZero();
    Path hook = project.resolve(".git/hooks/pre-commit");
    Files.writeString(hook, "#!/bin/sh -e\necho user-hook-ran >&2\n");
    hook.toFile().setExecutable(true);
    assertThat(sessionLock("install", "--git-hooks", "--dir", project.toString()).exit()).isZero();
    git(Map.of(), "checkout", "-q", "-b", "work");

    Map<String, String> alice = Map.of("CLAUDE_CODE_SESSION_ID", "alice");
    assertThat(run(LAUNCHER, "", alice, "snapshot", "--task", "T1", "a.txt").exit()).isZero();
    try (var baselines = Files.newDirectoryStream(temp.resolve("locks/snapshots/baselines/bodies"))) {
      for (Path baseline : baselines) {
        Files.writeString(baseline, "not a baseline"); // the check now fails (exit 69), neither clean nor stale
      }
    }
    assertThat(run(LAUNCHER, "", alice, "check", "--session-tasks").exit()).isEqualTo(69);

    Files.writeString(project.resolve("a.txt"), "two\n");
    git(Map.of(), "add", "-A");
    Run commit = git(alice, "commit", "-qm", "the check cannot run");

    assertThat(commit.exit()).as(commit.stderr()).isZero();
    assertThat(commit.stderr()).contains("user-hook-ran");
  }

  @Test
  void installWorktrees_registersHooksThatClaudeCodeRunsWithTheEvent_andUninstallRemovesThem() throws Exception {
    Files.delete(project.resolve(".git"));
    assertThat(git(Map.of(), "init", "-q", "-b", "main", ".").exit()).isZero();
    git(Map.of(), "config", "user.email", "t@example.com");
    git(Map.of(), "config", "user.name", "t");
    Files.writeString(project.resolve(".gitignore"), ".claude/\n");
    git(Map.of(), "add", "-A");
    git(Map.of(), "commit", "-qm", "base");

    Run installed = sessionLock("install", "--worktrees", "--dir", project.toString());
    assertThat(installed.exit()).as(installed.stderr()).isZero();
    assertThat(installed.stdout()).contains("registered the worktree hooks in");
    com.grack.nanojson.JsonObject hooks = com.grack.nanojson.JsonParser.object()
        .from(Files.readString(project.resolve(".claude/settings.json"))).getObject("hooks");
    String create = hooks.getArray("WorktreeCreate").getObject(0).getArray("hooks").getObject(0).getString("command");

    Run made = run(Path.of("/bin/sh"), "{\"session_id\":\"s\",\"cwd\":\"" + project + "\",\"hook_event_name\":"
        + "\"WorktreeCreate\",\"name\":\"feature-x\"}", Map.of(), "-c", create);
    assertThat(made.exit()).as(made.stderr()).isZero();
    assertThat(made.stdout().strip().lines().reduce((a, b) -> b).orElse(""))
        .isEqualTo(project.resolve(".claude/worktrees/feature-x").toString());

    assertThat(sessionLock("uninstall", "--dir", project.toString()).exit()).isZero();
    assertThat(Files.exists(project.resolve(".claude/settings.json"))
        && Files.readString(project.resolve(".claude/settings.json")).contains("Worktree")).isFalse();
  }

  @Test
  void installGitHooks_thatIsRefused_changesNothing() throws Exception {
    Run notGit = sessionLock("install", "--git-hooks", "--dir", project.toString());
    assertThat(notGit.exit()).isEqualTo(64);
    assertThat(notGit.stderr()).contains("is not in a git repository");
    assertThat(installHome).as("nothing installed for a refused install").doesNotExist();

    Files.delete(project.resolve(".git"));
    assertThat(git(Map.of(), "init", "-q", ".").exit()).isZero();
    Path hooks = project.resolve(".git/hooks");
    Files.writeString(hooks.resolve("reference-transaction"), "#!/usr/bin/env python3\nprint('mine')\n");
    Map<String, String> before = tree(hooks);

    Run refused = sessionLock("install", "--git-hooks", "--dir", project.toString());

    assertThat(refused.exit()).isEqualTo(69);
    assertThat(refused.stderr()).contains(hooks.resolve("reference-transaction") + " is not a shell script",
        "nothing was changed");
    assertThat(tree(hooks)).isEqualTo(before);
    assertThat(installHome).doesNotExist();
  }

  /** Every file (its text) and folder under {@code root}, by path. */
  private static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> all = new java.util.TreeMap<>();
    try (var paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        all.put(path.toString(), Files.isDirectory(path) ? "folder" : Files.readString(path, StandardCharsets.ISO_8859_1));
      }
    }
    return all;
  }

  @Test
  void install_saysWhatItBuildsWhileItBuildsIt_withTheTimeEachTook() throws Exception {
    Run first = sessionLock("install", "--dir", project.toString());

    assertThat(first.exit()).as(first.stderr()).isZero();
    assertThat(first.stderr().lines().toList()).hasSize(3).satisfiesExactly(
        line -> assertThat(line).matches("session-lock: building the hook's start-up archive \\(1 of 3, once per "
            + "install\\)\\.\\.\\. done in \\d+\\.\\d s"),
        line -> assertThat(line).matches("session-lock: building the commands' start-up archive \\(2 of 3\\)"
            + "\\.\\.\\. done in \\d+\\.\\d s"),
        line -> assertThat(line).matches("session-lock: building the database store's start-up archive \\(3 of 3\\)"
            + "\\.\\.\\. done in \\d+\\.\\d s"));
    assertThat(first.stdout().lines()).as("short").hasSizeLessThanOrEqualTo(5);
    Run second = sessionLock("install", "--dir", project.toString());
    assertThat(second.stderr()).as("nothing to build the second time").isEmpty();
  }

  @Test
  void doctor_withTheHookInThreeScopes_warnsWithTheCommandsThatRemoveTheExtraOnes() throws Exception {
    for (String scope : List.of("project", "local", "user")) {
      Run installed = sessionLock("install", "--dir", project.toString(), "--scope", scope);
      assertThat(installed.exit()).as(installed.stderr()).isZero();
    }

    Run doctor = sessionLock("doctor", "--dir", project.toString());

    assertThat(doctor.exit()).as(doctor.stdout()).isZero();
    assertThat(doctor.stdout()).contains("warning: claude: the hook is registered in 3 scopes (project: "
        + project.resolve(".claude/settings.json") + ", workspace mode; local: "
        + project.resolve(".claude/settings.local.json") + ", workspace mode; user: "
        + temp.resolve("home/.claude/settings.json") + ", workspace mode)", "protection is on");
    List<String> commands = doctor.stdout().lines().filter(line -> line.startsWith("    ")).map(String::strip).toList();
    assertThat(commands).hasSize(2);
    for (String command : commands) {
      Run removed = run(Path.of("/bin/sh"), "", Map.of(), "-c", command);
      assertThat(removed.exit()).as(command + "\n" + removed.stderr()).isZero();
    }
    Run again = sessionLock("doctor", "--dir", project.toString());
    assertThat(again.exit()).as(again.stdout()).isZero();
    assertThat(again.stdout()).doesNotContain("warning").contains("ok  claude (project");
  }

  @Test
  void doctor_inTheHomeFolder_countsItsSettingsFileOnce_thoughItIsTheProjectsAndTheUsers() throws Exception {
    Map<String, String> homeIsProject = Map.of("HOME", project.toString());
    assertThat(run(LAUNCHER, "", homeIsProject, "install", "--dir", project.toString()).exit()).isZero();

    Run doctor = run(LAUNCHER, "", homeIsProject, "doctor", "--dir", project.toString());

    assertThat(doctor.exit()).as(doctor.stdout()).isZero();
    assertThat(doctor.stdout()).doesNotContain("warning").containsOnlyOnce("ok  claude");
  }

  @Test
  void aStoreSettingThatNamesNoStore_isToldInTheSession_andDoctorExits3_neverTheLockDirectoryInstead() throws Exception {
    Map<String, String> typo = Map.of("SESSION_LOCK_STORE", "jdbc:postgres://db.internal:5432/locks?password=secret");
    String command = HookRegistrations.command(LAUNCHER.toString(), Agent.CLAUDE,
        HookRegistrations.registrations(Agent.CLAUDE).get(0));
    String alice = "alice-" + UUID.randomUUID();
    String event = "{\"hook_event_name\":\"PreToolUse\",\"session_id\":\"" + alice + "\",\"cwd\":\"" + project
        + "\",\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"" + project + "/a.txt\"}}";

    Run first = run(Path.of("/bin/sh"), event, typo, "-c", command);
    Run second = run(Path.of("/bin/sh"), event, typo, "-c", command);

    assertThat(first.exit()).isZero();
    String notice = com.grack.nanojson.JsonParser.object().from(first.stdout()).getString("systemMessage");
    assertThat(notice).contains("SESSION_LOCK_STORE=jdbc:postgres:...", "names no lock store", "protection is OFF")
        .doesNotContain("secret");
    assertThat(second.exit()).isZero();
    assertThat(second.stdout()).as("once per session").isEmpty();
    assertThat(Files.exists(temp.resolve("locks"))).as("the lock directory is not used instead").isFalse();
    Run doctor = run(Path.of("/bin/sh"), "", typo, "-c", notice.substring(notice.indexOf("Run: ") + 5));
    assertThat(doctor.exit()).as(doctor.stdout()).isEqualTo(3);
    assertThat(doctor.stdout()).contains("SESSION_LOCK_STORE=jdbc:postgres:... names no lock store")
        .doesNotContain("protection is on", "secret");
    Run list = run(LAUNCHER, "", typo, "files", "list");
    assertThat(list.exit()).isEqualTo(69);
    assertThat(list.stderr().lines()).hasSize(1);
  }

  /** The launcher picks the archive for the job: the hook's, the database hook's, the commands'. */
  @Test
  void theLauncher_usesTheDatabaseArchiveOnlyWithADatabaseStore_andTheCommandsArchiveForCommands() throws Exception {
    assertThat(sessionLock("install", "--dir", project.toString()).exit()).isZero();
    String event = "{\"hook_event_name\":\"PreToolUse\",\"session_id\":\"s\",\"cwd\":\"" + project
        + "\",\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"" + project + "/a.txt\"}}";
    Path lib = installHome.resolve("lib");

    Run plain = run(Path.of("/bin/sh"), event, Map.of(), "-x", installed().toString(), "hook");
    Run database = run(Path.of("/bin/sh"), event, Map.of("SESSION_LOCK_STORE", "jdbc:sqlite:" + temp.resolve("l.db")),
        "-x", installed().toString(), "hook");
    Run command = run(Path.of("/bin/sh"), "", Map.of(), "-x", installed().toString(), "list");

    assertThat(plain.exit()).isZero();
    assertThat(plain.stderr()).contains("-XX:SharedArchiveFile=" + lib.resolve("session-lock.jsa") + " ");
    assertThat(database.exit()).isZero();
    assertThat(database.stderr()).contains("-XX:SharedArchiveFile=" + lib.resolve("session-lock-db.jsa"));
    assertThat(command.stderr()).contains("-XX:SharedArchiveFile=" + lib.resolve("session-lock-commands.jsa"));
    assertThat(Files.exists(temp.resolve("l.db"))).as("the hook used the database").isTrue();
  }
}
