package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.jdbc.PostgresCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database store at the moment it exists for: many sessions, each from its own live agent process, send one
 * {@code PreToolUse} Edit of the same workspace at once, through the installed launcher (its start-up archive for a
 * database store, the native library install unpacked) and {@code sh -c} of the registered command. Every round has
 * exactly one winner and no fail-open, on SQLite and on a real PostgreSQL.
 *
 * <p>Rounds and sessions are chosen for CI's budget on 2 cores: 20 rounds of 8 and 20 of 16 per database, each
 * round a fresh workspace. The agents stay alive across rounds (each session's lease names its own agent).
 */
final class DatabaseContentionIT {

  private static final Path BUILT = Path.of(System.getProperty("session-lock.launcher"));
  /** At least 20 in {@code mvn verify}; {@code -Dsession-lock.contention.rounds=3} for a quicker look while working. */
  private static final int ROUNDS = Integer.getInteger("session-lock.contention.rounds", 20);

  @TempDir
  static Path temp;

  private static Path launcher;
  private static final List<Agent> AGENTS = new ArrayList<>();

  /** One agent CLI stand-in ({@link FakeAgent}), alive for the whole class. */
  static final class Agent {
    final Process process;
    final PrintStream toAgent;
    final BufferedReader fromAgent;

    Agent(Map<String, String> env) throws IOException {
      ProcessBuilder builder = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
          "-cp", System.getProperty("java.class.path"), FakeAgent.class.getName());
      builder.environment().keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK"));
      builder.environment().putAll(env);
      builder.redirectError(ProcessBuilder.Redirect.INHERIT);
      process = builder.start();
      toAgent = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
      fromAgent = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      assertThat(fromAgent.readLine()).startsWith("READY ");
    }

    void send(String command, String payload) {
      toAgent.println(command + "\t" + payload);
    }

    HookProcessIT.Result receive() throws IOException {
      String[] answer = fromAgent.readLine().split("\t", -1);
      Base64.Decoder b64 = Base64.getDecoder();
      return new HookProcessIT.Result(Integer.parseInt(answer[0]),
          new String(b64.decode(answer[1]), StandardCharsets.UTF_8),
          new String(b64.decode(answer[2]), StandardCharsets.UTF_8));
    }
  }

  @BeforeAll
  static void install() throws Exception {
    Path home = Files.createDirectory(temp.resolve("home"));
    Path installHome = temp.resolve("install");
    Path project = Files.createDirectory(temp.resolve("installed-for"));
    ProcessBuilder builder = new ProcessBuilder(BUILT.toString(), "install", "--dir", project.toString())
        .redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK"));
    builder.environment().put("HOME", home.toString());
    builder.environment().put("SESSION_LOCK_HOME", installHome.toString());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    launcher = installHome.resolve("bin").resolve("session-lock");
    assertThat(installHome.resolve("lib").resolve("session-lock-db.jsa")).as(output).exists();
  }

  @AfterAll
  static void stopAgents() throws InterruptedException {
    for (Agent agent : AGENTS) {
      agent.process.destroyForcibly().waitFor();
    }
  }

  @Test
  void sqlite_eightAndSixteenSessionsAtOnce_oneWinnerEveryRound_noFailOpen() throws Exception {
    contend("jdbc:sqlite:" + temp.resolve("locks.db"), "sqlite");
  }

  @Test
  void postgres_eightAndSixteenSessionsAtOnce_oneWinnerEveryRound_noFailOpen() throws Exception {
    contend(PostgresCluster.url(), "postgres");
  }

  @Test
  void installedHook_sqliteStore_unpacksNoNativeLibraryIntoTheTempFolder() throws Exception {
    Path tmp = Files.createDirectory(temp.resolve("sqlite-tmp"));
    Path workspace = Files.createDirectories(temp.resolve("native")).toRealPath();
    // sqlite-jdbc unpacks into org.sqlite.tmpdir when it has no library of its own to load
    Agent agent = agent(Map.of("SESSION_LOCK_STORE", "jdbc:sqlite:" + temp.resolve("native.db"),
        "JAVA_TOOL_OPTIONS", "-Dorg.sqlite.tmpdir=" + tmp));

    agent.send(HookProcessIT.command(launcher.toString(), ""), edit(workspace, "native"));
    HookProcessIT.Result result = agent.receive();

    assertThat(result.exit()).as(result.stderr()).isZero();
    assertThat(result.stderr()).doesNotContain("allowing");
    try (java.util.stream.Stream<Path> left = Files.list(tmp)) {
      assertThat(left).as("copies of the native library left behind").isEmpty();
    }
  }

  @Test
  void sqliteFileLockedByAnotherProgram_failsOpenWithinTheDeadline() throws Exception {
    Path db = temp.resolve("held.db");
    Path workspace = Files.createDirectories(temp.resolve("held")).toRealPath();
    Agent agent = agent(Map.of("SESSION_LOCK_STORE", "jdbc:sqlite:" + db, "SESSION_LOCK_DEADLINE_MS", "1000"));
    agent.send(HookProcessIT.command(launcher.toString(), ""), edit(workspace, "first"));
    assertThat(agent.receive().exit()).isZero();
    try (java.sql.Connection other = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        java.sql.Statement statement = other.createStatement()) {
      statement.execute("BEGIN EXCLUSIVE");

      agent.send(HookProcessIT.command(launcher.toString(), ""), edit(workspace, "second-" + System.nanoTime())); // the notice is once per session
      HookProcessIT.Result result = agent.receive();

      assertThat(result.exit()).isZero();
      assertThat(result.stderr()).contains("allowing").doesNotContain("did not open within");
      assertThat(result.stdout()).contains("systemMessage");
      statement.execute("ROLLBACK");
    }
  }

  @Test
  void postgresUnreachable_failsOpenWithinTheDeadline() throws Exception {
    // A listening socket whose accept queue is full: the kernel drops further SYNs, as a network that is gone does.
    try (java.net.ServerSocket full = new java.net.ServerSocket(0, 1)) {
      List<java.net.Socket> queued = new ArrayList<>();
      try {
        while (queued.size() < 64) {
          java.net.Socket socket = new java.net.Socket();
          socket.connect(new java.net.InetSocketAddress("127.0.0.1", full.getLocalPort()), 300);
          queued.add(socket);
        }
      } catch (IOException queueFull) {
        // from here on a connect gets no answer
      }
      Path workspace = Files.createDirectories(temp.resolve("unreachable")).toRealPath();
      Agent agent = agent(Map.of("SESSION_LOCK_STORE", "jdbc:postgresql://127.0.0.1:" + full.getLocalPort()
          + "/locks?user=u", "SESSION_LOCK_DEADLINE_MS", "1000"));

      long started = System.nanoTime();
      agent.send(HookProcessIT.command(launcher.toString(), ""), edit(workspace, "gone-" + System.nanoTime()));
      HookProcessIT.Result result = agent.receive();
      long tookMs = (System.nanoTime() - started) / 1_000_000;

      assertThat(result.exit()).isZero();
      assertThat(result.stderr()).contains("lock store unavailable", "allowing").doesNotContain("did not open within");
      assertThat(result.stdout()).contains("systemMessage");
      assertThat(tookMs).as("failed open at the connect timeout, not at the 10 s ones").isLessThan(8_000);
      for (java.net.Socket socket : queued) {
        socket.close();
      }
    }
  }

  @Test
  void postgresThatAcceptsButNeverAnswers_failsOpenAtItsSocketTimeout() throws Exception {
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0)) {
      Thread accepting = new Thread(() -> {
        java.util.List<java.net.Socket> held = new ArrayList<>();
        try {
          while (true) {
            held.add(silent.accept()); // a network that swallows every packet: connected, never answered
          }
        } catch (IOException closed) {
          // the test ended
        }
      });
      accepting.setDaemon(true);
      accepting.start();
      Path workspace = Files.createDirectories(temp.resolve("silent")).toRealPath();
      Agent agent = agent(Map.of("SESSION_LOCK_STORE", "jdbc:postgresql://127.0.0.1:" + silent.getLocalPort()
          + "/locks?user=u", "SESSION_LOCK_DEADLINE_MS", "1000"));

      agent.send(HookProcessIT.command(launcher.toString(), ""), edit(workspace, "silent-" + System.nanoTime()));
      HookProcessIT.Result result = agent.receive();

      assertThat(result.exit()).isZero();
      assertThat(result.stderr()).contains("lock store unavailable", "allowing").doesNotContain("did not open within");
      assertThat(result.stdout()).contains("systemMessage");
    }
  }

  private static Agent agent(Map<String, String> env) throws IOException {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("SESSION_LOCK_DIR", temp.resolve("dir-single").toString());
    Agent agent = new Agent(all);
    AGENTS.add(agent);
    return agent;
  }

  private static void contend(String store, String name) throws Exception {
    Map<String, String> env = Map.of("SESSION_LOCK_STORE", store, "SESSION_LOCK_DIR",
        temp.resolve("dir-" + name).toString());
    List<Agent> agents = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      Agent agent = new Agent(env);
      AGENTS.add(agent);
      agents.add(agent);
    }
    // One call first: the tables exist before the race (creating them at once is not what is measured here).
    Path first = Files.createDirectories(temp.resolve(name + "-first"));
    agents.get(0).send(HookProcessIT.command(launcher.toString(), ""), edit(first, "first"));
    assertThat(agents.get(0).receive()).isEqualTo(new HookProcessIT.Result(0, "", ""));
    List<String> failures = new ArrayList<>();
    for (int sessions : new int[] {8, 16}) {
      for (int round = 0; round < ROUNDS; round++) {
        Path workspace = Files.createDirectories(temp.resolve(name + "-" + sessions + "-" + round)).toRealPath();
        for (int i = 0; i < sessions; i++) {
          agents.get(i).send(HookProcessIT.command(launcher.toString(), ""), edit(workspace, "s" + i));
        }
        int winners = 0;
        int denied = 0;
        List<String> other = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
          HookProcessIT.Result result = agents.get(i).receive();
          if (result.exit() == 0 && result.stdout().isEmpty() && result.stderr().isEmpty()) {
            winners++;
          } else if (result.exit() == 2 && result.stderr().contains("parallel session lock held by s")) {
            denied++;
          } else {
            other.add(result.exit() + " " + result.stderr().strip());
          }
        }
        if (winners != 1 || denied != sessions - 1) {
          failures.add(sessions + " sessions, round " + round + ": " + winners + " won, " + denied + " denied, "
              + other);
        }
      }
    }
    for (Agent agent : agents) {
      agent.process.destroyForcibly().waitFor();
    }
    assertThat(failures).as("rounds without exactly one winner, or with a fail-open").isEmpty();
  }

  private static String edit(Path workspace, String session) {
    return "{\"session_id\":\"" + session + "\",\"cwd\":\"" + workspace + "\",\"hook_event_name\":\"PreToolUse\","
        + "\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"" + workspace + "/src/App.java\"}}";
  }
}
