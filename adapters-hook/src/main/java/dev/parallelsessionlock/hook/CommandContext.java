package dev.parallelsessionlock.hook;

import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.fs.FileLockStore;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.process.ProcessTableLiveness;

/**
 * What every command for people works with: the environment, the working directory, the two output streams and
 * the clock, and the steps they share (the workspace of {@code --dir}, opening the lock store). Commands never
 * read the process's environment or streams themselves, so tests run them in-process.
 */
final class CommandContext {

  final Map<String, String> env;
  final Path cwd;
  final PrintStream out;
  final PrintStream err;
  final Clock clock;
  /** The agent (or script) process that ran this command: who a task lock belongs to. */
  final Supplier<ProcessRef> agentProcess;
  /** Standard input, for the commands that an agent's hook feeds (worktree create --hook). */
  java.io.InputStream in = java.io.InputStream.nullInputStream();

  CommandContext(Map<String, String> env, Path cwd, PrintStream out, PrintStream err, Clock clock,
      Supplier<ProcessRef> agentProcess) {
    this.env = env;
    this.cwd = cwd;
    this.out = out;
    this.err = err;
    this.clock = clock;
    this.agentProcess = agentProcess;
  }

  /** A usage error: one line, exit 64. */
  int usage(String problem) {
    err.println("session-lock: " + problem + " (see " + Hints.command(program(), "--help") + ")");
    return ExitCodes.USAGE;
  }

  /** How a person runs this executable, as sh words ({@link Hints#program}). */
  String program() {
    return Hints.program(env, cwd);
  }

  /** A {@code --dir} that must be an existing directory; the problem as a usage error's text otherwise. */
  Option<String> dirProblem(String dir) {
    if (dir == null) {
      return Option.none();
    }
    Path path = cwd.resolve(dir);
    return Files.isDirectory(path) ? Option.none()
        : Option.some("--dir " + dir + (Files.exists(path) ? " is not a directory" : " does not exist"));
  }

  /** The workspace of {@code dir}, else {@code CLAUDE_PROJECT_DIR}, else the current directory. */
  Path workspace(String dir) {
    Option<String> start = dir != null ? Option.some(cwd.resolve(dir).toString())
        : Option.of(env.get("CLAUDE_PROJECT_DIR")).filter(d -> !d.isBlank());
    return Workspaces.resolve(start, Option.none(), cwd);
  }

  HookConfig config() {
    return HookConfig.from(env);
  }

  /** The session the agent's environment names ({@link HookConfig#sessionFromEnvironment()}), or null. */
  String sessionFromEnvironment() {
    return config().sessionFromEnvironment().getOrNull();
  }

  /**
   * The process that holds for {@code session}: inside that session's own agent (its Bash tool) the agent process
   * is known; from another terminal the session is named by id alone, so its own hook still owns what it takes.
   */
  ProcessRef processFor(String session) {
    return session.equals(sessionFromEnvironment()) ? agentProcess.get() : ProcessRef.unknown(Option.none());
  }

  /**
   * The claimant for a command a person or a script runs as {@code session}. Another session id is always a
   * rival here, whatever process the commands share: two {@code claim}s from one shell under two ids are two
   * sessions (seed 000), never a renewal. (The hook alone counts another id in the same agent process as its
   * owner, for {@code /clear} and resume; {@code SESSION_LOCK_OWNER=session} turns that off there too.)
   */
  dev.parallelsessionlock.core.Claimant sessionClaimant(String session) {
    return new dev.parallelsessionlock.core.Claimant(session, processFor(session), /* sameProcessIsSameOwner= */ false);
  }

  Either<Integer, OpenStore> openStore() {
    HookConfig config = config();
    config.warnings().forEach(w -> err.println("session-lock: " + w));
    Either<StoreFailure, OpenStore> store = OpenStore.open(config, FileLockStore.DEFAULT_GUARD_TIMEOUT);
    if (store.isLeft()) {
      err.println("session-lock: " + store.getLeft().describe());
      return Either.left(ExitCodes.UNAVAILABLE);
    }
    return Either.right(store.get());
  }

  Either<Integer, ParallelSessionLock> openLock() {
    HookConfig config = config();
    return openStore().map(store -> store.lock(clock, config.ttl()));
  }

  int failed(LockFailure failure) {
    err.println("session-lock: " + failure.describe());
    return ExitCodes.UNAVAILABLE;
  }
}
