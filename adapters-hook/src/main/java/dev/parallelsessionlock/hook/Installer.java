package dev.parallelsessionlock.hook;

import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import com.grack.nanojson.JsonWriter;
import io.vavr.collection.List;
import io.vavr.control.Either;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code install} and {@code uninstall}: a stable copy of the executable, and the agent's hook registrations.
 *
 * <p>The jar, a launcher with absolute paths and a class-data-sharing archive go to the install home
 * ({@code SESSION_LOCK_HOME}, default {@code ~/.local/share/parallel-session-lock}), so the registered command
 * keeps working when the build tree is cleaned or moved. Settings are merged, never overwritten: every other
 * key and hook stays; the old file is backed up beside it; a second run changes nothing; a malformed file is
 * reported and left untouched.
 */
final class Installer {

  enum Agent { CLAUDE, COPILOT }

  enum Scope { PROJECT, LOCAL, USER }

  /** An error for a person, with the exit code it maps to. */
  record Failure(int exitCode, String message) {}

  static final String MAIN_CLASS = "dev.parallelsessionlock.hook.SessionLockMain";
  private static final DateTimeFormatter BACKUP_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final Path workspace;
  private final Path home;
  private final Path installHome;

  Installer(Path workspace, Path home, Path installHome) {
    this.workspace = workspace;
    this.home = home;
    this.installHome = installHome;
  }

  static Path defaultInstallHome(Map<String, String> env, Path home) {
    String explicit = env.get("SESSION_LOCK_HOME");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String data = env.get("XDG_DATA_HOME");
    Path base = data != null && !data.isBlank() ? Path.of(data) : home.resolve(".local").resolve("share");
    return base.resolve("parallel-session-lock");
  }

  Path launcher() {
    return installHome.resolve("bin").resolve("session-lock");
  }

  Path settingsFile(Agent agent, Scope scope) {
    if (agent == Agent.COPILOT) {
      return workspace.resolve(".github").resolve("hooks").resolve("session-lock.json");
    }
    switch (scope) {
      case USER:
        return home.resolve(".claude").resolve("settings.json");
      case LOCAL:
        return workspace.resolve(".claude").resolve("settings.local.json");
      default:
        return workspace.resolve(".claude").resolve("settings.json");
    }
  }

  /** Installs the executable from {@code sourceJar} and registers the hooks; returns lines for the person. */
  Either<Failure, List<String>> install(Agent agent, Scope scope, Path sourceJar, Path javaBinary) {
    Path file = settingsFile(agent, scope);
    Either<Failure, JsonObject> current = readJson(file);
    if (current.isLeft()) {
      return Either.left(current.getLeft());
    }
    String launcher = launcher().toString();
    Either<String, JsonObject> wanted = agent == Agent.COPILOT
        ? Either.right(HookRegistrations.copilotHooksFile(launcher))
        : HookRegistrations.withClaudeHooks(current.get(), launcher);
    if (wanted.isLeft()) {
      return Either.left(new Failure(ExitCodes.MALFORMED, file + ": " + wanted.getLeft() + "; left untouched"));
    }
    List<String> lines = List.empty();
    try {
      lines = lines.appendAll(installBinaries(sourceJar, javaBinary));
      lines = lines.append(writeIfChanged(file, current.get(), wanted.get(), "registered the hooks in"));
    } catch (IOException e) {
      return Either.left(new Failure(ExitCodes.UNAVAILABLE, "install failed: " + e));
    }
    return Either.right(lines);
  }

  /** Removes exactly the registrations install added; leaves the installed executable for other workspaces. */
  Either<Failure, List<String>> uninstall(Agent agent, Scope scope) {
    Path file = settingsFile(agent, scope);
    if (!Files.exists(file)) {
      return Either.right(List.of("nothing to remove: " + file + " does not exist"));
    }
    Either<Failure, JsonObject> current = readJson(file);
    if (current.isLeft()) {
      return Either.left(current.getLeft());
    }
    Either<String, JsonObject> wanted = agent == Agent.COPILOT
        ? HookRegistrations.withoutCopilotHooks(current.get())
        : HookRegistrations.withoutClaudeHooks(current.get());
    if (wanted.isLeft()) {
      return Either.left(new Failure(ExitCodes.MALFORMED, file + ": " + wanted.getLeft() + "; left untouched"));
    }
    try {
      if (agent == Agent.COPILOT && !(wanted.get().get("hooks") instanceof JsonObject
          && !((JsonObject) wanted.get().get("hooks")).isEmpty())) {
        Path backup = backup(file);
        Files.delete(file);
        return Either.right(List.of("removed " + file + " (backup: " + backup.getFileName() + ")"));
      }
      return Either.right(List.of(writeIfChanged(file, current.get(), wanted.get(), "removed the hooks from")));
    } catch (IOException e) {
      return Either.left(new Failure(ExitCodes.UNAVAILABLE, "uninstall failed: " + e));
    }
  }

  private static Either<Failure, JsonObject> readJson(Path file) {
    if (!Files.exists(file)) {
      return Either.right(new JsonObject());
    }
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      if (text.isBlank()) {
        return Either.right(new JsonObject());
      }
      return Either.right(JsonParser.object().from(text));
    } catch (JsonParserException e) {
      return Either.left(new Failure(ExitCodes.MALFORMED,
          file + " is not valid JSON (" + e.getMessage().replace('\n', ' ') + "); left untouched"));
    } catch (IOException e) {
      return Either.left(new Failure(ExitCodes.MALFORMED, file + " cannot be read as UTF-8 text (" + e + "); left untouched"));
    }
  }

  private String writeIfChanged(Path file, JsonObject before, JsonObject after, String verb) throws IOException {
    if (Files.exists(file) && before.equals(after)) {
      return "already up to date: " + file;
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    String backupNote = "";
    if (Files.exists(file)) {
      backupNote = " (backup: " + backup(file).getFileName() + ")";
    }
    writeAtomically(file, (JsonWriter.indent("  ").string().value(after).done() + "\n").getBytes(StandardCharsets.UTF_8));
    return verb + " " + file + backupNote;
  }

  private static Path backup(Path file) throws IOException {
    Path backup = file.resolveSibling(file.getFileName() + ".bak-" + BACKUP_TIME.format(Instant.now()));
    for (int n = 1; Files.exists(backup); n++) {
      backup = file.resolveSibling(file.getFileName() + ".bak-" + BACKUP_TIME.format(Instant.now()) + "-" + n);
    }
    Files.copy(file, backup, StandardCopyOption.COPY_ATTRIBUTES);
    return backup;
  }

  private static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    Files.write(temp, bytes);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private List<String> installBinaries(Path sourceJar, Path javaBinary) throws IOException {
    Path lib = Files.createDirectories(installHome.resolve("lib"));
    Files.createDirectories(installHome.resolve("bin"));
    Path jar = lib.resolve("session-lock.jar");
    Path archive = lib.resolve("session-lock.jsa");
    Path aotCache = lib.resolve("session-lock.aot");
    List<String> lines = List.empty();
    boolean jarChanged = !Files.exists(jar) || !Arrays.equals(Files.readAllBytes(jar), Files.readAllBytes(sourceJar));
    if (jarChanged) {
      // Atomic rename: a hook running the old jar keeps its open file; the next one starts the new jar.
      writeAtomically(jar, Files.readAllBytes(sourceJar));
      lines = lines.append("installed " + jar);
    }
    String script = launcherScript(javaBinary, jar, archive);
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
    boolean aot = ClassDataArchive.javaFeatureVersion(javaBinary) >= 25;
    Path wanted = aot ? aotCache : archive;
    if (jarChanged || scriptChanged || !Files.exists(wanted)) {
      // Only one of the two may exist: the launcher prefers the AOT cache.
      Files.deleteIfExists(aot ? archive : aotCache);
      Either<String, Path> built = aot
          ? ClassDataArchive.buildAotCache(javaBinary, jar, aotCache)
          : ClassDataArchive.build(javaBinary, jar, archive);
      lines = lines.append(built.isRight()
          ? "built the start-up archive " + built.get()
          : "no start-up archive (" + built.getLeft() + "); the hook runs, only slower");
    }
    return lines;
  }

  /** The installed launcher: the build tree's script with its paths fixed at install time. */
  static String launcherScript(Path javaBinary, Path jar, Path archive) {
    return "#!/bin/sh\n"
        + "# parallel-session-lock launcher, written by 'session-lock install'.\n"
        + "JAVA=" + quote(javaBinary.toString()) + "\n"
        + "JAR=" + quote(jar.toString()) + "\n"
        + "JSA=" + quote(archive.toString()) + "\n"
        + LauncherBody.TEXT;
  }

  static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
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
