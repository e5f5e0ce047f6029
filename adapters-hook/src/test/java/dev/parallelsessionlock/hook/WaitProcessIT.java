package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.hook.FakeAgents.Result;
import dev.parallelsessionlock.hook.install.HookRegistrations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Waiting in line, end to end: each session is its own live agent process ({@link FakeAgent}) that runs the command
 * install registers for Claude Code in files mode through {@code sh -c}, real hook JSON on stdin; the built
 * launcher waits in the fair line, and answers when it is the session's turn, or when its budget ends.
 */
final class WaitProcessIT {

  private static final Path LAUNCHER = Path.of(System.getProperty("session-lock.launcher"));

  @TempDir
  Path temp;

  private Path project;
  private Path locks;
  private final List<Agent> agents = new ArrayList<>();
  private final FakeAgents fakeAgents = new FakeAgents();
  /** The hooks of killed agents, ended when the test ends. */
  private final List<ProcessHandle> orphans = new ArrayList<>();

  /** One agent CLI stand-in ({@link FakeAgents}) for one session, alive until the test ends or kills it. */
  final class Agent {
    final Process process;
    final String session;
    private final FakeAgents.Agent agent;

    Agent(String session, Map<String, String> extraEnv) throws IOException {
      this.session = session;
      Map<String, String> env = new java.util.HashMap<>(extraEnv);
      env.putIfAbsent("SESSION_LOCK_WAIT_MS", "25000");
      agent = fakeAgents.start(locks, env);
      process = agent.process;
      agents.add(this);
    }

    /** Starts the PreToolUse of an edit of {@code file}; its answer comes with {@link #receive}. */
    void edit(String file) {
      send("PreToolUse", ",\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"" + project + "/" + file
          + "\",\"old_string\":\"a\",\"new_string\":\"b\"}");
    }

    Result endSession() throws IOException {
      send("SessionEnd", "");
      return receive();
    }

    private void send(String event, String tool) {
      String payload = "{\"session_id\":\"" + session + "\",\"cwd\":\"" + project + "\",\"hook_event_name\":\"" + event
          + "\"" + tool + "}";
      agent.send(registered(event), payload);
    }

    Result receive() throws IOException {
      return agent.receive();
    }

    /** SIGKILL of the agent process (its hook, a child, runs on as an orphan, as when a client is killed). */
    void kill() throws InterruptedException {
      orphans.addAll(process.descendants().toList());
      process.destroyForcibly().waitFor();
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    project = Files.createDirectory(temp.resolve("project")).toRealPath();
    locks = temp.resolve("locks");
    Process init = new ProcessBuilder("git", "init", "-q", project.toString()).redirectErrorStream(true).start();
    assertThat(init.waitFor()).isZero();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (ProcessHandle orphan : orphans) {
      orphan.destroyForcibly();
      orphan.onExit().get();
    }
    for (Agent agent : agents) {
      for (ProcessHandle child : agent.process.descendants().toList()) {
        child.destroyForcibly();
        child.onExit().get();
      }
      agent.process.destroyForcibly().waitFor();
    }
  }

  private static String registered(String event) {
    for (HookRegistrations.Registration registration
        : HookRegistrations.registrations(dev.parallelsessionlock.hook.runtime.Agent.CLAUDE)) {
      if (registration.event().equals(event)) {
        return HookRegistrations.command(LAUNCHER.toString(), dev.parallelsessionlock.hook.runtime.Agent.CLAUDE,
            registration, true);
      }
    }
    throw new IllegalArgumentException(event);
  }

  private long tickets() throws IOException {
    try (Stream<Path> files = Files.list(locks)) {
      return files.filter(f -> f.getFileName().toString().startsWith("wait-")).count();
    }
  }

  /** Waits until {@code count} sessions wait in line: the order of arrival is the order of these calls. */
  private void untilWaiting(long count) throws Exception {
    while (tickets() < count) {
      Thread.sleep(10);
    }
  }

  private Agent holderOf(String file) throws Exception {
    Agent holder = new Agent("holder", Map.of());
    holder.edit(file);
    assertThat(holder.receive().exit()).isZero();
    return holder;
  }

  private List<Agent> queue(int count, String file) throws Exception {
    List<Agent> waiters = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      Agent waiter = new Agent("waiter-" + i, Map.of());
      waiter.edit(file);
      untilWaiting(i);
      waiters.add(waiter);
    }
    return waiters;
  }

  @Test
  void eightSessionsQueuedOnOneFile_areServedInTheOrderTheyArrived() throws Exception {
    Agent holder = holderOf("a.txt");
    List<Agent> waiters = queue(8, "a.txt");

    assertThat(holder.endSession().exit()).isZero();
    // Only one session holds the file at a time, and each is released only by the one the test expects to hold
    // it: a waiter served out of turn would hold it instead, and the expected one's wait would end in a denial.
    for (Agent waiter : waiters) {
      Result granted = waiter.receive();
      assertThat(granted.exit()).as(waiter.session + ": " + granted.stdout() + granted.stderr()).isZero();
      assertThat(Files.readString(locks.resolve(lockFile("a.txt")))).contains("\"session_id\":\"" + waiter.session + "\"");
      assertThat(waiter.endSession().exit()).isZero();
    }
    assertThat(tickets()).isZero();
  }

  @Test
  void theHolderKilledWhileFourWait_theHeadIsGranted() throws Exception {
    Agent holder = holderOf("a.txt");
    List<Agent> waiters = queue(4, "a.txt");

    holder.kill();

    Result head = waiters.get(0).receive();
    assertThat(head.exit()).as(head.stdout() + head.stderr()).isZero();
    assertThat(head.stderr()).contains("took over the lock on " + project + "/a.txt", "its holder is gone");
    assertThat(waiters.get(1).agent.answered()).as("the second still waits").isFalse();
  }

  @Test
  void aWaiterKilled_isSkipped() throws Exception {
    Agent holder = holderOf("a.txt");
    List<Agent> waiters = queue(2, "a.txt");

    waiters.get(0).kill();
    assertThat(holder.endSession().exit()).isZero();

    Result next = waiters.get(1).receive();
    assertThat(next.exit()).as(next.stdout() + next.stderr()).isZero();
  }

  @Test
  void aWaitWhoseBudgetEnds_isDeniedNamingTheHolderAndThePlaceInLine() throws Exception {
    Agent holder = holderOf("a.txt");
    queue(1, "a.txt");
    Agent late = new Agent("late", Map.of("SESSION_LOCK_WAIT_MS", "300"));

    late.edit("a.txt");
    Result denied = late.receive();

    assertThat(denied.exit()).isEqualTo(2);
    assertThat(denied.stderr()).contains("other sessions wait in line for this file ahead of you", "Waited ",
        "session holder (claude, pid " + holder.process.pid() + "), doing Edit " + project + "/a.txt",
        "2nd in line: 1 session is ahead", "waiting ahead for " + project + "/a.txt: session waiter-1 (claude, pid",
        "Your place is kept until");
    assertThat(tickets()).as("the denied waiter keeps its place").isEqualTo(2);
  }

  /** The file lock record of {@code file}: the one record that names its path. */
  private String lockFile(String file) throws IOException {
    try (Stream<Path> files = Files.list(locks)) {
      for (Path record : files.filter(f -> f.getFileName().toString().startsWith("file-")).toList()) {
        if (Files.readString(record).contains("\"path\":\"" + project + "/" + file + "\"")) {
          return record.getFileName().toString();
        }
      }
    }
    throw new AssertionError("no lock record for " + file);
  }
}
