package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installer against real files. The jar is a stand-in file, so no start-up archive is built here; the
 * end-to-end test installs the real jar.
 */
final class InstallerTest {

  private static final String EXISTING = "{\n"
      + "  \"model\": \"opus\",\n"
      + "  \"permissions\": {\"allow\": [\"Bash(npm test)\"]},\n"
      + "  \"hooks\": {\n"
      + "    \"PreToolUse\": [{\"matcher\": \"Bash\", \"hooks\": [{\"type\": \"command\", \"command\": \"./guard.sh\"}]}],\n"
      + "    \"UserPromptSubmit\": [{\"hooks\": [{\"type\": \"command\", \"command\": \"./prompt.sh\"}]}]\n"
      + "  }\n"
      + "}\n";

  @TempDir
  Path temp;

  private Path workspace;
  private Path home;
  private Installer installer;
  private Path jar;

  @BeforeEach
  void setUp() throws IOException {
    workspace = Files.createDirectory(temp.resolve("ws"));
    home = Files.createDirectory(temp.resolve("home"));
    installer = new Installer(workspace, home, temp.resolve("install"));
    jar = Files.writeString(temp.resolve("session-lock.jar"), "not really a jar");
  }

  private Path settings() {
    return workspace.resolve(".claude/settings.json");
  }

  private static JsonObject json(Path file) throws Exception {
    return JsonParser.object().from(Files.readString(file));
  }

  private long backups(Path file) throws IOException {
    try (Stream<Path> files = Files.list(file.getParent())) {
      return files.filter(p -> p.getFileName().toString().startsWith(file.getFileName() + ".bak-")).count();
    }
  }

  @Test
  void install_intoExistingSettings_keepsEverySettingAndHookAndAddsOurs() throws Exception {
    Files.createDirectories(settings().getParent());
    Files.writeString(settings(), EXISTING);

    assertThat(installer.install(Installer.Agent.CLAUDE, Installer.Scope.PROJECT, jar, Path.of("/nonexistent/java")).isRight()).isTrue();

    JsonObject after = json(settings());
    assertThat(after.getString("model")).isEqualTo("opus");
    assertThat(after.getObject("permissions")).isEqualTo(JsonParser.object().from("{\"allow\": [\"Bash(npm test)\"]}"));
    JsonObject hooks = after.getObject("hooks");
    assertThat(hooks.keySet()).containsExactly("PreToolUse", "UserPromptSubmit", "PostToolUse", "PostToolUseFailure", "Stop", "SessionEnd");
    JsonArray pre = hooks.getArray("PreToolUse");
    assertThat(pre).hasSize(2);
    assertThat(pre.getObject(0).getArray("hooks").getObject(0).getString("command")).isEqualTo("./guard.sh");
    JsonObject ours = pre.getObject(1);
    assertThat(ours.getString("matcher")).isEqualTo("Edit|Write|MultiEdit|NotebookEdit|Bash|PowerShell");
    JsonObject handler = ours.getArray("hooks").getObject(0);
    String launcher = temp.resolve("install/bin/session-lock").toString();
    assertThat(handler.getString("command")).isEqualTo(
        "f='" + launcher + "'; [ -x \"$f\" ] && exec \"$f\" hook; exit 0 # parallel-session-lock");
    assertThat(handler.getInt("timeout")).isEqualTo(10);
    assertThat(hooks.getArray("SessionEnd").getObject(0).getArray("hooks").getObject(0).getInt("timeout")).isEqualTo(5);
    assertThat(hooks.getArray("Stop").getObject(0).has("matcher")).isFalse();
    assertThat(backups(settings())).isEqualTo(1);
    assertThat(Files.isExecutable(temp.resolve("install/bin/session-lock"))).isTrue();
    assertThat(Files.readString(temp.resolve("install/lib/session-lock.jar"))).isEqualTo("not really a jar");
  }

  @Test
  void install_twice_changesNothingTheSecondTime() throws Exception {
    Files.createDirectories(settings().getParent());
    Files.writeString(settings(), EXISTING);
    installer.install(Installer.Agent.CLAUDE, Installer.Scope.PROJECT, jar, Path.of("/nonexistent/java"));
    String first = Files.readString(settings());

    var second = installer.install(Installer.Agent.CLAUDE, Installer.Scope.PROJECT, jar, Path.of("/nonexistent/java")).get();

    assertThat(Files.readString(settings())).isEqualTo(first);
    // Only the start-up archive is retried (the stand-in jar cannot train one); nothing is rewritten.
    assertThat(second.filter(line -> !line.startsWith("no start-up archive"))).containsExactly("already up to date: " + settings());
    assertThat(backups(settings())).isEqualTo(1);
  }

  @Test
  void install_whenUserHooksFollowOurs_staysIdempotent() throws Exception {
    installer.install(Installer.Agent.CLAUDE, Installer.Scope.PROJECT, jar, Path.of("/nonexistent/java"));
    JsonObject settings = json(settings());
    JsonObject later = JsonParser.object().from("{\"matcher\":\"Write\",\"hooks\":[{\"type\":\"command\",\"command\":\"./after.sh\"}]}");
    settings.getObject("hooks").getArray("PreToolUse").add(later);
    Files.writeString(settings(), com.grack.nanojson.JsonWriter.string(settings));
    String edited = Files.readString(settings());

    installer.install(Installer.Agent.CLAUDE, Installer.Scope.PROJECT, jar, Path.of("/nonexistent/java"));

    assertThat(Files.readString(settings())).isEqualTo(edited);
  }

  @Test
  void uninstall_removesExactlyWhatInstallAdded() throws Exception {
    Files.createDirectories(settings().getParent());
    Files.writeString(settings(), EXISTING);
    JsonObject before = json(settings());
    installer.install(Installer.Agent.CLAUDE, Installer.Scope.PROJECT, jar, Path.of("/nonexistent/java"));

    assertThat(installer.uninstall(Installer.Agent.CLAUDE, Installer.Scope.PROJECT).isRight()).isTrue();

    assertThat(json(settings())).isEqualTo(before);
  }

  @Test
  void install_withoutASettingsFile_createsIt_andUninstallLeavesAnEmptyObject() throws Exception {
    installer.install(Installer.Agent.CLAUDE, Installer.Scope.PROJECT, jar, Path.of("/nonexistent/java"));
    assertThat(json(settings()).getObject("hooks").keySet()).hasSize(5);
    assertThat(backups(settings())).isZero();

    installer.uninstall(Installer.Agent.CLAUDE, Installer.Scope.PROJECT);

    assertThat(json(settings())).isEmpty();
  }

  @Test
  void install_intoAMalformedFile_reportsAndLeavesItUntouched() throws Exception {
    Files.createDirectories(settings().getParent());
    Files.writeString(settings(), "{\"hooks\": {\"PreToolUse\": [ oops");

    var result = installer.install(Installer.Agent.CLAUDE, Installer.Scope.PROJECT, jar, Path.of("/nonexistent/java"));

    assertThat(result.getLeft().exitCode()).isEqualTo(65);
    assertThat(result.getLeft().message()).startsWith(settings() + " is not valid JSON (").endsWith("); left untouched");
    assertThat(Files.readString(settings())).isEqualTo("{\"hooks\": {\"PreToolUse\": [ oops");
    assertThat(backups(settings())).isZero();
    assertThat(Files.exists(temp.resolve("install"))).isFalse();
  }

  @Test
  void install_whenHooksIsNotAnObject_refusesAndLeavesItUntouched() throws Exception {
    Files.createDirectories(settings().getParent());
    Files.writeString(settings(), "{\"hooks\": [1]}");

    var result = installer.install(Installer.Agent.CLAUDE, Installer.Scope.PROJECT, jar, Path.of("/nonexistent/java"));

    assertThat(result.getLeft()).isEqualTo(new Installer.Failure(65, settings() + ": \"hooks\" is not an object; left untouched"));
    assertThat(Files.readString(settings())).isEqualTo("{\"hooks\": [1]}");
  }

  @Test
  void scopes_pickTheirFiles() {
    assertThat(installer.settingsFile(Installer.Agent.CLAUDE, Installer.Scope.LOCAL)).isEqualTo(workspace.resolve(".claude/settings.local.json"));
    assertThat(installer.settingsFile(Installer.Agent.CLAUDE, Installer.Scope.USER)).isEqualTo(home.resolve(".claude/settings.json"));
    assertThat(installer.settingsFile(Installer.Agent.COPILOT, Installer.Scope.PROJECT)).isEqualTo(workspace.resolve(".github/hooks/session-lock.json"));
  }

  @Test
  void install_forCopilot_writesItsHooksFile_andUninstallRemovesIt() throws Exception {
    installer.install(Installer.Agent.COPILOT, Installer.Scope.PROJECT, jar, Path.of("/nonexistent/java"));
    Path file = workspace.resolve(".github/hooks/session-lock.json");

    JsonObject written = json(file);
    assertThat(written.getInt("version")).isEqualTo(1);
    JsonObject pre = written.getObject("hooks").getArray("preToolUse").getObject(0);
    assertThat(pre.getString("bash")).endsWith("exec \"$f\" hook preToolUse; exit 0 # parallel-session-lock");
    assertThat(pre.getInt("timeoutSec")).isEqualTo(10);
    assertThat(pre.getString("matcher")).isEqualTo("edit|create|bash|powershell|apply_patch|str_replace_editor");
    assertThat(written.getObject("hooks").keySet()).containsExactly("preToolUse", "postToolUse", "postToolUseFailure", "agentStop", "sessionEnd");

    installer.uninstall(Installer.Agent.COPILOT, Installer.Scope.PROJECT);
    assertThat(Files.exists(file)).isFalse();
  }

  @Test
  void launcherScript_quotesPathsAndCarriesTheSharedBody() {
    String script = Installer.launcherScript(Path.of("/opt/it's/java"), Path.of("/x/session-lock.jar"), Path.of("/x/session-lock.jsa"));

    assertThat(script).startsWith("#!/bin/sh\n").contains("JAVA='/opt/it'\\''s/java'\n").endsWith(LauncherBody.TEXT);
  }
}
