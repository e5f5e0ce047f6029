package dev.parallelsessionlock.hook;

import dev.parallelsessionlock.hook.runtime.ShellCommands;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.Grantor;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.Turn;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.fs.FileLockStore;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import io.vavr.control.Option;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code watch} live, in a real terminal: the built launcher runs in a tmux pane (a real pty, 120x40), the lock state
 * changes from outside (a file lock through the launcher, a waiter through the fair line), the pane redraws, {@code q}
 * or Ctrl-C quits with exit 0, and the terminal is as it was (the same {@code stty -g}, the alternate screen left).
 */
final class WatchTerminalIT {

  private static final Path LAUNCHER = Path.of(System.getProperty("session-lock.launcher"));
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir
  Path temp;

  private Path repo;
  private Path socket;

  @BeforeEach
  void setUp() throws Exception {
    if (!onPath("tmux")) {
      if ("true".equals(System.getenv("CI"))) {
        fail("tmux is not installed (.ci/run installs it)");
      }
      System.out.println("WatchTerminalIT skipped: no tmux on PATH");
      Assumptions.abort("no tmux");
    }
    repo = Files.createDirectories(temp.resolve("repo")).toRealPath();
    Files.writeString(repo.resolve("A.java"), "class A {}\n");
    assertThat(run(List.of("git", "init", "-q", repo.toString())).exit).isZero();
    socket = temp.resolve("tmux.sock");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (socket != null && Files.exists(socket)) {
      run(List.of("tmux", "-S", socket.toString(), "kill-server"));
    }
  }

  private static boolean onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return true;
      }
    }
    return false;
  }

  private record Run(int exit, String out) {}

  private Run run(List<String> command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile()).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK")
        || name.startsWith("COPILOT") || name.startsWith("GEMINI") || name.startsWith("CODEX")
        || name.equals("TMUX"));
    env.put("HOME", temp.resolve("home").toString());
    env.put("SESSION_LOCK_DIR", temp.resolve("locks").toString());
    env.put("SESSION_LOCK_WAIT_MS", "0"); // one answer per call; waiting: WaitProcessIT
    Process process = builder.start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new Run(process.exitValue(), out);
  }

  private Run tmux(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("tmux", "-S", socket.toString()));
    command.addAll(List.of(args));
    return run(command);
  }

  private String pane() throws Exception {
    return tmux("capture-pane", "-p", "-t", "watch").out;
  }

  /** Polls the pane until {@code shown} holds, within the deadline; the pane as it was then. */
  private String until(String what, Predicate<String> shown) throws Exception {
    long end = System.nanoTime() + DEADLINE.toNanos();
    String pane = "";
    while (System.nanoTime() < end) {
      pane = pane();
      if (shown.test(pane)) {
        return pane;
      }
      Thread.sleep(50); // between two polls of the pane; the condition decides, not the pause
    }
    return fail("the pane never showed " + what + "; it shows:\n" + pane);
  }

  /** Starts watch in a 120x40 tmux pane, under sh, which records stty before and after and the exit status. */
  private void startWatch() throws Exception {
    String script = "stty -g > before; " + ShellCommands.quote(LAUNCHER.toString()) + " watch --dir " + ShellCommands.quote(repo.toString())
        + "; echo \"exit=$?\"; stty -g > after; exec cat";
    String command = "cd " + ShellCommands.quote(temp.toString()) + " && exec env SESSION_LOCK_DIR=" + ShellCommands.quote(
        temp.resolve("locks").toString()) + " HOME=" + ShellCommands.quote(temp.resolve("home").toString()) + " sh -c "
        + ShellCommands.quote(script);
    Run started = tmux("-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", "-s", "watch", command);
    assertThat(started.exit).as(started.out).isZero();
    until("the first frame", pane -> pane.contains("session-lock watch") && pane.contains("nobody waits"));
  }

  private void assertQuitAndRestored() throws Exception {
    String pane = until("the exit status", p -> p.contains("exit="));
    assertThat(pane).contains("exit=0").doesNotContain("session-lock watch");
    until("stty's second reading", p -> Files.exists(temp.resolve("after")));
    assertThat(Files.readString(temp.resolve("after"))).isEqualTo(Files.readString(temp.resolve("before")));
    assertThat(tmux("display-message", "-p", "-t", "watch", "#{alternate_on}").out.strip()).isEqualTo("0");
  }

  @Test
  void watch_inATerminal_redrawsWhenLocksChange_andQuitsOnQ() throws Exception {
    startWatch();

    Run acquired = run(List.of(LAUNCHER.toString(), "files", "acquire", "--session", "alice", "--agent", "claude",
        repo.resolve("A.java").toString()));
    assertThat(acquired.exit).as(acquired.out).isZero();
    until("alice holding A.java", pane -> pane.contains("alice (claude)") && pane.contains("file A.java"));

    FileLockStore store = FileLockStore.open(temp.resolve("locks"), false, Duration.ofSeconds(10)).get();
    ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessTableLiveness.forThisHost(), Clock.systemUTC());
    LockKey key = LockKey.file(WorkspaceHash.of(repo.toString()), repo.resolve("A.java").toString());
    Claimant carol = new Claimant("carol", LocalProcesses.current(), false).withAgent(Option.some("codex"));
    Turn<?> turn = FairLine.of(lock, store).attempt(List.of(key), carol,
        Grantor.lease(lock, key, carol, Duration.ofMinutes(5), Option.none())).get();
    assertThat(turn).isInstanceOf(Turn.Waiting.class);
    String pane = until("carol first in line", p -> p.contains("1. carol (codex, pid " + LocalProcesses.currentPid()));
    assertThat(pane).contains("file A.java  held by alice");

    tmux("send-keys", "-t", "watch", "q");

    assertQuitAndRestored();
  }

  @Test
  void watch_inATerminal_quitsOnCtrlC() throws Exception {
    startWatch();

    tmux("send-keys", "-t", "watch", "C-c");

    assertQuitAndRestored();
  }
}
