package dev.parallelsessionlock.hook.install;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.hook.commands.Commands;
import dev.parallelsessionlock.hook.runtime.Agent;
import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import io.vavr.collection.List;
import io.vavr.control.Either;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** install and uninstall against real settings files in a temp folder (the start-up archive is not built here). */
final class InstallerTest {

  @TempDir
  Path temp;

  private Path workspace;
  private Path home;
  private Path installHome;
  private Path jar;
  private final Map<String, String> env = new HashMap<>();
  private Installer installer;

  /** A settings file as people write them: odd spacing, number literals, key order of their own. */
  private static final String HANDWRITTEN = "{\n"
      + "    \"model\" :\"opus\",\n"
      + "    \"cleanupPeriodDays\": 1e3,\n"
      + "    \"ratio\": 1.50,\n"
      + "    \"permissions\": {\"allow\": [\"Bash(npm test)\"]},\n"
      + "    \"hooks\": {\n"
      + "        \"PreToolUse\": [\n"
      + "            {\"matcher\": \"Bash\", \"hooks\": [{\"type\": \"command\", \"command\": \"./guard.sh\"}]}\n"
      + "        ],\n"
      + "        \"UserPromptSubmit\": []\n"
      + "    }\n"
      + "}\n";

  @BeforeEach
  void setUp() throws IOException {
    workspace = Files.createDirectories(temp.resolve("ws"));
    Files.createDirectories(workspace.resolve(".git/info"));
    home = Files.createDirectories(temp.resolve("home"));
    installHome = temp.resolve("install");
    jar = Files.writeString(temp.resolve("session-lock.jar"), "not really a jar");
    env.put("CODEX_HOME", home.resolve(".codex").toString());
    env.put("COPILOT_HOME", home.resolve(".copilot").toString());
    installer = new Installer(workspace, home, installHome, env);
  }

  private Either<Installer.Failure, List<String>> install(Agent agent, Installer.Scope scope) {
    return installer.install(agent, scope, jar, Path.of("/nonexistent/java"), false);
  }

  private Path settings() {
    return workspace.resolve(".claude/settings.json");
  }

  private static JsonObject json(Path file) throws Exception {
    return JsonParser.object().from(Files.readString(file));
  }

  private long backups() throws IOException {
    Path dir = installHome.resolve("backups");
    if (!Files.exists(dir)) {
      return 0;
    }
    try (var files = Files.list(dir)) {
      return files.count();
    }
  }

  @Test
  void install_intoHandwrittenSettings_changesOnlyOurEntries_andUninstallGivesBackTheSameBytes() throws Exception {
    Files.createDirectories(settings().getParent());
    Files.writeString(settings(), HANDWRITTEN);

    assertThat(install(Agent.CLAUDE, Installer.Scope.PROJECT).isRight()).isTrue();
    String installed = Files.readString(settings());
    assertThat(installed).contains("\"cleanupPeriodDays\": 1e3", "\"ratio\": 1.50", "\"model\" :\"opus\"",
        "{\"matcher\": \"Bash\", \"hooks\": [{\"type\": \"command\", \"command\": \"./guard.sh\"}]}");
    JsonObject hooks = json(settings()).getObject("hooks");
    assertThat(hooks.keySet()).containsExactlyInAnyOrder(
        "PreToolUse", "UserPromptSubmit", "PostToolUse", "PostToolUseFailure", "Stop", "SessionEnd");
    JsonObject ours = hooks.getArray("PreToolUse").getObject(1);
    assertThat(ours.getString("matcher")).isEqualTo("Edit|Write|MultiEdit|NotebookEdit|Bash|PowerShell");
    assertThat(ours.getArray("hooks").getObject(0).getString("command"))
        .startsWith("f='" + installHome.resolve("bin/session-lock") + "'; [ -x \"$f\" ] && exec \"$f\" hook --agent claude;")
        .endsWith("exit 0 # parallel-session-lock");
    assertThat(ours.getArray("hooks").getObject(0).getInt("timeout")).as("room to wait in line").isEqualTo(30);
    assertThat(hooks.getArray("SessionEnd").getObject(0).getArray("hooks").getObject(0).getInt("timeout")).isEqualTo(5);
    assertThat(installed).contains("\n            {\n                \"matcher\": \"Edit|Write");

    assertThat(installer.uninstall(Agent.CLAUDE, Installer.Scope.PROJECT).isRight()).isTrue();

    assertThat(Files.readString(settings())).isEqualTo(HANDWRITTEN);
  }

  @Test
  void install_claude_registersTheWakerOnStopBesideTheRelease_andUninstallRemovesIt() throws Exception {
    assertThat(install(Agent.CLAUDE, Installer.Scope.PROJECT).isRight()).isTrue();

    JsonArray stop = json(settings()).getObject("hooks").getArray("Stop");
    assertThat(stop).hasSize(1);
    JsonArray handlers = stop.getObject(0).getArray("hooks");
    assertThat(handlers).hasSize(2);
    assertThat(handlers.getObject(0).getString("command")).contains("hook --agent claude;");
    assertThat(handlers.getObject(0).has("asyncRewake")).isFalse();
    JsonObject waker = handlers.getObject(1);
    assertThat(waker.getString("command"))
        .isEqualTo("f='" + installHome.resolve("bin/session-lock") + "'; [ -x \"$f\" ] && exec \"$f\" hook --agent claude"
            + " --wake; exit 0 # parallel-session-lock");
    assertThat(waker.getBoolean("asyncRewake")).isTrue();
    assertThat(waker.has("async")).isFalse();
    assertThat(waker.getInt("timeout")).isEqualTo(600);

    assertThat(installer.uninstall(Agent.CLAUDE, Installer.Scope.PROJECT).isRight()).isTrue();

    assertThat(Files.exists(settings()) ? Files.readString(settings()) : "").doesNotContain("--wake", "asyncRewake");
  }

  @Test
  void doctor_claude_saysWhetherTheWakerIsRegistered() throws Exception {
    String before = "{\"hooks\": {\"Stop\": [{\"hooks\": [{\"type\": \"command\", \"command\": \"x hook --agent claude;"
        + " exit 0 # parallel-session-lock\"}]}]}}";
    assertThat(Doctor.wakerNote(Agent.CLAUDE, before)).contains("no waker on Stop");

    install(Agent.CLAUDE, Installer.Scope.PROJECT);

    assertThat(Doctor.wakerNote(Agent.CLAUDE, Files.readString(settings())))
        .startsWith("; waker on Stop (asyncRewake)");
    assertThat(Doctor.wakerNote(Agent.CODEX, before)).isEmpty();
  }

  @Test
  void install_claudeFilesMode_wakerWatchesInFilesMode() throws Exception {
    assertThat(installer.install(new Installer.Target(Agent.CLAUDE, Installer.Scope.PROJECT, true), jar,
        Path.of("/nonexistent/java"), false)
        .isRight()).isTrue();

    JsonArray handlers = json(settings()).getObject("hooks").getArray("Stop").getObject(0).getArray("hooks");
    assertThat(handlers.getObject(1).getString("command")).contains("hook --mode files --agent claude --wake;");
  }

  @Test
  void install_otherAgents_registerNoWaker() throws Exception {
    for (Agent agent : new Agent[] {Agent.CODEX, Agent.GEMINI, Agent.COPILOT}) {
      assertThat(install(agent, Installer.Scope.PROJECT).isRight()).isTrue();
    }

    try (var files = Files.walk(workspace)) {
      for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        assertThat(Files.readString(file)).as(file.toString()).doesNotContain("--wake", "asyncRewake");
      }
    }
  }

  @Test
  void install_intoCompactSettings_staysOnOneLine_andRoundTrips() throws Exception {
    Files.createDirectories(settings().getParent());
    String compact = "{\"model\":\"opus\",\"n\":1.0E+2}";
    Files.writeString(settings(), compact);

    install(Agent.CLAUDE, Installer.Scope.PROJECT);
    assertThat(Files.readString(settings())).doesNotContain("\n").contains("\"n\":1.0E+2");
    installer.uninstall(Agent.CLAUDE, Installer.Scope.PROJECT);

    assertThat(Files.readString(settings())).isEqualTo(compact);
  }

  @Test
  void install_twice_changesNothingTheSecondTime() throws Exception {
    Files.createDirectories(settings().getParent());
    Files.writeString(settings(), HANDWRITTEN);
    install(Agent.CLAUDE, Installer.Scope.PROJECT);
    String first = Files.readString(settings());

    List<String> second = install(Agent.CLAUDE, Installer.Scope.PROJECT).get();

    assertThat(Files.readString(settings())).isEqualTo(first);
    assertThat(second).contains("already up to date: " + settings());
    assertThat(backups()).isEqualTo(1);
  }

  @Test
  void install_throughASymlinkedSettingsFile_writesTheTargetAndKeepsTheLinkAndTheMode() throws Exception {
    Path dotfiles = Files.createDirectories(temp.resolve("dotfiles"));
    Path target = Files.writeString(dotfiles.resolve("claude-settings.json"), "{\"env\": {\"API_KEY\": \"secret\"}}\n");
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
    Path link = home.resolve(".claude/settings.json");
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, target);

    List<String> lines = install(Agent.CLAUDE, Installer.Scope.USER).get();

    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readString(target)).contains("parallel-session-lock", "\"API_KEY\": \"secret\"");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-------");
    assertThat(lines).anyMatch(line -> line.contains("through the link, to " + target));
  }

  @Test
  void backups_goUnderTheInstallHome_namedAfterTheirFile_atMostFiveEach() throws Exception {
    Files.createDirectories(settings().getParent());
    for (int i = 0; i < 7; i++) {
      Files.writeString(settings(), "{\"round\": " + i + "}");
      install(Agent.CLAUDE, Installer.Scope.PROJECT);
    }

    assertThat(backups()).isEqualTo(Installer.BACKUPS_KEPT);
    try (var files = Files.list(installHome.resolve("backups"))) {
      assertThat(files).allMatch(p -> p.getFileName().toString().contains("%.claude%settings.json."));
    }
    try (var inTree = Files.walk(workspace)) {
      assertThat(inTree).noneMatch(p -> p.getFileName().toString().contains(".bak"));
    }
  }

  @Test
  void install_withoutASettingsFile_createsIt_andUninstallRemovesItAndTheFoldersItCreated() throws Exception {
    install(Agent.CLAUDE, Installer.Scope.PROJECT);
    assertThat(json(settings()).getObject("hooks").keySet()).hasSize(5);

    List<String> lines = installer.uninstall(Agent.CLAUDE, Installer.Scope.PROJECT).get();

    assertThat(Files.exists(settings())).isFalse();
    assertThat(Files.exists(workspace.resolve(".claude"))).isFalse();
    assertThat(lines).contains("removed " + settings() + " (install had created it)");
  }

  @Test
  void uninstall_keepsAFolderThatExistedBefore_andAFileThatHoldsMoreThanOurs() throws Exception {
    Files.createDirectories(workspace.resolve(".claude/agents"));
    install(Agent.CLAUDE, Installer.Scope.PROJECT);
    installer.uninstall(Agent.CLAUDE, Installer.Scope.PROJECT);
    assertThat(Files.exists(workspace.resolve(".claude/agents"))).isTrue();

    Files.writeString(settings(), "{\"model\": \"opus\"}");
    install(Agent.CLAUDE, Installer.Scope.PROJECT);
    installer.uninstall(Agent.CLAUDE, Installer.Scope.PROJECT);
    assertThat(Files.readString(settings())).isEqualTo("{\"model\": \"opus\"}");
  }

  @Test
  void uninstall_ofNothing_saysSoInsteadOfUpToDate() throws Exception {
    Files.createDirectories(settings().getParent());
    Files.writeString(settings(), "{}");

    assertThat(installer.uninstall(Agent.CLAUDE, Installer.Scope.PROJECT).get())
        .containsExactly("nothing to remove: " + settings() + " holds no session-lock hooks");
  }

  @Test
  void localScope_keepsTheFileOutOfGit_andUninstallTakesTheLineBack() throws Exception {
    Path exclude = Files.writeString(workspace.resolve(".git/info/exclude"), "# mine\n*.log\n");

    install(Agent.CLAUDE, Installer.Scope.LOCAL);
    assertThat(Files.readString(exclude)).isEqualTo("# mine\n*.log\n"
        + "# parallel-session-lock: Claude Code's local settings\n.claude/settings.local.json\n");
    installer.uninstall(Agent.CLAUDE, Installer.Scope.LOCAL);

    assertThat(Files.readString(exclude)).isEqualTo("# mine\n*.log\n");
  }

  @Test
  void malformedSettings_areReportedInOneLine_andLeftUntouched() throws Exception {
    Files.createDirectories(settings().getParent());
    for (String bad : new String[] {"{\"hooks\": {\"PreToolUse\": [ oops", "{\"hooks\": [1]}", "[1, 2]",
        "{\"hooks\":{\"PreToolUse\":{}}}"}) {
      Files.writeString(settings(), bad);

      Either<Installer.Failure, List<String>> result = install(Agent.CLAUDE, Installer.Scope.PROJECT);

      assertThat(result.getLeft().exitCode()).as(bad).isEqualTo(65);
      assertThat(result.getLeft().message()).as(bad).startsWith(settings() + ": ").endsWith("; left untouched")
          .doesNotContain("Exception").doesNotContain("\n");
      assertThat(Files.readString(settings())).isEqualTo(bad);
    }
    assertThat(install(Agent.CLAUDE, Installer.Scope.PROJECT).getLeft().message())
        .contains("\"hooks\".\"PreToolUse\" is not a list");
    assertThat(backups()).isZero();
  }

  @Test
  void scopes_pickEachAgentsFiles_andRefuseWhatAnAgentDoesNotHave() {
    assertThat(installer.settingsFile(Agent.CLAUDE, Installer.Scope.LOCAL).get()).isEqualTo(workspace.resolve(".claude/settings.local.json"));
    assertThat(installer.settingsFile(Agent.CLAUDE, Installer.Scope.USER).get()).isEqualTo(home.resolve(".claude/settings.json"));
    assertThat(installer.settingsFile(Agent.COPILOT, Installer.Scope.PROJECT).get()).isEqualTo(workspace.resolve(".github/hooks/session-lock.json"));
    assertThat(installer.settingsFile(Agent.COPILOT, Installer.Scope.USER).get()).isEqualTo(home.resolve(".copilot/hooks/session-lock.json"));
    assertThat(installer.settingsFile(Agent.CODEX, Installer.Scope.PROJECT).get()).isEqualTo(workspace.resolve(".codex/hooks.json"));
    assertThat(installer.settingsFile(Agent.CODEX, Installer.Scope.USER).get()).isEqualTo(home.resolve(".codex/hooks.json"));
    assertThat(installer.settingsFile(Agent.GEMINI, Installer.Scope.PROJECT).get()).isEqualTo(workspace.resolve(".gemini/settings.json"));
    assertThat(installer.settingsFile(Agent.GEMINI, Installer.Scope.USER).get()).isEqualTo(home.resolve(".gemini/settings.json"));
    for (Agent agent : new Agent[] {Agent.COPILOT, Agent.CODEX, Agent.GEMINI}) {
      assertThat(installer.settingsFile(agent, Installer.Scope.LOCAL).getLeft().exitCode()).isEqualTo(64);
    }
  }

  @Test
  void copilot_writesItsHooksFile_andUninstallRemovesItAndItsFolders() throws Exception {
    install(Agent.COPILOT, Installer.Scope.PROJECT);
    Path file = workspace.resolve(".github/hooks/session-lock.json");
    JsonObject written = json(file);
    assertThat(written.getInt("version")).isEqualTo(1);
    JsonObject pre = written.getObject("hooks").getArray("preToolUse").getObject(0);
    assertThat(pre.getString("bash")).contains("exec \"$f\" hook --agent copilot preToolUse;")
        .contains("echo 'session-lock: its launcher is missing").endsWith("exit 0 # parallel-session-lock");
    assertThat(pre.getInt("timeoutSec")).as("room to wait in line, Copilot CLI's own default").isEqualTo(30);
    assertThat(pre.getString("matcher")).isEqualTo("edit|create|bash|powershell|apply_patch|str_replace_editor");

    installer.uninstall(Agent.COPILOT, Installer.Scope.PROJECT);

    assertThat(Files.exists(workspace.resolve(".github"))).isFalse();
  }

  @Test
  void gemini_registersBeforeToolAfterToolAfterAgentAndSessionEnd_withTimeoutsInMilliseconds() throws Exception {
    install(Agent.GEMINI, Installer.Scope.PROJECT);

    JsonObject hooks = json(workspace.resolve(".gemini/settings.json")).getObject("hooks");
    assertThat(hooks.keySet()).containsExactlyInAnyOrder("BeforeTool", "AfterTool", "AfterAgent", "SessionEnd");
    JsonObject group = hooks.getArray("BeforeTool").getObject(0);
    assertThat(group.getString("matcher")).isEqualTo("write_file|replace|run_shell_command");
    JsonObject handler = group.getArray("hooks").getObject(0);
    assertThat(handler.getString("name")).isEqualTo("session-lock");
    assertThat(handler.getInt("timeout")).as("room to wait in line").isEqualTo(30_000);
    assertThat(handler.getString("command")).contains("hook --agent gemini;");
  }

  @Test
  void codex_registersItsEvents_saysTrustIsNeeded_andTrustRecordsWhatCodexChecks() throws Exception {
    List<String> lines = install(Agent.CODEX, Installer.Scope.USER).get();
    Path hooksJson = home.resolve(".codex/hooks.json");
    JsonObject hooks = json(hooksJson).getObject("hooks");
    assertThat(hooks.keySet()).containsExactlyInAnyOrder("PreToolUse", "PostToolUse", "Stop", "SessionEnd");
    assertThat(hooks.getArray("PreToolUse").getObject(0).getString("matcher")).isEqualTo("Bash|apply_patch");
    assertThat(lines).anyMatch(line -> line.startsWith("Codex runs a hook only after you trust it"));
    assertThat(CodexTrust.status(home.resolve(".codex"), hooksJson, Files.readString(hooksJson)).values())
        .containsOnly("untrusted");

    installer.install(Agent.CODEX, Installer.Scope.USER, jar, Path.of("/nonexistent/java"), true);

    String config = Files.readString(home.resolve(".codex/config.toml"));
    assertThat(config).contains("[hooks.state.\"" + hooksJson + ":pre_tool_use:0:0\"]\ntrusted_hash = \"sha256:");
    assertThat(CodexTrust.status(home.resolve(".codex"), hooksJson, Files.readString(hooksJson)).values())
        .hasSize(4).containsOnly("trusted");

    installer.uninstall(Agent.CODEX, Installer.Scope.USER);
    assertThat(Files.exists(hooksJson)).isFalse();
    assertThat(Files.readString(home.resolve(".codex/config.toml"))).doesNotContain("hooks.state");
  }

  @Test
  void codexTrustHash_matchesWhatCodex0169ReportsForTheSameHandler() {
    // currentHash reported by codex-cli 0.169.0 `app-server` hooks/list for this handler (measured).
    JsonObject handler = new JsonObject();
    handler.put("type", "command");
    handler.put("command", "f='/x/session-lock'; [ -x \"$f\" ] && exec \"$f\" hook; exit 0 # parallel-session-lock");
    handler.put("timeout", 10);

    assertThat(CodexTrust.hash("pre_tool_use", "Bash|apply_patch", handler))
        .isEqualTo("sha256:b332c9f167e17a6c1a215027de967c638deae4e35c20aa74aee1f2a321a6bd7e");
    assertThat(CodexTrust.snakeCase("PreToolUse")).isEqualTo("pre_tool_use");
    assertThat(CodexTrust.snakeCase("SessionEnd")).isEqualTo("session_end");
  }

  @Test
  void purge_refusesWhileASettingsFileRunsTheLauncher_andRemovesTheHomeAfterUninstall() throws Exception {
    install(Agent.CLAUDE, Installer.Scope.PROJECT);

    Either<Installer.Failure, List<String>> refused = installer.purge();
    assertThat(refused.getLeft().message()).contains(settings().toString());
    assertThat(Files.exists(installHome)).isTrue();

    installer.uninstall(Agent.CLAUDE, Installer.Scope.PROJECT);
    assertThat(installer.purge().get()).containsExactly("removed " + installHome);
    assertThat(Files.exists(installHome)).isFalse();
  }

  @Test
  void uninstallPurge_whileAnotherAgentsRegistrationRunsTheLauncher_refusesAndChangesNoFile() throws Exception {
    Files.createDirectories(settings().getParent());
    Files.writeString(settings(), HANDWRITTEN);
    install(Agent.CLAUDE, Installer.Scope.PROJECT);
    installer.install(Agent.CODEX, Installer.Scope.USER, jar, Path.of("/nonexistent/java"), true);
    Map<String, String> before = tree(temp);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    env.put("HOME", home.toString());
    env.put("SESSION_LOCK_HOME", installHome.toString());

    int exit = new Commands(env, workspace, new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
        new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8), java.time.Clock.systemUTC())
        .run(new String[] {"uninstall", "--purge", "--dir", workspace.toString()});

    assertThat(exit).isEqualTo(69);
    assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8)).contains(home.resolve(".codex/hooks.json").toString(),
        "nothing was changed");
    assertThat(tree(temp)).as("every file and folder, byte for byte").isEqualTo(before);
  }

  /** Every file (its bytes) and folder under {@code root}, by path. */
  private static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> all = new java.util.TreeMap<>();
    try (var paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        all.put(path.toString(), Files.isDirectory(path) ? "folder"
            : new String(Files.readAllBytes(path), java.nio.charset.StandardCharsets.ISO_8859_1));
      }
    }
    return all;
  }

  @Test
  void relativeInstallHome_isResolvedAgainstTheCurrentDirectory() {
    Path resolved = Installer.defaultInstallHome(Map.of("SESSION_LOCK_HOME", "tools/sl"), home, temp);

    assertThat(resolved).isEqualTo(temp.resolve("tools/sl"));
  }

  @Test
  void launcherScript_quotesPathsAndCarriesTheSharedBody() {
    String script = Installer.launcherScript(Path.of("/opt/it's/java"), Path.of("/j.jar"), Path.of("/a.jsa"));

    assertThat(script).startsWith("#!/bin/sh\n").contains("JAVA='/opt/it'\\''s/java'\n").endsWith(LauncherBody.TEXT);
  }

  @Test
  void missingLauncherNotice_isValidJsonForTheAgentsThatReadStdout() throws Exception {
    String command = HookRegistrations.command("/gone/session-lock", Agent.CLAUDE,
        HookRegistrations.registrations(Agent.CLAUDE).get(0));
    String echoed = command.substring(command.indexOf("echo '") + 6, command.indexOf("'; }; exit 0"));

    assertThat(JsonParser.object().from(echoed).getString("systemMessage")).contains("the workspace lock is OFF");
  }

  static JsonArray array(JsonObject object, String key) {
    return object.getArray(key);
  }
}
