package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The end-to-end tests' runner of agent processes: each {@link Agent} is a {@link FakeAgent} JVM, the process a
 * hook's lease names, alive until killed or until {@link #killAll} at the end of the test (or class). Its
 * environment has no agent client's or session-lock's variables but those the test gives.
 */
final class FakeAgents {

  /** What one command the agent ran gave: its exit code, stdout and stderr. */
  record Result(int exit, String stdout, String stderr) {}

  private final List<Agent> started = new ArrayList<>();

  /**
   * A new agent process whose hooks use the lock directory {@code locks}, with {@code extraEnv} on top; its hooks
   * answer at once (no waiting in line) unless {@code extraEnv} says otherwise: these tests check one answer per
   * call (waiting: WaitProcessIT).
   */
  Agent start(Path locks, Map<String, String> extraEnv) throws IOException {
    Map<String, String> env = new java.util.HashMap<>(extraEnv);
    env.putIfAbsent("SESSION_LOCK_DIR", locks.toString());
    env.putIfAbsent("SESSION_LOCK_WAIT_MS", "0");
    return start(env);
  }

  /** A new agent process with {@code env} on top of this one's, less any agent client's or session-lock's. */
  Agent start(Map<String, String> env) throws IOException {
    Agent agent = new Agent(env);
    started.add(agent);
    return agent;
  }

  /** Kills every agent started. */
  void killAll() throws InterruptedException {
    for (Agent agent : started) {
      agent.kill();
    }
  }

  /** One agent CLI stand-in. */
  static final class Agent {
    final Process process;
    final long pid;
    private final PrintStream toAgent;
    private final BufferedReader fromAgent;

    private Agent(Map<String, String> extraEnv) throws IOException {
      ProcessBuilder builder = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
          "-cp", System.getProperty("java.class.path"), FakeAgent.class.getName());
      builder.environment().keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK")
          || name.startsWith("CODEX") || name.startsWith("GEMINI") || name.startsWith("COPILOT"));
      if (extraEnv.containsKey("LC_ALL")) { // a locale of the test's choosing, nothing inherited
        builder.environment().keySet().removeIf(name -> name.equals("LANG") || name.startsWith("LC_"));
      }
      builder.environment().putAll(extraEnv);
      builder.redirectError(ProcessBuilder.Redirect.INHERIT);
      process = builder.start();
      toAgent = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
      fromAgent = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String ready = fromAgent.readLine();
      assertThat(ready).startsWith("READY ");
      pid = Long.parseLong(ready.substring(6));
    }

    /** Runs {@code command} with {@code sh -c}, {@code payload} on its stdin, and waits for it. */
    Result run(String command, String payload) throws IOException {
      send(command, payload);
      return receive();
    }

    /** Starts a command without waiting for it, so several agents' hooks run at once. */
    void send(String command, String payload) {
      toAgent.println(command + "\t" + payload);
    }

    /** Whether the command {@link #send} started has answered (what {@link #receive} would read at once). */
    boolean answered() throws IOException {
      return fromAgent.ready();
    }

    /** What the command {@link #send} started gave. */
    Result receive() throws IOException {
      String[] answer = fromAgent.readLine().split("\t", -1);
      Base64.Decoder b64 = Base64.getDecoder();
      return new Result(Integer.parseInt(answer[0]), new String(b64.decode(answer[1]), StandardCharsets.UTF_8),
          new String(b64.decode(answer[2]), StandardCharsets.UTF_8));
    }

    void kill() throws InterruptedException {
      process.destroyForcibly().waitFor();
    }
  }
}
