package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

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

/** What the built executable prints for a person. */
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
