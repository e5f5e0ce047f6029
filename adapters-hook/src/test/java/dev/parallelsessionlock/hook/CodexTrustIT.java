package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parallelsessionlock.hook.install.HookRegistrations;
import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Codex CLI judges our trust entries: {@code install --agent codex --trust}, then Codex's own
 * {@code app-server} lists the hooks with the trust status it would act on. Needs a codex binary
 * ({@code SESSION_LOCK_TEST_CODEX}, or {@code codex} on PATH); {@code .ci/run} installs {@code @openai/codex} from
 * npm and asks for this test ({@code SESSION_LOCK_REAL_CLIENTS=codex}), and then it never skips.
 */
final class CodexTrustIT {

  private static final Path LAUNCHER = Path.of(System.getProperty("session-lock.launcher"));

  @TempDir
  Path temp;

  private static Path codex() {
    return RealClients.find("codex", CodexTrustIT.class);
  }

  @Test
  void installWithTrust_isTrustedByTheRealCodex_andWithoutItCodexSaysUntrusted() throws Exception {
    Path codex = codex();
    Path project = Files.createDirectories(temp.resolve("project/.git")).getParent().toRealPath();
    Path codexHome = Files.createDirectories(temp.resolve("codex-home"));

    install(project, codexHome, false);
    assertThat(statuses(codex, codexHome, project)).hasSize(4).containsOnly("untrusted");

    install(project, codexHome, true);
    assertThat(statuses(codex, codexHome, project)).hasSize(4).containsOnly("trusted");

    Files.writeString(codexHome.resolve("hooks.json"),
        Files.readString(codexHome.resolve("hooks.json")).replace("\"timeout\": 10", "\"timeout\": 11"));
    assertThat(statuses(codex, codexHome, project)).as("a changed hook must be trusted again").contains("modified");
  }

  private void install(Path project, Path codexHome, boolean trust) throws Exception {
    List<String> command = new ArrayList<>(List.of(LAUNCHER.toString(), "install", "--agent", "codex",
        "--scope", "user", "--dir", project.toString()));
    if (trust) {
      command.add("--trust");
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("HOME", temp.resolve("home").toString());
    builder.environment().put("SESSION_LOCK_HOME", temp.resolve("install").toString());
    builder.environment().put("CODEX_HOME", codexHome.toString());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }

  /** Codex's own trust status of each of our hooks, from {@code codex app-server}'s {@code hooks/list}. */
  private static List<String> statuses(Path codex, Path codexHome, Path project) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(codex.toString(), "app-server").directory(project.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put("CODEX_HOME", codexHome.toString());
    Process server = builder.start();
    try {
      OutputStream in = server.getOutputStream();
      BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      send(in, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"clientInfo\":"
          + "{\"name\":\"session-lock-test\",\"version\":\"1\"}}}");
      answer(out, 1);
      send(in, "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\"}");
      send(in, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"hooks/list\",\"params\":{\"cwds\":[\"" + project + "\"]}}");
      JsonObject result = answer(out, 2).getObject("result");
      List<String> statuses = new ArrayList<>();
      for (Object entry : result.getArray("data")) {
        JsonArray hooks = ((JsonObject) entry).getArray("hooks");
        for (Object hook : hooks) {
          JsonObject h = (JsonObject) hook;
          if (h.getString("command") != null && h.getString("command").contains(HookRegistrations.MARKER)) {
            statuses.add(h.getString("trustStatus"));
          }
        }
      }
      return statuses;
    } finally {
      server.destroyForcibly().waitFor();
    }
  }

  private static void send(OutputStream in, String message) throws Exception {
    in.write((message + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  private static JsonObject answer(BufferedReader out, int id) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String line = out.readLine();
      if (line == null) {
        break;
      }
      JsonObject message = JsonParser.object().from(line);
      if (message.has("id") && message.getInt("id") == id) {
        if (message.has("error")) {
          fail("codex app-server answered " + line);
        }
        return message;
      }
    }
    fail("no answer " + id + " from codex app-server");
    return null;
  }

  static Map<String, String> none() {
    return Map.of();
  }
}
