package dev.parallelsessionlock.hook.install;

import dev.parallelsessionlock.hook.ExitCodes;
import dev.parallelsessionlock.hook.runtime.Agent;
import dev.parallelsessionlock.hook.runtime.Hints;
import dev.parallelsessionlock.hook.runtime.ShellCommands;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import com.grack.nanojson.JsonWriter;
import dev.parallelsessionlock.store.AtomicWrite;
import dev.parallelsessionlock.store.IoErrors;
import io.vavr.collection.List;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code install} and {@code uninstall}: a stable copy of the executable, and one agent's hook registrations.
 *
 * <ul>
 *   <li>The jar, a launcher with absolute paths, a start-up archive and its stamp (the java it belongs to) go to
 *       the install home ({@code SESSION_LOCK_HOME}, default {@code ~/.local/share/parallel-session-lock}), so
 *       the registered command keeps working when the build tree is cleaned or moved.</li>
 *   <li>Settings are edited as text ({@link SettingsEdit}): only our entries change, a second run changes
 *       nothing, install then uninstall gives back the same bytes. A symlinked settings file is written through
 *       to its target; the file keeps its mode. A malformed file is reported in one line and left untouched.</li>
 *   <li>Backups of every file changed go to {@code <install home>/backups}, never into the work tree, at most
 *       {@value #BACKUPS_KEPT} per file.</li>
 *   <li>Files and folders install creates are recorded ({@code <install home>/created}); uninstall removes a
 *       created file that holds nothing else any more and a created folder left empty.</li>
 * </ul>
 */
public final class Installer {

  public enum Scope { PROJECT, LOCAL, USER }

  /** An error for a person, with the exit code it maps to. */
  public record Failure(int exitCode, String message) {}

  static final String MAIN_CLASS = "dev.parallelsessionlock.hook.SessionLockMain";
  static final int BACKUPS_KEPT = 5;
  private static final String EXCLUDE_LINES = "# parallel-session-lock: Claude Code's local settings\n"
      + ".claude/settings.local.json\n";

  private final Path workspace;
  private final Path home;
  private final Path installHome;
  private final Map<String, String> env;
  /** Where install says what it is doing while it does it (the start-up archives take seconds each). */
  private java.io.PrintStream progress = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());

  public Installer(Path workspace, Path home, Path installHome, Map<String, String> env) {
    this.workspace = workspace;
    this.home = home;
    this.installHome = installHome;
    this.env = env;
  }

  /** Says each slow step on {@code stream} as it starts, and how long it took when it is done. */
  public Installer progressTo(java.io.PrintStream stream) {
    this.progress = stream;
    return this;
  }

  /** {@code SESSION_LOCK_HOME} (made absolute), else {@code $XDG_DATA_HOME/parallel-session-lock}. */
  public static Path defaultInstallHome(Map<String, String> env, Path home, Path cwd) {
    return Hints.installHome(env, home, cwd);
  }

  public Path launcher() {
    return installHome.resolve("bin").resolve("session-lock");
  }

  Path installHome() {
    return installHome;
  }

  /** Where {@code agent} reads hooks of {@code scope}; a combination the agent does not have is refused. */
  Either<Failure, Path> settingsFile(Agent agent, Scope scope) {
    switch (agent) {
      case COPILOT:
        if (scope == Scope.LOCAL) {
          return refuse("Copilot CLI has no local scope for hooks: use --scope project (.github/hooks) or user");
        }
        return Either.right(scope == Scope.USER
            ? copilotHome().resolve("hooks").resolve("session-lock.json")
            : workspace.resolve(".github").resolve("hooks").resolve("session-lock.json"));
      case CODEX:
        if (scope == Scope.LOCAL) {
          return refuse("Codex has no local scope for hooks: use --scope project (.codex/hooks.json) or user");
        }
        return Either.right(scope == Scope.USER ? codexHome().resolve("hooks.json")
            : workspace.resolve(".codex").resolve("hooks.json"));
      case GEMINI:
        if (scope == Scope.LOCAL) {
          return refuse("Gemini CLI has no local scope for settings: use --scope project (.gemini) or user");
        }
        return Either.right(scope == Scope.USER ? home.resolve(".gemini").resolve("settings.json")
            : workspace.resolve(".gemini").resolve("settings.json"));
      default:
        switch (scope) {
          case USER:
            return Either.right(home.resolve(".claude").resolve("settings.json"));
          case LOCAL:
            return Either.right(workspace.resolve(".claude").resolve("settings.local.json"));
          default:
            return Either.right(workspace.resolve(".claude").resolve("settings.json"));
        }
    }
  }

  private static <T> Either<Failure, T> refuse(String why) {
    return Either.left(new Failure(ExitCodes.USAGE, why));
  }

  /** {@code $COPILOT_HOME}, else {@code ~/.copilot} (its user hooks folder is {@code hooks/}). */
  Path copilotHome() {
    String explicit = env.get("COPILOT_HOME");
    return explicit != null && !explicit.isBlank() ? Path.of(explicit) : home.resolve(".copilot");
  }

  /** {@code $CODEX_HOME}, else {@code ~/.codex}. */
  Path codexHome() {
    String explicit = env.get("CODEX_HOME");
    return explicit != null && !explicit.isBlank() ? Path.of(explicit) : home.resolve(".codex");
  }

  /**
   * What to register: an agent, a scope, and the mode ({@code filesMode}: {@code hook --mode files}).
   */
  public record Target(Agent agent, Scope scope, boolean filesMode) {}

  /** Installs in workspace mode. */
  Either<Failure, List<String>> install(Agent agent, Scope scope, Path sourceJar, Path javaBinary, boolean trust) {
    return install(new Target(agent, scope, false), sourceJar, javaBinary, trust);
  }

  /** Installs the executable from {@code sourceJar} and registers the hooks; returns lines for the person. */
  public Either<Failure, List<String>> install(Target target, Path sourceJar, Path javaBinary, boolean trust) {
    Agent agent = target.agent();
    Scope scope = target.scope();
    Either<Failure, Path> located = settingsFile(agent, scope);
    if (located.isLeft()) {
      return Either.left(located.getLeft());
    }
    Path file = located.get();
    Either<Failure, String> current = readText(file);
    if (current.isLeft()) {
      return Either.left(current.getLeft());
    }
    String launcher = launcher().toString();
    Either<String, String> wanted = agent == Agent.COPILOT
        ? copilotFile(current.get(), launcher, true, target.filesMode())
        : SettingsEdit.install(current.get(), agent, launcher, target.filesMode());
    if (wanted.isLeft()) {
      return Either.left(malformed(file, wanted.getLeft()));
    }
    List<String> lines = List.empty();
    try {
      lines = lines.appendAll(installBinaries(sourceJar, javaBinary));
      lines = lines.append(write(file, current.get(), wanted.get(), "registered the " + agent.id + " hooks ("
          + (target.filesMode() ? "files" : "workspace") + " mode) in"));
      if (scope == Scope.LOCAL) {
        lines = lines.appendAll(excludeFromGit());
      }
      recordRegistration(file);
      if (agent == Agent.CODEX) {
        lines = lines.appendAll(trust ? CodexTrust.trust(this, file, wanted.get())
            : List.of("Codex runs a hook only after you trust it: open codex and review it in /hooks, or run: "
                + reinstall(target) + " --trust" + (scope == Scope.PROJECT
                ? " (Codex loads project hooks only in a project it trusts)" : "")));
      }
    } catch (IOException e) {
      return Either.left(new Failure(ExitCodes.UNAVAILABLE, "install failed: " + describe(e)));
    }
    lines = lines.append("check it: " + Hints.command(ShellCommands.quote(launcher), "doctor", "--dir",
        workspace.toString()));
    return Either.right(lines);
  }

  /** The command that installs {@code target} here again, with the installed launcher ({@link Hints}). */
  String reinstall(Target target) {
    return Hints.command(ShellCommands.quote(launcher().toString()), "install", "--dir", workspace.toString(),
        "--agent", target.agent().id, "--scope", target.scope().name().toLowerCase(java.util.Locale.ROOT), "--mode",
        target.filesMode() ? "files" : "workspace");
  }

  /**
   * Registers Claude Code's {@code WorktreeCreate} and {@code WorktreeRemove} hooks ({@code session-lock worktree
   * create --hook} / {@code remove --hook}) in the settings of {@code scope}. Create is not fail-open (Claude Code
   * needs the path); a missing launcher fails the creation with one line.
   */
  public Either<Failure, List<String>> installWorktreeHooks(Scope scope) {
    Either<Failure, Path> located = settingsFile(Agent.CLAUDE, scope);
    if (located.isLeft()) {
      return Either.left(located.getLeft());
    }
    Path file = located.get();
    Either<Failure, String> current = readText(file);
    if (current.isLeft()) {
      return Either.left(current.getLeft());
    }
    String launcher = ShellCommands.quote(launcher().toString());
    String text = current.get().isBlank() ? "{}" : current.get();
    try {
      JsonParser.object().from(text);
    } catch (JsonParserException e) {
      return Either.left(malformed(file, "is not a JSON object"));
    }
    text = SettingsEdit.ensureGroup(text, "WorktreeCreate", worktreeGroup("f=" + launcher + "; [ -x \"$f\" ] && exec \"$f\" "
        + "worktree create --hook; echo 'session-lock: its launcher is missing; the worktree was not created' >&2; exit 1 "
        + HookRegistrations.MARKER));
    text = SettingsEdit.ensureGroup(text, "WorktreeRemove", worktreeGroup("f=" + launcher + "; [ -x \"$f\" ] && exec \"$f\" "
        + "worktree remove --hook; exit 0 " + HookRegistrations.MARKER));
    try {
      List<String> lines = List.of(write(file, current.get(), text, "registered the worktree hooks in"));
      recordRegistration(file);
      return Either.right(lines);
    } catch (IOException e) {
      return Either.left(new Failure(ExitCodes.UNAVAILABLE, "install failed: " + describe(e)));
    }
  }

  private static JsonObject worktreeGroup(String command) {
    JsonObject handler = new JsonObject();
    handler.put("type", "command");
    handler.put("command", command);
    handler.put("timeout", 600);
    JsonObject group = new JsonObject();
    group.put("hooks", new com.grack.nanojson.JsonArray(java.util.List.of(handler)));
    return group;
  }

  /** Removes exactly what install added for {@code agent} and {@code scope}. */
  Either<Failure, List<String>> uninstall(Agent agent, Scope scope) {
    return uninstall(agent, scope, false);
  }

  /**
   * Removes exactly what install added for {@code agent} and {@code scope}, and with {@code purge} the install
   * home too. Everything that could refuse is checked first: a refused uninstall changes no file.
   */
  public Either<Failure, List<String>> uninstall(Agent agent, Scope scope, boolean purge) {
    Either<Failure, Path> located = settingsFile(agent, scope);
    if (located.isLeft()) {
      return Either.left(located.getLeft());
    }
    Path file = located.get();
    Either<Failure, String> current = readText(file);
    if (current.isLeft()) {
      return Either.left(current.getLeft());
    }
    Either<String, String> wanted = !Files.exists(file) ? Either.right("")
        : agent == Agent.COPILOT
            ? copilotFile(current.get(), launcher().toString(), false, false)
            : SettingsEdit.uninstall(current.get());
    if (wanted.isLeft()) {
      return Either.left(malformed(file, wanted.getLeft()));
    }
    if (purge) {
      Either<Failure, List<String>> blockers = purgeBlockers(file, wanted.get());
      if (blockers.isLeft()) {
        return blockers;
      }
      if (!blockers.get().isEmpty()) {
        return Either.left(new Failure(ExitCodes.UNAVAILABLE, "not purging " + installHome
            + ": these settings still run its launcher (uninstall them first): " + String.join(", ", blockers.get())
            + "; nothing was changed"));
      }
    }
    Either<Failure, List<String>> removed = removeRegistration(agent, scope, file, current.get(), wanted.get());
    if (removed.isLeft() || !purge) {
      return removed;
    }
    Either<Failure, List<String>> purged = purge();
    return purged.isLeft() ? purged : Either.right(removed.get().appendAll(purged.get()));
  }

  private Either<Failure, List<String>> removeRegistration(Agent agent, Scope scope, Path file, String current,
      String wanted) {
    if (!Files.exists(file)) {
      return Either.right(List.of("nothing to remove: " + file + " does not exist"));
    }
    if (wanted.equals(current)) {
      return Either.right(List.of("nothing to remove: " + file + " holds no session-lock hooks"));
    }
    List<String> lines = List.empty();
    try {
      if (agent == Agent.CODEX) {
        lines = lines.appendAll(CodexTrust.untrust(this, file, current));
      }
      Created created = Created.load(installHome);
      if (created.contains(file) && SettingsEdit.isEmptyObject(wanted)) {
        backup(file);
        Files.delete(file);
        created.remove(file);
        lines = lines.append("removed " + file + " (install had created it)");
        lines = lines.appendAll(created.removeEmptyFolders(file.getParent()));
        created.save();
      } else {
        lines = lines.append(write(file, current, wanted, "removed the " + agent.id + " hooks from"));
      }
      if (scope == Scope.LOCAL) {
        lines = lines.appendAll(includeInGitAgain());
      }
    } catch (IOException e) {
      return Either.left(new Failure(ExitCodes.UNAVAILABLE, "uninstall failed: " + describe(e)));
    }
    return Either.right(lines);
  }

  /**
   * Removes the install home, unless a settings file still points at its launcher: then it names them and
   * removes nothing.
   */
  Either<Failure, List<String>> purge() {
    if (!Files.exists(installHome)) {
      return Either.right(List.of("nothing to purge: " + installHome + " does not exist"));
    }
    Either<Failure, List<String>> blockers = purgeBlockers(null, "");
    if (blockers.isLeft()) {
      return blockers;
    }
    if (!blockers.get().isEmpty()) {
      return Either.left(new Failure(ExitCodes.UNAVAILABLE, "not purging " + installHome
          + ": these settings still run its launcher (uninstall them first): " + String.join(", ", blockers.get())));
    }
    TempTrees.delete(installHome);
    return Either.right(List.of("removed " + installHome));
  }

  /**
   * The settings files that would still run this install's launcher, reading {@code file} (when not null) as
   * {@code after}, the text it is about to get.
   */
  private Either<Failure, List<String>> purgeBlockers(Path file, String after) {
    List<String> stillUsed = List.empty();
    try {
      for (String line : registrations()) {
        Path registered = Path.of(line);
        String text = file != null && registered.equals(file.toAbsolutePath()) ? after
            : Files.isRegularFile(registered) ? Files.readString(registered) : "";
        if (text.contains(launcher().toString())) {
          stillUsed = stillUsed.append(line);
        }
      }
    } catch (IOException e) {
      return Either.left(new Failure(ExitCodes.UNAVAILABLE, "purge failed: " + describe(e) + "; nothing was changed"));
    }
    return Either.right(stillUsed);
  }

  // ---- settings files ---------------------------------------------------------------------------------

  private static Failure malformed(Path file, String why) {
    return new Failure(ExitCodes.MALFORMED, file + ": " + why + "; left untouched");
  }

  private static Either<Failure, String> readText(Path file) {
    if (!Files.exists(file)) {
      return Either.right("");
    }
    try {
      return Either.right(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return Either.left(new Failure(ExitCodes.MALFORMED, file + " cannot be read (" + describe(e) + "); left untouched"));
    }
  }

  /** The whole Copilot hooks file (ours): with our entries, or without them (empty text when nothing is left). */
  private static Either<String, String> copilotFile(String text, String launcher, boolean install, boolean filesMode) {
    JsonObject current = new JsonObject();
    if (!text.isBlank()) {
      try {
        current = JsonParser.object().from(text);
      } catch (JsonParserException e) {
        return Either.left("is not a JSON object (" + e.getMessage().replace('\n', ' ') + ")");
      }
    }
    Either<String, JsonObject> without = HookRegistrations.withoutCopilotHooks(current);
    if (without.isLeft()) {
      return Either.left(without.getLeft());
    }
    JsonObject rest = without.get();
    boolean othersLeft = rest.get("hooks") instanceof JsonObject && !((JsonObject) rest.get("hooks")).isEmpty();
    if (!install) {
      return Either.right(othersLeft ? render(rest) : "{}");
    }
    JsonObject wanted = HookRegistrations.copilotHooksFile(launcher, filesMode);
    if (othersLeft) {
      ((JsonObject) rest.get("hooks")).forEach((event, handlers) -> ((JsonObject) wanted.get("hooks"))
          .merge(event, handlers, (ours, theirs) -> {
            com.grack.nanojson.JsonArray all = new com.grack.nanojson.JsonArray();
            all.addAll((com.grack.nanojson.JsonArray) theirs);
            all.addAll((com.grack.nanojson.JsonArray) ours);
            return all;
          }));
    }
    String rendered = render(wanted);
    return Either.right(!text.isBlank() && sameJson(text, wanted) ? text : rendered);
  }

  private static String render(JsonObject value) {
    return JsonWriter.indent("  ").string().value(value).done() + "\n";
  }

  private static boolean sameJson(String text, JsonObject value) {
    try {
      return JsonParser.object().from(text).equals(value);
    } catch (JsonParserException e) {
      return false;
    }
  }

  /**
   * Writes {@code after} over {@code file} when it differs: through a symlink to its target, with the old mode,
   * by temp file and rename, after a backup under the install home. Records the folders and the file it creates.
   */
  String write(Path file, String before, String after, String verb) throws IOException {
    if (Files.exists(file) && before.equals(after)) {
      return "already up to date: " + file;
    }
    Path target = realTarget(file);
    Created created = Created.load(installHome);
    created.createDirectories(target.getParent());
    boolean existed = Files.exists(target);
    String backupNote = existed ? " (backup: " + backup(target) + ")" : "";
    AtomicWrite.write(target, after.getBytes(StandardCharsets.UTF_8), AtomicWrite.Mode.KEEP, /* durable= */ false);
    if (!existed) {
      created.add(target);
    }
    created.save();
    return verb + " " + file + (target.equals(file) ? "" : " (through the link, to " + target + ")") + backupNote;
  }

  /** The file a settings path names: its link target when it is a symlink (even a dangling one). */
  static Path realTarget(Path file) throws IOException {
    Path current = file;
    for (int hops = 0; Files.isSymbolicLink(current) && hops < 40; hops++) {
      Path link = Files.readSymbolicLink(current);
      current = current.toAbsolutePath().getParent().resolve(link).normalize();
    }
    return current;
  }

  /** Copies {@code file} to the install home's backups, keeping the newest {@value #BACKUPS_KEPT} of it. */
  String backup(Path file) throws IOException {
    Path dir = Files.createDirectories(installHome.resolve("backups"));
    String base = file.toAbsolutePath().toString().replace('/', '%').replace('\\', '%');
    String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS")
        .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
    Path backup = dir.resolve(base + "." + stamp);
    Files.copy(file, backup, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    java.util.List<Path> mine = new java.util.ArrayList<>();
    try (var entries = Files.list(dir)) {
      entries.filter(p -> p.getFileName().toString().startsWith(base + ".")).forEach(mine::add);
    }
    mine.sort(java.util.Comparator.comparing(Path::toString));
    for (int i = 0; i < mine.size() - BACKUPS_KEPT; i++) {
      Files.deleteIfExists(mine.get(i));
    }
    return backup.toString();
  }

  // ---- git exclude for local settings -----------------------------------------------------------------

  private Option<Path> gitExclude() {
    Path git = workspace.resolve(".git");
    return Files.isDirectory(git) ? Option.some(git.resolve("info").resolve("exclude")) : Option.none();
  }

  private List<String> excludeFromGit() throws IOException {
    Option<Path> exclude = gitExclude();
    if (exclude.isEmpty()) {
      return List.of("not a git checkout (or a linked worktree): add .claude/settings.local.json to your ignore"
          + " rules yourself");
    }
    String text = Files.exists(exclude.get()) ? Files.readString(exclude.get()) : "";
    if (text.contains(EXCLUDE_LINES)) {
      return List.empty();
    }
    Files.createDirectories(exclude.get().getParent());
    Files.writeString(exclude.get(), text + (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + EXCLUDE_LINES);
    return List.of("kept .claude/settings.local.json out of git (" + exclude.get() + ")");
  }

  private List<String> includeInGitAgain() throws IOException {
    Option<Path> exclude = gitExclude();
    if (exclude.isEmpty() || !Files.exists(exclude.get())) {
      return List.empty();
    }
    String text = Files.readString(exclude.get());
    if (!text.contains(EXCLUDE_LINES)) {
      return List.empty();
    }
    Files.writeString(exclude.get(), text.replace(EXCLUDE_LINES, ""));
    return List.of("removed the .claude/settings.local.json line install added to " + exclude.get());
  }

  // ---- bookkeeping ------------------------------------------------------------------------------------

  private void recordRegistration(Path file) throws IOException {
    java.util.List<String> lines = registrations();
    String path = file.toAbsolutePath().toString();
    if (!lines.contains(path)) {
      Files.createDirectories(installHome);
      Files.writeString(installHome.resolve("registrations"), path + "\n", StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }
  }

  /** Every settings file an install from this home wrote to (it may have been uninstalled since). */
  java.util.List<String> registrations() throws IOException {
    Path list = installHome.resolve("registrations");
    return Files.exists(list) ? Files.readAllLines(list) : java.util.List.of();
  }

  /** The files and folders install created, so uninstall can remove exactly those. */
  static final class Created {
    private final Path list;
    private final java.util.List<String> paths;

    private Created(Path list, java.util.List<String> paths) {
      this.list = list;
      this.paths = paths;
    }

    static Created load(Path installHome) throws IOException {
      Path list = installHome.resolve("created");
      return new Created(list, Files.exists(list) ? new java.util.ArrayList<>(Files.readAllLines(list))
          : new java.util.ArrayList<>());
    }

    boolean contains(Path path) {
      return paths.contains(path.toAbsolutePath().toString());
    }

    void add(Path path) {
      if (!contains(path)) {
        paths.add(path.toAbsolutePath().toString());
      }
    }

    void remove(Path path) {
      paths.remove(path.toAbsolutePath().toString());
    }

    /** Creates the missing folders of {@code dir}, recording each one created. */
    void createDirectories(Path dir) throws IOException {
      java.util.Deque<Path> missing = new java.util.ArrayDeque<>();
      for (Path d = dir.toAbsolutePath(); d != null && !Files.exists(d); d = d.getParent()) {
        missing.push(d);
      }
      for (Path d : missing) {
        Files.createDirectory(d);
        add(d);
      }
    }

    /** Removes {@code dir} and its parents while install created them and they are empty. */
    List<String> removeEmptyFolders(Path dir) throws IOException {
      List<String> removed = List.empty();
      for (Path d = dir.toAbsolutePath(); d != null && contains(d) && Files.isDirectory(d); d = d.getParent()) {
        try (var entries = Files.list(d)) {
          if (entries.findAny().isPresent()) {
            break;
          }
        }
        Files.delete(d);
        remove(d);
        removed = removed.append("removed the empty folder " + d + " (install had created it)");
      }
      return removed;
    }

    void save() throws IOException {
      Files.createDirectories(list.getParent());
      Files.write(list, paths, StandardCharsets.UTF_8);
    }
  }

  // ---- binaries -----------------------------------------------------------------------------------------

  public List<String> installBinaries(Path sourceJar, Path javaBinary) throws IOException {
    Path java = realJava(javaBinary);
    Path lib = Files.createDirectories(installHome.resolve("lib"));
    Files.createDirectories(installHome.resolve("bin"));
    Path jar = lib.resolve("session-lock.jar");
    Path archive = lib.resolve("session-lock.jsa");
    Path aotCache = lib.resolve("session-lock.aot");
    Path stamp = lib.resolve("session-lock.stamp");
    List<String> lines = List.empty();
    boolean jarChanged = !Files.exists(jar) || !Arrays.equals(Files.readAllBytes(jar), Files.readAllBytes(sourceJar));
    if (jarChanged) {
      // Atomic rename: a hook running the old jar keeps its open file; the next one starts the new jar.
      writeAtomically(jar, Files.readAllBytes(sourceJar));
      lines = lines.append("installed " + jar);
    }
    Path sqlite = lib.resolve("sqlite").resolve(dev.parallelsessionlock.jdbc.JdbcStores.SQLITE_NATIVE_LIBRARY);
    if (jarChanged || !Files.exists(sqlite)) {
      unpackSqlite(jar, sqlite);
    }
    String script = launcherScript(java, jar, archive);
    Path launcher = launcher();
    boolean scriptChanged = !Files.exists(launcher) || !Files.readString(launcher).equals(script);
    if (scriptChanged) {
      writeAtomically(launcher, script.getBytes(StandardCharsets.UTF_8));
      lines = lines.append("installed " + launcher);
    }
    try {
      Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (UnsupportedOperationException notPosix) {
      launcher.toFile().setExecutable(true);
    }
    String wantedStamp = javaStamp(java);
    boolean stampChanged = !Files.exists(stamp) || !Files.readString(stamp).trim().equals(wantedStamp);
    boolean aot = ClassDataArchive.javaFeatureVersion(java) >= 25;
    Path wanted = aot ? aotCache : archive;
    if (jarChanged || scriptChanged || stampChanged || !Files.exists(wanted)) {
      // Only one of the two may exist: the launcher prefers the AOT cache.
      Files.deleteIfExists(aot ? archive : aotCache);
      long started = System.nanoTime();
      progress.print("session-lock: building the hook's start-up archive (" + (aot ? "an AOT cache" : "1 of 3")
          + ", once per install)... ");
      progress.flush();
      Either<String, Path> built = aot
          ? ClassDataArchive.buildAotCache(java, jar, aotCache)
          : ClassDataArchive.build(java, jar, archive);
      progress.println(took(built, started));
      writeAtomically(stamp, (wantedStamp + "\n").getBytes(StandardCharsets.UTF_8));
      lines = lines.append(built.isRight()
          ? "built the start-up archive " + built.get() + " for " + wantedStamp
          : "no start-up archive (" + built.getLeft() + "); the hook runs, only slower");
      Path commandsArchive = lib.resolve("session-lock-commands.jsa");
      Files.deleteIfExists(commandsArchive);
      Path databaseArchive = lib.resolve("session-lock-db.jsa");
      Files.deleteIfExists(databaseArchive);
      if (!aot && built.isRight()) {
        started = System.nanoTime();
        progress.print("session-lock: building the commands' start-up archive (2 of 3)... ");
        progress.flush();
        Either<String, Path> commands = ClassDataArchive.buildForCommands(java, jar, commandsArchive);
        progress.println(took(commands, started));
        if (commands.isLeft()) {
          lines = lines.append("no start-up archive for the commands (" + commands.getLeft() + "); they run, only slower");
        }
        started = System.nanoTime();
        progress.print("session-lock: building the database store's start-up archive (3 of 3)... ");
        progress.flush();
        Either<String, Path> database = ClassDataArchive.buildForDatabase(java, jar, databaseArchive);
        progress.println(took(database, started));
        if (database.isLeft()) {
          lines = lines.append("no start-up archive for a database store (" + database.getLeft()
              + "); it runs, only slower");
        }
      }
    }
    return lines;
  }

  /**
   * Unpacks SQLite's native library for this machine from the installed jar to {@code target}, which the launcher
   * then names to the driver (a database store's hook no longer unpacks its own copy into the temp folder on every
   * start). Nothing when the jar has none for this machine: the driver then finds its own as before.
   */
  static void unpackSqlite(Path jar, Path target) throws IOException {
    Files.deleteIfExists(target);
    try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
      java.util.zip.ZipEntry entry = zip.getEntry(dev.parallelsessionlock.jdbc.JdbcStores.sqliteNativeLibraryEntry());
      if (entry == null) {
        return;
      }
      Files.createDirectories(target.getParent());
      try (java.io.InputStream in = zip.getInputStream(entry)) {
        writeAtomically(target, in.readAllBytes());
      }
    } catch (java.util.zip.ZipException notAJar) {
      // nothing to unpack from: the driver unpacks its own copy as before
    }
  }

  /** {@code done in 9.6 s}, or {@code failed after 0.2 s}: the end of a progress line. */
  private static String took(Either<String, Path> outcome, long startedNanos) {
    long tenths = (System.nanoTime() - startedNanos) / 100_000_000L;
    return (outcome.isRight() ? "done in " : "failed after ") + tenths / 10 + "." + tenths % 10 + " s";
  }

  /** The java binary with links resolved, so the launcher finds its {@code release} file beside it. */
  static Path realJava(Path javaBinary) {
    try {
      return javaBinary.toRealPath();
    } catch (IOException e) {
      return javaBinary.toAbsolutePath();
    }
  }

  /**
   * What the launcher compares before it uses the archive: the java path and its {@code JAVA_VERSION} line, as
   * the launcher reads them ({@code ${JAVA%/bin/java}/release}).
   */
  static String javaStamp(Path java) {
    String version = "";
    Path release = Path.of(java.toString().replaceFirst("/bin/java$", "")).resolve("release");
    try {
      for (String line : Files.readAllLines(release)) {
        if (line.startsWith("JAVA_VERSION=")) {
          version = line;
        }
      }
    } catch (IOException | RuntimeException noRelease) {
      version = "";
    }
    return java + " " + version;
  }

  private static void writeAtomically(Path file, byte[] bytes) throws IOException {
    AtomicWrite.write(file, bytes, AtomicWrite.Mode.KEEP, /* durable= */ false);
  }

  /** The installed launcher: the build tree's script with its paths fixed at install time. */
  static String launcherScript(Path javaBinary, Path jar, Path archive) {
    return "#!/bin/sh\n"
        + "# parallel-session-lock launcher, written by 'session-lock install'.\n"
        + "JAVA=" + ShellCommands.quote(javaBinary.toString()) + "\n"
        + "JAR=" + ShellCommands.quote(jar.toString()) + "\n"
        + "JSA=" + ShellCommands.quote(archive.toString()) + "\n"
        + LauncherBody.TEXT;
  }

  /** One line for a person: what failed and on which file, no exception class names. */
  public static String describe(IOException e) {
    return IoErrors.describe(e);
  }

  /** Waits for a process, killing it after {@code seconds}. */
  static boolean waitOrKill(Process process, int seconds) throws InterruptedException {
    if (process.waitFor(seconds, TimeUnit.SECONDS)) {
      return true;
    }
    process.destroyForcibly();
    return false;
  }
}
