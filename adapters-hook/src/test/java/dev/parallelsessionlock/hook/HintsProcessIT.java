package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.hook.install.HookRegistrations;
import dev.parallelsessionlock.hook.runtime.Agent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command the built executable prints for a person runs as printed: each hint here is taken from the output
 * and run with {@code sh -c}, with a PATH that has no {@code session-lock} on it and from another directory.
 */
final class HintsProcessIT {

  private static final Path LAUNCHER = Path.of(System.getProperty("session-lock.launcher"));
  private static final Path JAR = Path.of(System.getProperty("session-lock.jar"));
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @TempDir
  Path temp;

  private Path project;
  private Path elsewhere;
  private final Map<String, String> env = new HashMap<>();

  record Run(int exit, String stdout, String stderr) {}

  @BeforeEach
  void setUp() throws Exception {
    project = Files.createDirectories(temp.resolve("my project/.git")).getParent().toRealPath();
    elsewhere = Files.createDirectories(temp.resolve("elsewhere")).toRealPath();
    env.put("HOME", Files.createDirectories(temp.resolve("home")).toString());
    env.put("SESSION_LOCK_DIR", temp.resolve("locks").toString());
    env.put("SESSION_LOCK_WAIT_MS", "0"); // one answer per call; waiting: WaitProcessIT
    env.put("SESSION_LOCK_OWNER", "session"); // the sessions here all run under this one JVM
    env.put("PATH", "/usr/bin:/bin"); // no session-lock on it
  }

  private Run run(Path directory, String stdin, String... command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(List.of(command)).directory(directory.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK")
        || name.startsWith("COPILOT") || name.startsWith("GEMINI") || name.startsWith("CODEX"));
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  private Run sessionLock(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
    command.addAll(List.of(args));
    return run(project, "", command.toArray(new String[0]));
  }

  /** Runs {@code hint} as a person would paste it: {@code sh -c}, from another directory. */
  private Run paste(String hint) throws Exception {
    return run(elsewhere, "", "sh", "-c", hint);
  }

  /** The text after {@code marker} in {@code output}, to the end of its line, without a closing parenthesis. */
  private static String after(String output, String marker) {
    assertThat(output).contains(marker);
    String rest = output.substring(output.indexOf(marker) + marker.length());
    String line = rest.lines().findFirst().orElse("").strip();
    return line.endsWith(")") ? line.substring(0, line.length() - 1) : line;
  }

  @Test
  void claimHint_forAnItemInAFolderWithASpace_runsAsPrinted() throws Exception {
    Path item = Files.createDirectories(temp.resolve("work items")).resolve("WRK-1.md");
    Files.writeString(item, "---\nid: WRK-1\nlocked_by: \"\"\nlocked_at: \"\"\n---\n");
    assertThat(sessionLock("claim", item.toString(), "--session", "alice").exit()).isZero();

    Run refused = sessionLock("claim", item.toString(), "--session", "bob");
    assertThat(refused.exit()).isEqualTo(4);
    Run hint = paste(after(refused.stderr(), "(if that session is gone) "));

    assertThat(hint.exit()).as(hint.stderr()).isZero();
    assertThat(Files.readString(item)).contains("locked_by: \"\"");
  }

  @Test
  void filesDenyHint_forAFileInAFolderWithASpace_runsAsPrinted() throws Exception {
    HookRegistrations.Registration pre = HookRegistrations.registrations(Agent.CLAUDE).get(0);
    String command = HookRegistrations.command(LAUNCHER.toString(), Agent.CLAUDE, pre, true);
    String alice = payload("alice", project.resolve("src dir/a b.txt"));
    assertThat(run(project, alice, "sh", "-c", command).exit()).isZero();

    Run denied = run(project, payload("bob", project.resolve("src dir/a b.txt")), "sh", "-c", command);
    assertThat(denied.exit()).isEqualTo(2);
    Run hint = paste(after(denied.stderr(), "If it is gone: "));

    assertThat(hint.exit()).as(hint.stderr()).isZero();
    assertThat(hint.stdout()).contains("removed  " + project.resolve("src dir/a b.txt"));
    assertThat(run(project, payload("bob", project.resolve("src dir/a b.txt")), "sh", "-c", command).exit()).isZero();
  }

  @Test
  void workspaceDenyHint_runsAsPrinted() throws Exception {
    HookRegistrations.Registration pre = HookRegistrations.registrations(Agent.CLAUDE).get(0);
    String command = HookRegistrations.command(LAUNCHER.toString(), Agent.CLAUDE, pre);
    assertThat(run(project, payload("alice", project.resolve("a.txt")), "sh", "-c", command).exit()).isZero();

    Run denied = run(project, payload("bob", project.resolve("a.txt")), "sh", "-c", command);
    assertThat(denied.exit()).isEqualTo(2);
    Run hint = paste(after(denied.stderr(), "if that session is gone: "));

    assertThat(hint.exit()).as(hint.stderr()).isZero();
    assertThat(hint.stdout()).startsWith("removed the lock of session alice");
  }

  @Test
  void usageHint_ofAMistypedOption_runsAsPrinted() throws Exception {
    Run wrong = sessionLock("status", "--bogus");
    assertThat(wrong.exit()).isEqualTo(64);

    Run hint = paste(after(wrong.stderr(), "(see "));

    assertThat(hint.exit()).as(hint.stderr()).isZero();
    assertThat(hint.stdout()).contains("Usage: session-lock status");
  }

  @Test
  void shellInit_fromARelativeLauncherOrFromTheJar_writesFunctionsThatRunWithoutSessionLockOnPath() throws Exception {
    Path item = Files.createDirectories(temp.resolve("work items")).resolve("WRK-2.md");
    Files.writeString(item, "---\nid: WRK-2\nlocked_by: \"\"\nlocked_at: \"\"\n---\n");
    Run relative = run(LAUNCHER.getParent(), "", "sh", "-c", "./" + LAUNCHER.getFileName() + " shell-init");
    Run fromJar = run(elsewhere, "", JAVA, "-jar", JAR.toString(), "shell-init");
    assertThat(relative.exit()).isZero();
    assertThat(fromJar.exit()).isZero();

    for (Run functions : List.of(relative, fromJar)) {
      Path script = Files.writeString(temp.resolve("functions-" + UUID.randomUUID() + ".sh"), functions.stdout());
      Run claimed = run(elsewhere, "", "bash", "-c", ". '" + script + "' && claim_wrk \"$1\" --session carol"
          + " && release_wrk \"$1\" --session carol", "bash", item.toString());
      assertThat(claimed.exit()).as(functions.stdout() + claimed.stderr()).isZero();
      assertThat(claimed.stdout()).contains("claimed " + item, "released " + item);
    }
  }

  @Test
  void demo_namesTheLauncherByItsAbsolutePath_evenWhenRunByARelativeOne() throws Exception {
    Run demo = run(LAUNCHER.getParent(), "", "sh", "-c", "./" + LAUNCHER.getFileName() + " demo");

    assertThat(demo.exit()).isZero();
    assertThat(demo.stdout()).contains("if that session is gone: '" + LAUNCHER + "' release --force --dir '")
        .doesNotContain(" session-lock release");
  }

  @Test
  void hookHelp_printsTheHooksUsage_andExitsZero() throws Exception {
    Run help = sessionLock("hook", "--help");

    assertThat(help.exit()).isZero();
    assertThat(help.stdout()).startsWith("Usage: session-lock hook [--mode files] [--agent ")
        .contains("Exit codes: 0 the tool call proceeds");
    assertThat(help.stderr()).isEmpty();
  }

  private String payload(String session, Path file) {
    return "{\"session_id\":\"" + session + "\",\"cwd\":\"" + project + "\",\"hook_event_name\":"
        + "\"PreToolUse\",\"tool_name\":\"Write\",\"tool_input\":{\"file_path\":\"" + file + "\",\"content\":\"x\"}}";
  }
}
