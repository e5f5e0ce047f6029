package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hook path stays lean: the packaged jar runs each kind of hook call with class-load logging, and no class
 * that costs milliseconds of a cold start may load: lambda proxies and the hidden classes that invokedynamic
 * bootstraps spin (lambdas, a record's generated equals/hashCode/toString), the regex engine, picocli, SnakeYAML, JDBC (the default store is the lock directory), and vavr's
 * collections (their interfaces load with {@code Option}, cheaply from the archive; their classes are slow to
 * initialise).
 */
final class HookStartupIT {

  private static final Path JAR = Path.of(System.getProperty("session-lock.jar"));

  @TempDir
  Path temp;

  private Path project;
  private Path locks;

  @BeforeEach
  void setUp() throws IOException {
    project = Files.createDirectories(temp.resolve("project/.git")).getParent();
    locks = temp.resolve("locks");
  }

  /**
   * Classes that must not load on the hook path; the JVM's own LambdaForm base classes are fine. Nothing of the
   * commands for people or of install loads either: the hook is the runtime room alone.
   */
  static List<String> forbidden(List<String> loaded) {
    List<String> bad = new ArrayList<>();
    for (String name : loaded) {
      if (name.contains("$$Lambda") || name.matches("java\\.lang\\.invoke\\.LambdaForm\\$[A-Z]+/.*")
          || name.startsWith("java.util.regex.") || name.equals("java.lang.runtime.ObjectMethods")
          || name.startsWith("picocli.") || name.startsWith("org.snakeyaml.") || name.startsWith("java.sql.")
          || name.startsWith("org.sqlite.") || name.startsWith("org.postgresql.")
          || name.startsWith("dev.parallelsessionlock.hook.commands.")
          || name.startsWith("dev.parallelsessionlock.hook.install.")
          || name.matches("io\\.vavr\\.collection\\.(List|Vector|Array|Stream|Queue|Hash|Tree|LinkedHash|Iterator|Collections).*")) {
        bad.add(name);
      }
    }
    return bad;
  }

  /**
   * Runs of this test all descend from one JVM, so every session would find the same agent process and count as
   * its owner; with {@code SESSION_LOCK_OWNER=session} a second session is a real rival and the deny paths run.
   */
  private boolean sessionsAreRivals;
  /** More variables for the hook's runs. */
  private java.util.Map<String, String> extraEnv = java.util.Map.of();
  private Path lastStdout;

  private List<String> loadedBy(String payload, String... args) throws Exception {
    Path log = temp.resolve("classes-" + System.nanoTime() + ".log");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xlog:class+load=info:file=" + log, "-cp", JAR.toString(), "dev.parallelsessionlock.hook.SessionLockMain"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK"));
    builder.environment().put("SESSION_LOCK_DIR", locks.toString());
    builder.environment().put("SESSION_LOCK_WAIT_MS", "0"); // one answer per call; waiting: WaitProcessIT
    if (sessionsAreRivals) {
      builder.environment().put("SESSION_LOCK_OWNER", "session");
    }
    builder.environment().putAll(extraEnv);
    Path stdout = temp.resolve("stdout-" + System.nanoTime());
    builder.redirectOutput(stdout.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
    lastStdout = stdout;
    Process process = builder.start();
    process.getOutputStream().write(payload.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<String> names = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      String[] parts = line.split(" ");
      if (parts.length > 1) {
        names.add(parts[1]);
      }
    }
    return names;
  }

  private String event(String name, String session, String extra) {
    return "{\"hook_event_name\":\"" + name + "\",\"session_id\":\"" + session + "\",\"cwd\":\"" + project
        + "\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"make\",\"timeout\":600000" + extra + "}}";
  }

  @Test
  void everyHookPath_loadsNoLambdaRegexRecordMethodsOrPicocliClass() throws Exception {
    List<List<String>> runs = List.of(
        loadedBy(event("PreToolUse", "alice", ""), "hook"),                       // create
        loadedBy(event("PreToolUse", "alice", ""), "hook"),                       // renew
        loadedBy(event("PreToolUse", "bob", ""), "hook"),                         // deny
        loadedBy(event("PostToolUse", "alice", ",\"x\":\"" + "y".repeat(300_000) + "\""), "hook"), // refresh, skim
        loadedBy(event("Stop", "alice", ""), "hook"),                             // release
        loadedBy("{\"toolName\":\"edit\",\"sessionId\":\"c\",\"cwd\":\"" + project + "\"}", "hook", "--agent",
            "copilot", "preToolUse"),
        loadedBy("{\"session_id\":\"x\",\"turn_id\":\"t\",\"model\":\"m\",\"cwd\":\"" + project + "\","
            + "\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"cat a | wc\"}}",
            "hook", "--agent", "codex"),
        loadedBy("{\"session_id\":\"g\",\"cwd\":\"" + project + "\",\"hook_event_name\":\"BeforeTool\","
            + "\"tool_name\":\"write_file\",\"tool_input\":{}}", "hook", "--agent", "gemini"),
        loadedBy("{\"session_id\":\"alice\",\"cwd\":\"" + project + "\",\"hook_event_name\":\"Stop\","
            + "\"background_tasks\":[{\"status\":\"running\"}]}", "hook"),
        loadedBy("not json", "hook"));

    for (List<String> loaded : runs) {
      assertThat(loaded).as("the hook ran").contains("dev.parallelsessionlock.hook.runtime.HookRunner");
      assertThat(forbidden(loaded)).isEmpty();
    }
  }

  private String edit(String name, String session, String file) {
    return "{\"hook_event_name\":\"" + name + "\",\"session_id\":\"" + session + "\",\"cwd\":\"" + project
        + "\",\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"" + file + "\"}}";
  }

  @Test
  void everyFilesModeEditPath_loadsNoLambdaRegexRecordMethodsOrPicocliClass() throws Exception {
    sessionsAreRivals = true;
    List<String> create = loadedBy(edit("PreToolUse", "alice", "a.txt"), "hook", "--mode", "files");
    List<String> renew = loadedBy(edit("PreToolUse", "alice", "a.txt"), "hook", "--mode", "files");
    List<String> deny = loadedBy(edit("PreToolUse", "bob", "a.txt"), "hook", "--mode", "files");
    assertThat(Files.readString(lastStdout)).as("bob was denied").contains("\"permissionDecision\":\"deny\"");
    List<List<String>> runs = List.of(create, renew, deny,
        loadedBy(edit("PostToolUse", "alice", "a.txt"), "hook", "--mode", "files"),           // refresh
        loadedBy("{\"toolName\":\"edit\",\"sessionId\":\"c\",\"cwd\":\"" + project + "\",\"toolArgs\":{\"path\":"
            + "\"b.txt\"}}", "hook", "--mode", "files", "--agent", "copilot", "preToolUse"),
        loadedBy("{\"session_id\":\"x\",\"turn_id\":\"t\",\"model\":\"m\",\"cwd\":\"" + project + "\","
            + "\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"apply_patch\",\"tool_input\":{\"command\":"
            + "\"*** Begin Patch\\n*** Add File: c.txt\\n+x\\n*** End Patch\\n\"}}", "hook", "--mode", "files",
            "--agent", "codex"),
        loadedBy("{\"session_id\":\"g\",\"cwd\":\"" + project + "\",\"hook_event_name\":\"BeforeTool\","
            + "\"tool_name\":\"write_file\",\"tool_input\":{\"file_path\":\"d.txt\"}}", "hook", "--mode", "files",
            "--agent", "gemini"),
        loadedBy(event("PreToolUse", "bob", ""), "hook", "--mode", "files"));                 // a shell command

    for (List<String> loaded : runs) {
      assertThat(loaded).as("the hook ran").contains("dev.parallelsessionlock.hook.runtime.FilesHook");
      assertThat(forbidden(loaded)).isEmpty();
    }

    // The end of a turn asks git which of the session's files differ from HEAD (KeptFiles): starting a process
    // spins the JDK's own lambdas (ProcessImpl, ProcessHandleImpl), a few milliseconds once per turn, when no tool
    // call waits. Nothing of ours spins a class.
    List<String> stop = loadedBy("{\"hook_event_name\":\"Stop\",\"session_id\":\"alice\",\"cwd\":\"" + project
        + "\"}", "hook", "--mode", "files");
    assertThat(stop).as("the hook ran git").contains("dev.parallelsessionlock.hook.runtime.KeptFiles",
        "dev.parallelsessionlock.hook.runtime.GitStatus");
    assertThat(forbidden(stop)).allMatch(name -> name.startsWith("java.lang.ProcessImpl")
        || name.startsWith("java.lang.ProcessHandleImpl") || name.startsWith("java.lang.invoke.LambdaForm$"));
  }

  /**
   * A call that meets a held key waits in line (LineWait): the watch on the lock directory (inotify) and the tries
   * between its wake-ups, in files and workspace mode, until the budget ends in a denial.
   */
  @Test
  void theWaitInLinePath_loadsNoLambdaRegexRecordMethodsOrPicocliClass() throws Exception {
    sessionsAreRivals = true;
    loadedBy(edit("PreToolUse", "alice", "a.txt"), "hook", "--mode", "files");
    extraEnv = java.util.Map.of("SESSION_LOCK_WAIT_MS", "300");
    List<String> files = loadedBy(edit("PreToolUse", "bob", "a.txt"), "hook", "--mode", "files");
    assertThat(Files.readString(lastStdout)).as("bob waited, then was denied").contains("Waited ", "deny");
    loadedBy(event("Stop", "bob", ""), "hook", "--mode", "files");
    loadedBy(event("PreToolUse", "carol", ""), "hook");
    List<String> workspace = loadedBy(event("PreToolUse", "dave", ""), "hook");
    assertThat(Files.readString(lastStdout)).as("dave waited, then was denied").contains("Waited ", "deny");

    for (List<String> loaded : List.of(files, workspace)) {
      assertThat(loaded).as("the hook waited on a watch").contains(
          "dev.parallelsessionlock.hook.runtime.LineWait$DirectoryChanges");
      assertThat(forbidden(loaded)).isEmpty();
    }
  }

  /**
   * The edit of a file of a task bound to the session moves the task's baseline: a compare-and-swap under the lock
   * directory's guard, on the PostToolUse path.
   */
  @Test
  void theBoundTasksEditPath_loadsNoLambdaRegexRecordMethodsOrPicocliClass() throws Exception {
    Path file = Files.writeString(project.resolve("a.txt"), "before");
    loadedBy("", "snapshot", "--task", "T1", "--session", "alice", "--dir", project.toString(), file.toString());
    Files.writeString(file, "alice's edit");

    List<String> loaded = loadedBy(edit("PostToolUse", "alice", "a.txt"), "hook", "--mode", "files");

    assertThat(loaded).contains("dev.parallelsessionlock.plan.Snapshots");
    List<String> bad = forbidden(loaded);
    // The SHA-256 of the edited file: the JDK's digest reads bytes through VarHandle views, which spin these. The
    // one cost this rare path keeps; nothing of ours spins a class.
    bad.removeIf(name -> name.startsWith("java.lang.invoke.VarHandleByteArrayAs")
        || name.startsWith("java.lang.invoke.LambdaForm$MH/"));
    assertThat(bad).isEmpty();
    loadedBy("", "check", "--task", "T1", "--dir", project.toString());
    assertThat(Files.readString(lastStdout)).as("the edit moved the baseline").isEqualTo("task T1: no file changed since its snapshot\n");
  }

  /**
   * A git command that rewrites the work tree lists the workspace's file locks, through the store's listing
   * (vavr's List, a parallel stream): the one files-mode path allowed to cost more, being rare. Still no
   * picocli and no regex.
   */
  @Test
  void theGitGuardPath_loadsNoPicocliOrRegex() throws Exception {
    sessionsAreRivals = true;
    loadedBy(edit("PreToolUse", "alice", "a.txt"), "hook", "--mode", "files");
    List<String> loaded = loadedBy("{\"hook_event_name\":\"PreToolUse\",\"session_id\":\"bob\",\"cwd\":\""
        + project + "\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"git checkout main\"}}",
        "hook", "--mode", "files");

    assertThat(loaded).contains("dev.parallelsessionlock.hook.runtime.GitCommands");
    assertThat(Files.readString(lastStdout)).as("the checkout was denied").contains("would rewrite the work tree");
    assertThat(loaded).noneMatch(name -> name.startsWith("picocli.") || name.startsWith("java.util.regex."));
  }

  /**
   * Workspace mode and files mode as one namespace: a workspace acquire denied by another session's files (and
   * tried again), granted after listing the work tree's files and settling, a files-mode edit denied by the
   * workspace lease, an edit of several files with its intent record, and an edit that meets the files of an
   * acquire whose writer died half-way and frees them.
   */
  @Test
  void theOneNamespacePaths_loadNoLambdaRegexRecordMethodsOrPicocliClass() throws Exception {
    sessionsAreRivals = true;
    String stop = "{\"hook_event_name\":\"Stop\",\"session_id\":\"%s\",\"cwd\":\"" + project + "\"}";
    loadedBy(edit("PreToolUse", "alice", "a.txt"), "hook", "--mode", "files");
    List<String> workspaceDenied = loadedBy(event("PreToolUse", "bob", ""), "hook");
    assertThat(Files.readString(lastStdout)).as("bob was denied by alice's file").contains("files mode");
    loadedBy(String.format(stop, "alice"), "hook", "--mode", "files");
    List<String> workspaceGranted = loadedBy(event("PreToolUse", "bob", ""), "hook");
    List<String> filesDenied = loadedBy(edit("PreToolUse", "alice", "a.txt"), "hook", "--mode", "files");
    assertThat(Files.readString(lastStdout)).as("alice was denied by bob's lease").contains("workspace mode");
    loadedBy(event("Stop", "bob", ""), "hook");
    List<String> severalFiles = loadedBy("{\"session_id\":\"carol\",\"turn_id\":\"t\",\"model\":\"m\",\"cwd\":\""
        + project + "\",\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"apply_patch\",\"tool_input\":{"
        + "\"command\":\"*** Begin Patch\\n*** Add File: c.txt\\n+x\\n*** Add File: d.txt\\n+y\\n*** End Patch\\n\"}}",
        "hook", "--mode", "files", "--agent", "codex");
    plantAbandonedAcquire("x.txt");
    List<String> abandonedFreed = loadedBy(edit("PreToolUse", "dave", "x.txt"), "hook", "--mode", "files");
    assertThat(Files.readString(lastStdout)).as("dave got the abandoned file").doesNotContain("deny");

    for (List<String> loaded : List.of(workspaceDenied, workspaceGranted, filesDenied, severalFiles, abandonedFreed)) {
      assertThat(loaded).as("the hook ran").contains("dev.parallelsessionlock.hook.runtime.HookRunner");
      assertThat(forbidden(loaded)).isEmpty();
    }
  }

  /**
   * What {@code files acquire} killed half-way leaves: its intent record, naming a writer process that has exited,
   * and {@code file} taken by it, tagged with its attempt.
   */
  private void plantAbandonedAcquire(String file) throws Exception {
    Process exited = new ProcessBuilder("true").start();
    dev.parallelsessionlock.core.ProcessRef writer = dev.parallelsessionlock.process.LocalProcesses.of(exited.toHandle());
    exited.waitFor();
    String attempt = "0123456789abcdef0123";
    java.time.Instant now = java.time.Instant.now();
    dev.parallelsessionlock.core.WorkspaceHash hash = dev.parallelsessionlock.core.WorkspaceHash.of(project.toRealPath().toString());
    io.vavr.control.Option<String> none = io.vavr.control.Option.none();
    dev.parallelsessionlock.core.LockRecord intent = new dev.parallelsessionlock.core.LockRecord(1, "task:T", writer,
        now, java.time.Duration.ofMinutes(5), now, 1, new dev.parallelsessionlock.core.LockRecord.Details(
            io.vavr.control.Option.some(dev.parallelsessionlock.core.LockKey.filePrefix(hash)), none,
            io.vavr.control.Option.some("T"), none, none, io.vavr.control.Option.some(attempt), io.vavr.control.Option.none()));
    String path = project.toRealPath().resolve(file).toString();
    dev.parallelsessionlock.core.LockRecord taken = new dev.parallelsessionlock.core.LockRecord(1, "task:T",
        dev.parallelsessionlock.process.LocalProcesses.current(), now, java.time.Duration.ofMinutes(5), now, 1,
        new dev.parallelsessionlock.core.LockRecord.Details(io.vavr.control.Option.some(path), none,
            io.vavr.control.Option.some("T"), none, none, io.vavr.control.Option.some(attempt), io.vavr.control.Option.none()));
    Files.write(locks.resolve("intent-" + attempt + ".json"), dev.parallelsessionlock.store.RecordCodec.encode(intent));
    Files.write(locks.resolve(dev.parallelsessionlock.core.LockKey.file(hash, path).name() + ".json"),
        dev.parallelsessionlock.store.RecordCodec.encode(taken));
  }

  /**
   * A database store through its resident helper: the hook loads no JDBC class, no regex, vavr collection, record
   * method or picocli class; the only lambdas are the JDK's own behind {@code SocketChannel.open}.
   */
  @Test
  void theStoreHelperPath_loadsNoJdbcLambdaRegexRecordMethodsOrPicocliClass() throws Exception {
    extraEnv = java.util.Map.of("SESSION_LOCK_STORE", "jdbc:sqlite:" + temp.resolve("helper.db"),
        "XDG_RUNTIME_DIR", temp.resolve("run").toString());
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", JAR.toString(), "dev.parallelsessionlock.hook.SessionLockMain", "store-helper")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("SESSION_LOCK"));
    builder.environment().putAll(extraEnv);
    Process helper = builder.start();
    try {
      dev.parallelsessionlock.hook.runtime.resident.HelperPaths paths = dev.parallelsessionlock.hook.runtime.resident.HelperPaths.of(
          extraEnv, extraEnv.get("SESSION_LOCK_STORE"));
      long until = System.nanoTime() + 60_000_000_000L;
      while (dev.parallelsessionlock.hook.runtime.resident.Helpers.whoServes(paths) == null && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      sessionsAreRivals = true;
      List<List<String>> runs = List.of(
          loadedBy(edit("PreToolUse", "alice", project + "/a.txt"), "hook"),                    // create
          loadedBy(edit("PreToolUse", "alice", project + "/a.txt"), "hook"),                    // renew
          loadedBy(edit("PreToolUse", "bob", project + "/a.txt"), "hook"),                      // deny
          loadedBy(edit("PreToolUse", "alice", project + "/a.txt"), "hook", "--mode", "files"), // files mode
          loadedBy(event("Stop", "alice", ""), "hook"));                                          // release

      for (List<String> loaded : runs) {
        assertThat(loaded).as("the hook ran through the helper").contains("dev.parallelsessionlock.hook.runtime.HookRunner",
            "dev.parallelsessionlock.hook.runtime.resident.ResidentStore");
        assertThat(forbidden(loaded)).as("beyond the JDK's own lambdas behind SocketChannel.open, which no Unix socket"
            + " avoids on Java 17 (install's database archive holds their classes)").allMatch(name ->
            name.startsWith("java.nio.channels.spi.SelectorProvider$Holder$$Lambda$")
                || name.startsWith("sun.nio.ch.DefaultSelectorProvider$$Lambda$")
                || name.startsWith("sun.nio.ch.UnixDomainSocketsUtil$$Lambda$")
                || name.startsWith("java.lang.invoke.LambdaForm$"));
        assertThat(forbidden(loaded)).as("none of this project's").noneMatch(name -> name.startsWith("dev."));
      }
      assertThat(Files.readString(lastStdout)).isEmpty();
    } finally {
      helper.destroy();
      helper.waitFor();
    }
  }

  @Test
  void theWakerPath_ofASessionWaitingForNothing_loadsNoLambdaRegexRecordMethodsOrPicocliClass() throws Exception {
    sessionsAreRivals = true;
    loadedBy(edit("PreToolUse", "alice", "src/A.java"), "hook", "--mode", "files");
    String stop = "{\"hook_event_name\":\"Stop\",\"session_id\":\"bob\",\"cwd\":\"" + project
        + "\",\"stop_hook_active\":false}";

    List<List<String>> runs = List.of(
        loadedBy(stop, "hook", "--agent", "claude", "--wake"),
        loadedBy(stop, "hook", "--mode", "files", "--agent", "claude", "--wake"),
        loadedBy("not json", "hook", "--agent", "claude", "--wake"));

    for (List<String> loaded : runs) {
      assertThat(loaded).as("the waker ran").contains("dev.parallelsessionlock.hook.runtime.Rewake")
          .doesNotContain("dev.parallelsessionlock.hook.runtime.HookRunner");
      assertThat(forbidden(loaded)).isEmpty();
    }
  }

  @Test
  void theCheck_findsWhatItLooksFor_inACommandThatUsesLambdas() throws Exception {
    List<String> loaded = loadedBy("", "list");

    assertThat(forbidden(loaded)).as("the command path uses lambdas; the check must see them").isNotEmpty();
  }
}
