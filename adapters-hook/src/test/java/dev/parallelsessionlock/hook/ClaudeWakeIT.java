package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonWriter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.Grantor;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.Turn;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.hook.install.HookRegistrations;
import dev.parallelsessionlock.hook.runtime.Agent;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import io.vavr.control.Option;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Claude Code wakes a session when the waker install registers exits 2: {@code claude -p}, offline against
 * a stand-in Anthropic Messages API server this test starts (it scripts the model's replies), with the hooks as
 * {@code install --mode files} registers them. Another session holds {@code src/App.java}; the model writes it; the
 * hook denies; the model ends its turn; the test frees the file; the waker exits 2; the server then sees a request
 * carrying the wake line, the model writes the file again and is allowed.
 *
 * <p>Needs the claude binary ({@code SESSION_LOCK_TEST_CLAUDE}, or {@code claude} on PATH); {@code .ci/run}
 * installs {@code @anthropic-ai/claude-code} from npm and asks for this test ({@code SESSION_LOCK_REAL_CLIENTS}
 * containing {@code claude}), and then it never skips. Until the hook's PreToolUse waits in line itself, the server
 * writes the session's ticket when it sees the deny, as that hook will ({@link FairLine#attempt} for the session and
 * its agent process).
 */
final class ClaudeWakeIT {

  private static final Path LAUNCHER = Path.of(System.getProperty("session-lock.launcher"));
  private static final String WAKE = "is free now and it is your turn; retry your edit.";

  @TempDir
  Path temp;

  private HttpServer server;
  private Process claude;
  private Process holder;
  private final List<JsonObject> requests = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch ticketed = new CountDownLatch(1);
  private volatile long claudePid;
  private volatile String ticketProblem;
  private Path project;
  private Path locks;
  private PrintStream toHolder;
  private Path tmuxSocket;
  private volatile boolean wroteIt;
  private static final String API_KEY = "sk-ant-offline-test-key-0123456789";

  private static Path claudeBinary() {
    return RealClients.find("claude", ClaudeWakeIT.class);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (tmuxSocket != null) {
      tmux("kill-server");
    }
    if (server != null) {
      server.stop(0);
    }
    for (Process process : new Process[] {claude, holder}) {
      if (process != null) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  @Test
  void claudePrint_deniedThenTheFileIsFreed_isWokenByTheWakerAndWritesTheFile() throws Exception {
    Path binary = claudeBinary();
    Path home = setUp();
    BufferedReader fromHolder = holdApp();

    ProcessBuilder builder = new ProcessBuilder(binary.toString(), "-p", "write src/App.java",
        "--permission-mode", "acceptEdits", "--model", "claude-sonnet-4-5")
        .directory(project.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(temp.resolve("claude.out").toFile()).redirectError(temp.resolve("claude.err").toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK")
        || name.startsWith("ANTHROPIC"));
    builder.environment().putAll(clientEnvironment(home));
    claude = builder.start();
    claudePid = claude.pid();
    freeAppOnceDenied(fromHolder);

    assertThat(claude.waitFor(120, TimeUnit.SECONDS)).as("claude -p ended").isTrue();
    String out = Files.readString(temp.resolve("claude.out"));
    assertThat(claude.exitValue()).as(out + Files.readString(temp.resolve("claude.err"))).isZero();
    assertThat(out).contains("WROTE IT");
    assertWokenAndWritten("Stop hook feedback");
  }

  /** The interactive client, in a tmux pane (a real terminal): the waker runs in the background there. */
  @Test
  void claudeInteractive_deniedThenTheFileIsFreed_isWokenInTheBackgroundAndWritesTheFile() throws Exception {
    Path binary = claudeBinary();
    if (!onPath("tmux")) {
      if ("true".equals(System.getenv("CI"))) {
        fail("tmux is not installed (.ci/run installs it)");
      }
      Assumptions.abort("no tmux");
    }
    Path home = setUp();
    // What a person's first run settles: onboarding done, the API key approved, the folder trusted.
    Files.writeString(home.resolve(".claude.json"), "{\"hasCompletedOnboarding\":true,\"theme\":\"dark\","
        + "\"customApiKeyResponses\":{\"approved\":[\"" + API_KEY.substring(API_KEY.length() - 20) + "\"],"
        + "\"rejected\":[]},\"projects\":{" + JsonWriter.string(project.toString()) + ":{\"hasTrustDialogAccepted\":true,"
        + "\"hasCompletedProjectOnboarding\":true,\"allowedTools\":[]}}}");
    BufferedReader fromHolder = holdApp();
    tmuxSocket = temp.resolve("tmux.sock");
    StringBuilder command = new StringBuilder("cd " + quote(project.toString()) + " && exec env -i PATH="
        + quote(System.getenv().getOrDefault("PATH", "/usr/bin:/bin")) + " TERM=xterm-256color");
    for (Map.Entry<String, String> variable : clientEnvironment(home).entrySet()) {
      command.append(' ').append(variable.getKey()).append('=').append(quote(variable.getValue()));
    }
    command.append(' ').append(quote(binary.toString()))
        .append(" --permission-mode acceptEdits --model claude-sonnet-4-5 'write src/App.java'");
    assertThat(tmux("-f", "/dev/null", "new-session", "-d", "-x", "160", "-y", "50", "-s", "claude",
        command.toString())).isZero();
    claudePid = Long.parseLong(tmuxOut("display-message", "-p", "-t", "claude", "#{pane_pid}").strip());
    freeAppOnceDenied(fromHolder);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!wroteIt && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(wroteIt).as("the model was woken and wrote the file; the pane:\n"
        + tmuxOut("capture-pane", "-p", "-t", "claude")).isTrue();
    assertWokenAndWritten("Stop hook blocking error from command");
  }

  private Path setUp() throws Exception {
    project = Files.createDirectories(temp.resolve("project")).toRealPath();
    locks = temp.resolve("locks");
    Path home = Files.createDirectories(temp.resolve("home"));
    assertThat(new ProcessBuilder("git", "init", "-q", project.toString()).start().waitFor()).isZero();
    Files.createDirectories(project.resolve("src"));
    install(home);
    startServer();
    return home;
  }

  /** Another session, in its own agent process, holds src/App.java; the reader of its answers. */
  private BufferedReader holdApp() throws Exception {
    holder = fakeAgent();
    toHolder = new PrintStream(holder.getOutputStream(), true, StandardCharsets.UTF_8);
    BufferedReader fromHolder = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
    assertThat(fromHolder.readLine()).startsWith("READY ");
    toHolder.println(registered("PreToolUse") + "\t" + write("alice"));
    assertThat(fromHolder.readLine()).startsWith("0\t");
    return fromHolder;
  }

  /** Once the model was denied and its turn has ended, the holder's session ends and frees the file. */
  private void freeAppOnceDenied(BufferedReader fromHolder) throws Exception {
    assertThat(ticketed.await(90, TimeUnit.SECONDS)).as("the model's write was denied").isTrue();
    assertThat(ticketProblem).isNull();
    // The turn ends and Claude Code starts the waker; free the file once it runs (a process of the client's).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!wakerRuns() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(wakerRuns()).as("Claude Code started the waker").isTrue();
    Thread.sleep(1000); // it reads the tickets while the file is still held (two real clients: nothing to fake)
    toHolder.println(registered("SessionEnd") + "\t" + event("SessionEnd", "alice"));
    assertThat(fromHolder.readLine()).startsWith("0\t");
  }

  private void assertWokenAndWritten(String framing) throws Exception {
    assertThat(Files.readString(project.resolve("src/App.java"))).isEqualTo("class App {}\n");
    List<String> wakes = new ArrayList<>();
    synchronized (requests) {
      for (JsonObject request : requests) {
        String last = JsonWriter.string(lastMessage(request));
        if (last.contains(WAKE)) {
          wakes.add(last);
        }
      }
    }
    assertThat(wakes).as("the model was woken with the waker's line").isNotEmpty();
    assertThat(wakes.get(0)).contains(framing, "session-lock: ");
  }

  /** Whether the waker ({@code hook ... --wake}) runs under the client. */
  private boolean wakerRuns() {
    Option<ProcessHandle> client = Option.ofOptional(ProcessHandle.of(claudePid));
    if (client.isEmpty()) {
      return false;
    }
    for (ProcessHandle process : (Iterable<ProcessHandle>) client.get().descendants()::iterator) {
      if (process.info().commandLine().orElse("").contains(" --wake")) {
        return true;
      }
    }
    return false;
  }

  private Map<String, String> clientEnvironment(Path home) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    env.put("HOME", home.toString());
    env.put("SESSION_LOCK_DIR", locks.toString());
    env.put("ANTHROPIC_BASE_URL", "http://127.0.0.1:" + server.getAddress().getPort());
    env.put("ANTHROPIC_API_KEY", API_KEY);
    env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
    env.put("DISABLE_AUTOUPDATER", "1");
    return env;
  }

  private static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  private int tmux(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("tmux", "-S", tmuxSocket.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return process.exitValue();
  }

  private String tmuxOut(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("tmux", "-S", tmuxSocket.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  private void install(Path home) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "install", "--dir", project.toString(),
        "--mode", "files").redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK"));
    builder.environment().put("HOME", home.toString());
    builder.environment().put("SESSION_LOCK_HOME", temp.resolve("install").toString());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(Files.readString(project.resolve(".claude/settings.json"))).contains("--wake", "\"asyncRewake\": true");
  }

  private Process fakeAgent() throws IOException {
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), FakeAgent.class.getName());
    builder.environment().keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK"));
    builder.environment().put("SESSION_LOCK_DIR", locks.toString());
    builder.redirectError(ProcessBuilder.Redirect.INHERIT);
    return builder.start();
  }

  private static String registered(String event) {
    for (HookRegistrations.Registration registration : HookRegistrations.registrations(Agent.CLAUDE)) {
      if (registration.event().equals(event)) {
        return HookRegistrations.command(LAUNCHER.toString(), Agent.CLAUDE, registration, true);
      }
    }
    throw new IllegalArgumentException(event);
  }

  private String write(String session) {
    return "{\"session_id\":\"" + session + "\",\"cwd\":\"" + project + "\",\"hook_event_name\":\"PreToolUse\","
        + "\"tool_name\":\"Write\",\"tool_input\":{\"file_path\":\"" + project + "/src/App.java\",\"content\":\"x\"}}";
  }

  private String event(String name, String session) {
    return "{\"session_id\":\"" + session + "\",\"cwd\":\"" + project + "\",\"hook_event_name\":\"" + name + "\"}";
  }

  // ---- the stand-in model: Anthropic's Messages API, streamed, replies scripted by the conversation so far ----

  private void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::answer);
    server.start();
  }

  private static Object lastMessage(JsonObject request) {
    JsonArray messages = request.getArray("messages");
    return messages == null || messages.isEmpty() ? "" : messages.get(messages.size() - 1);
  }

  private void answer(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    String path = exchange.getRequestURI().getPath();
    if (!"POST".equals(exchange.getRequestMethod()) || !path.endsWith("/messages")) {
      respond(exchange, "application/json", path.endsWith("/count_tokens") ? "{\"input_tokens\":10}" : "{}");
      return;
    }
    JsonObject request;
    try {
      request = JsonParser.object().from(new String(body, StandardCharsets.UTF_8));
    } catch (Exception e) {
      respond(exchange, "application/json", "{}");
      return;
    }
    requests.add(request);
    String conversation = JsonWriter.string(request.getArray("messages"));
    JsonArray tools = request.getArray("tools");
    String reply;
    if (tools == null || tools.isEmpty()) {
      reply = text("ok"); // a side request (a title, a summary)
    } else if (conversation.contains(WAKE)) {
      if (conversation.contains("toolu_retry")) {
        wroteIt = true; // the retried write's result came back: the file is written
      }
      reply = conversation.contains("toolu_retry") ? text("WROTE IT") : writeApp("toolu_retry");
    } else if (conversation.contains("\"tool_result\"")) {
      ticket(request);
      reply = text("DENIED, waiting");
    } else {
      reply = writeApp("toolu_first");
    }
    respond(exchange, "text/event-stream", reply);
  }

  /** The waiter's ticket, written as a PreToolUse that waits in line leaves it, for the session in the request. */
  private void ticket(JsonObject request) {
    if (ticketed.getCount() == 0) {
      return;
    }
    try {
      String userId = request.getObject("metadata").getString("user_id");
      String session = JsonParser.object().from(userId).getString("session_id");
      FileLockStore store = FileLockStore.open(locks).get();
      List<Slot> files = store.slots(LockKey.FILE_PREFIX).get();
      ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC());
      Claimant claimant = new Claimant(session, LocalProcesses.system().ref(claudePid), true)
          .withAgent(Option.some("claude"));
      LockKey key = files.get(0).key();
      Turn<?> turn = FairLine.of(lock, store).attempt(List.of(key), claimant,
          Grantor.lease(lock, key, claimant, Duration.ofMinutes(5), Option.none())).get();
      if (!(turn instanceof Turn.Waiting)) {
        ticketProblem = "not waiting: " + turn.getClass().getSimpleName();
      }
    } catch (Exception | AssertionError e) {
      ticketProblem = e.toString();
    }
    ticketed.countDown();
  }

  private String writeApp(String id) {
    JsonObject input = new JsonObject();
    input.put("file_path", project + "/src/App.java");
    input.put("content", "class App {}\n");
    return message("tool_use", "{\"type\":\"tool_use\",\"id\":\"" + id + "\",\"name\":\"Write\",\"input\":{}}",
        "{\"type\":\"input_json_delta\",\"partial_json\":" + JsonWriter.string(JsonWriter.string(input)) + "}");
  }

  private static String text(String text) {
    return message("end_turn", "{\"type\":\"text\",\"text\":\"\"}",
        "{\"type\":\"text_delta\",\"text\":" + JsonWriter.string(text) + "}");
  }

  /** One streamed message of one content block. */
  private static String message(String stopReason, String block, String delta) {
    return sse("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
            + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,"
            + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}")
        + sse("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":" + block + "}")
        + sse("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":" + delta + "}")
        + sse("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
        + sse("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stopReason
            + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}")
        + sse("message_stop", "{\"type\":\"message_stop\"}");
  }

  private static String sse(String name, String data) {
    return "event: " + name + "\ndata: " + data + "\n\n";
  }

  private static void respond(HttpExchange exchange, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
