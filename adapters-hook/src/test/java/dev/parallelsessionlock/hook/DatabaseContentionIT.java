package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.hook.FakeAgents.Agent;
import dev.parallelsessionlock.hook.FakeAgents.Result;
import dev.parallelsessionlock.hook.runtime.resident.HelperPaths;
import dev.parallelsessionlock.hook.runtime.resident.Helpers;
import dev.parallelsessionlock.jdbc.PostgresCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database store at the moment it exists for: many sessions, each from its own live agent process, send one
 * {@code PreToolUse} Edit of the same workspace at once, through the installed launcher (its start-up archive for a
 * database store, the native library install unpacked) and {@code sh -c} of the registered command, through the
 * store's resident helper that the first call starts, as the agents' calls go. Every round has exactly one winner
 * and no fail-open, on SQLite and on a real PostgreSQL; also with the helper killed (SIGKILL) mid-round. And the
 * helper itself: one of two started at once serves, it stops when idle, {@code SESSION_LOCK_HELPER=off}, a run
 * directory others may enter, {@code doctor}.
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
  private static final FakeAgents AGENTS = new FakeAgents();

  /** An agent CLI stand-in ({@link FakeAgent}), alive for the whole class; the helper its store starts is stopped after. */
  private static Agent startAgent(Map<String, String> env) throws IOException {
    if (env.containsKey("SESSION_LOCK_STORE") && env.containsKey("XDG_RUNTIME_DIR")) {
      HELPERS.add(HelperPaths.of(env, env.get("SESSION_LOCK_STORE")));
    }
    return AGENTS.start(env);
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

  /** Every store the agents used: the helpers their hooks started are stopped after the class. */
  private static final List<HelperPaths> HELPERS = new ArrayList<>();

  @AfterAll
  static void stopAgents() throws InterruptedException {
    AGENTS.killAll();
    for (HelperPaths paths : HELPERS) {
      String[] serving = Helpers.whoServes(paths);
      if (serving != null) {
        stopHelper(Long.parseLong(serving[0]));
      }
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
    Result result = agent.receive();

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
      Result result = agent.receive();

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
      Result result = agent.receive();
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
      Result result = agent.receive();

      assertThat(result.exit()).isZero();
      assertThat(result.stderr()).contains("lock store unavailable", "allowing").doesNotContain("did not open within");
      assertThat(result.stdout()).contains("systemMessage");
    }
  }

  private static Agent agent(Map<String, String> env) throws IOException {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("SESSION_LOCK_DIR", temp.resolve("dir-single").toString());
    all.put("SESSION_LOCK_WAIT_MS", "0"); // one answer per call; waiting: WaitProcessIT
    all.putIfAbsent("XDG_RUNTIME_DIR", temp.resolve("run").toString());
    Agent agent = startAgent(all);
    return agent;
  }

  private static void contend(String store, String name) throws Exception {
    Map<String, String> env = Map.of("SESSION_LOCK_STORE", store, "SESSION_LOCK_DIR",
        temp.resolve("dir-" + name).toString(), "XDG_RUNTIME_DIR", temp.resolve("run-" + name).toString(),
        "SESSION_LOCK_WAIT_MS", "0");
    List<Agent> agents = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      Agent agent = startAgent(env);
      agents.add(agent);
    }
    // One call first: the tables exist before the race (creating them at once is not what is measured here).
    Path first = Files.createDirectories(temp.resolve(name + "-first"));
    agents.get(0).send(HookProcessIT.command(launcher.toString(), ""), edit(first, "first"));
    assertThat(agents.get(0).receive()).isEqualTo(new Result(0, "", ""));
    // That call found no helper and started one, as a session's first call does; the race is among warm sessions.
    HelperPaths paths = HelperPaths.of(env, store);
    long helper = awaitHelper(paths);
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
          Result result = agents.get(i).receive();
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
      agent.kill();
    }
    String[] after = Helpers.whoServes(paths);
    stopHelper(helper);
    assertThat(failures).as("rounds without exactly one winner, or with a fail-open (load " + load() + ")").isEmpty();
    assertThat(after).as("the helper served every round").isNotNull();
    assertThat(after[0]).isEqualTo(Long.toString(helper));
  }

  /** The pid of the helper serving {@code paths}, once it answers (it starts in the background). */
  private static long awaitHelper(HelperPaths paths) throws InterruptedException {
    long until = System.nanoTime() + 60_000_000_000L; // a JVM start on a machine that may be busy
    String[] serving = Helpers.whoServes(paths);
    while (serving == null && System.nanoTime() < until) {
      Thread.sleep(20);
      serving = Helpers.whoServes(paths);
    }
    assertThat(serving).as("a helper serves " + paths.socket()).isNotNull();
    return Long.parseLong(serving[0]);
  }

  private static void stopHelper(long pid) {
    ProcessHandle.of(pid).ifPresent(process -> {
      process.destroy();
      process.onExit().join();
    });
  }

  /** Starts the helper of {@code env}'s store as a hook does, and waits until it serves. */
  private static long startHelper(Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "store-helper")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK"));
    builder.environment().putAll(env);
    builder.start();
    return awaitHelper(HelperPaths.of(env, env.get("SESSION_LOCK_STORE")));
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Test
  void sqlite_helperKilledMidRound_oneWinnerNoLeaseLostOrDoubled() throws Exception {
    killMidRound("jdbc:sqlite:" + temp.resolve("killed.db"), "killed-sqlite");
  }

  @Test
  void postgres_helperKilledMidRound_oneWinnerNoLeaseLostOrDoubled() throws Exception {
    killMidRound(PostgresCluster.url(), "killed-pg");
  }

  /**
   * Eight sessions race; the moment the first lease is in the database the helper is killed with SIGKILL, with the
   * others' calls in flight or queued. Those calls open the database themselves and decide: one winner, the rest
   * denied, no fail-open, and the one lease in the database is the winner's.
   */
  private static void killMidRound(String store, String name) throws Exception {
    Map<String, String> env = Map.of("SESSION_LOCK_STORE", store, "SESSION_LOCK_DIR",
        temp.resolve("dir-" + name).toString(), "XDG_RUNTIME_DIR", temp.resolve("run-" + name).toString(),
        "SESSION_LOCK_WAIT_MS", "0");
    List<Agent> agents = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Agent agent = startAgent(env);
      agents.add(agent);
    }
    Path first = Files.createDirectories(temp.resolve(name + "-first"));
    agents.get(0).send(HookProcessIT.command(launcher.toString(), ""), edit(first, "first"));
    assertThat(agents.get(0).receive()).isEqualTo(new Result(0, "", ""));
    List<String> failures = new ArrayList<>();
    int killedInFlight = 0;
    try (java.sql.Connection db = java.sql.DriverManager.getConnection(store)) {
      for (int round = 0; round < 4; round++) {
        long helper = Helpers.whoServes(HelperPaths.of(env, store)) == null ? startHelper(env)
            : awaitHelper(HelperPaths.of(env, store));
        Path workspace = Files.createDirectories(temp.resolve(name + "-" + round)).toRealPath();
        String key = dev.parallelsessionlock.core.LockKey.workspace(
            dev.parallelsessionlock.core.WorkspaceHash.of(workspace.toString())).name();
        for (int i = 0; i < agents.size(); i++) {
          agents.get(i).send(HookProcessIT.command(launcher.toString(), ""), edit(workspace, "s" + i));
        }
        long until = System.nanoTime() + 60_000_000_000L;
        while (rows(db, key) == 0 && System.nanoTime() < until) {
          Thread.onSpinWait();
        }
        ProcessHandle.of(helper).ifPresent(process -> {
          process.destroyForcibly(); // SIGKILL
          process.onExit().join();
        });
        String winner = null;
        int winners = 0;
        int denied = 0;
        List<String> other = new ArrayList<>();
        for (int i = 0; i < agents.size(); i++) {
          Result result = agents.get(i).receive();
          if (result.exit() == 0 && result.stdout().isEmpty() && result.stderr().isEmpty()) {
            winners++;
            winner = "s" + i;
          } else if (result.exit() == 2 && result.stderr().contains("parallel session lock held by s")) {
            denied++;
          } else {
            other.add(result.exit() + " " + result.stderr().strip());
          }
        }
        List<String> holders = holders(db, key);
        if (winners != 1 || denied != agents.size() - 1 || !holders.equals(List.of(String.valueOf(winner)))) {
          failures.add("round " + round + ": " + winners + " won, " + denied + " denied, " + other
              + ", leases held by " + holders);
        }
        killedInFlight++;
      }
    }
    for (Agent agent : agents) {
      agent.kill();
    }
    String[] left = Helpers.whoServes(HelperPaths.of(env, store));
    if (left != null) {
      stopHelper(Long.parseLong(left[0]));
    }
    assertThat(killedInFlight).isEqualTo(4);
    assertThat(failures).as("rounds without exactly one winner holding the one lease (load " + load() + ")").isEmpty();
  }

  @Test
  void helper_twoStartedAtOnce_oneServesTheOtherExits() throws Exception {
    Map<String, String> env = helperEnv("twice", Map.of());
    List<Process> started = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "store-helper")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      builder.environment().keySet().removeIf(name -> name.startsWith("SESSION_LOCK"));
      builder.environment().putAll(env);
      started.add(builder.start());
    }
    long serving = awaitHelper(HelperPaths.of(env, env.get("SESSION_LOCK_STORE")));

    Process other = started.get(0).pid() == serving ? started.get(1) : started.get(0);
    assertThat(other.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("the second helper exits").isTrue();
    assertThat(other.exitValue()).isZero();
    assertThat(ProcessHandle.of(serving)).as("the first serves on").isPresent();
    stopHelper(serving);
  }

  @Test
  void helper_withoutACallForItsIdleTime_stopsAndRemovesItsSocket() throws Exception {
    Map<String, String> env = helperEnv("idle", Map.of("SESSION_LOCK_HELPER_IDLE_SECONDS", "1"));
    HelperPaths paths = HelperPaths.of(env, env.get("SESSION_LOCK_STORE"));
    long pid = startHelper(env);

    ProcessHandle.of(pid).ifPresent(process -> process.onExit().orTimeout(60, java.util.concurrent.TimeUnit.SECONDS)
        .join());

    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isIn(java.util.Optional.empty(),
        java.util.Optional.of(false));
    assertThat(paths.socket()).doesNotExist();
  }

  @Test
  void hook_startsTheHelperOnItsFirstCall_doctorReportsIt() throws Exception {
    Map<String, String> env = helperEnv("doctor", Map.of());
    HelperPaths paths = HelperPaths.of(env, env.get("SESSION_LOCK_STORE"));
    Path workspace = Files.createDirectories(temp.resolve("doctor-ws")).toRealPath();
    Agent agent = agent(env);
    agent.send(HookProcessIT.command(launcher.toString(), ""), edit(workspace, "doc"));
    assertThat(agent.receive().exit()).isZero();

    long pid = awaitHelper(paths);
    String doctor = run(env, launcher.toString(), "doctor");

    assertThat(doctor).contains("ok  store helper: running, pid " + pid + ", socket " + paths.socket());
    assertThat(java.nio.file.Files.getPosixFilePermissions(paths.directory()))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    stopHelper(pid);
    assertThat(run(env, launcher.toString(), "doctor"))
        .contains("ok  store helper: not running (the next hook starts it); socket " + paths.socket());
  }

  @Test
  void hook_helperOff_startsNoHelper_doctorSaysOff() throws Exception {
    Map<String, String> env = helperEnv("off", Map.of("SESSION_LOCK_HELPER", "off"));
    HelperPaths paths = HelperPaths.of(env, env.get("SESSION_LOCK_STORE"));
    Path workspace = Files.createDirectories(temp.resolve("off-ws")).toRealPath();
    Agent agent = agent(env);
    agent.send(HookProcessIT.command(launcher.toString(), ""), edit(workspace, "off"));
    Result result = agent.receive();

    assertThat(result).isEqualTo(new Result(0, "", ""));
    assertThat(paths.started()).doesNotExist();
    assertThat(paths.socket()).doesNotExist();
    assertThat(run(env, launcher.toString(), "doctor")).contains("ok  store helper: off (SESSION_LOCK_HELPER=off)");
  }

  @Test
  void hook_runDirectoryOthersMayEnter_usesNoHelper() throws Exception {
    Map<String, String> env = helperEnv("open", Map.of());
    HelperPaths paths = HelperPaths.of(env, env.get("SESSION_LOCK_STORE"));
    Files.createDirectories(paths.directory());
    Files.setPosixFilePermissions(paths.directory(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path workspace = Files.createDirectories(temp.resolve("open-ws")).toRealPath();
    Agent agent = agent(env);
    agent.send(HookProcessIT.command(launcher.toString(), ""), edit(workspace, "open"));

    assertThat(agent.receive()).isEqualTo(new Result(0, "", ""));
    assertThat(paths.started()).doesNotExist();
    assertThat(run(env, launcher.toString(), "doctor")).contains("store helper: not used (" + paths.directory()
        + " can be entered by others");
  }

  private static Map<String, String> helperEnv(String name, Map<String, String> more) {
    Map<String, String> env = new java.util.HashMap<>(more);
    env.put("SESSION_LOCK_STORE", "jdbc:sqlite:" + temp.resolve(name + ".db"));
    env.put("SESSION_LOCK_DIR", temp.resolve("dir-" + name).toString());
    env.put("SESSION_LOCK_WAIT_MS", "0"); // one answer per call; waiting: WaitProcessIT
    env.put("XDG_RUNTIME_DIR", temp.resolve("run-" + name).toString());
    return env;
  }

  /** What {@code command} prints, stdout and stderr together. */
  private static String run(Map<String, String> env, String... command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(temp.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK"));
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    return output;
  }

  private static int rows(java.sql.Connection db, String key) throws java.sql.SQLException {
    return holders(db, key).size();
  }

  /** The sessions the database's records under {@code key} name. */
  private static List<String> holders(java.sql.Connection db, String key) throws java.sql.SQLException {
    List<String> sessions = new ArrayList<>();
    try (java.sql.PreparedStatement select = db.prepareStatement(
        "SELECT record FROM session_lock_records WHERE lock_key = ?")) {
      select.setString(1, key);
      try (java.sql.ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          sessions.add(dev.parallelsessionlock.store.RecordCodec.decode(
              rows.getString(1).getBytes(StandardCharsets.UTF_8)).get().sessionId());
        }
      }
    }
    return sessions;
  }

  private static String edit(Path workspace, String session) {
    return "{\"session_id\":\"" + session + "\",\"cwd\":\"" + workspace + "\",\"hook_event_name\":\"PreToolUse\","
        + "\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"" + workspace + "/src/App.java\"}}";
  }
}
