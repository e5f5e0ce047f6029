package dev.parallelsessionlock.hook.install;

import dev.parallelsessionlock.hook.ExitCodes;
import io.vavr.control.Either;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a JDK class-data-sharing archive of the classes the hook loads, so each hook start maps them instead
 * of loading and verifying them (shared/PERF-NOTES.md: about a quarter off the start-up). Ten training runs
 * (take, renew, deny, refresh, release, in workspace and in files mode) record the class list; {@code -Xshare:dump} writes the archive; a third run checks
 * that the JVM accepts it, else it is deleted and the launcher runs without one.
 */
public final class ClassDataArchive {

  private ClassDataArchive() {}

  /** The feature version of the JDK that {@code java} belongs to, from its {@code release} file; 0 if unknown. */
  public static int javaFeatureVersion(Path java) {
    try {
      Path home = java.toRealPath().getParent().getParent();
      for (String line : Files.readAllLines(home.resolve("release"))) {
        if (line.startsWith("JAVA_VERSION=")) {
          String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
          int end = 0;
          while (end < version.length() && Character.isDigit(version.charAt(end))) {
            end++;
          }
          return end == 0 ? 0 : Integer.parseInt(version.substring(0, end));
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  /**
   * On Java 25+, an AOT cache (JEP 483) instead: classes come loaded and linked, lambdas resolved. One training
   * run records the common path (renewing a lease the session holds); a cache made by another JDK or for an older
   * jar is ignored by the JVM, and install rebuilds it whenever the jar changes (JDK-8377932).
   */
  static Either<String, Path> buildAotCache(Path java, Path jar, Path cache) {
    Path work = null;
    try {
      work = Files.createTempDirectory("session-lock-aot");
      Path workspace = Files.createDirectory(work.resolve("workspace"));
      String event = trainingEvent("PreToolUse", "training", workspace);
      int first = run(work, event, java.toString(), "-Xmx64m", "-cp", jar.toString(), Installer.MAIN_CLASS, "hook");
      Path config = work.resolve("hook.aotconf");
      int recorded = run(work, event, java.toString(), "-XX:AOTMode=record", "-XX:AOTConfiguration=" + config,
          "-Xmx64m", "-cp", jar.toString(), Installer.MAIN_CLASS, "hook");
      if (first != ExitCodes.OK || recorded != ExitCodes.OK || !Files.exists(config)) {
        return Either.left("AOT training run exited " + recorded);
      }
      Files.deleteIfExists(cache);
      int created = run(work, "", java.toString(), "-XX:AOTMode=create", "-XX:AOTConfiguration=" + config,
          "-XX:AOTCache=" + cache, "-Xmx64m", "-cp", jar.toString());
      if (created != 0 || !Files.exists(cache)) {
        return Either.left("-XX:AOTMode=create exited " + created);
      }
      return accepted(work, java, jar, cache, "-XX:AOTMode=on", "-XX:AOTCache=" + cache);
    } catch (IOException | InterruptedException e) {
      return Either.left(e.getMessage() == null ? "the training run failed" : e.getMessage());
    } finally {
      TempTrees.delete(work);
    }
  }

  static Either<String, Path> build(Path java, Path jar, Path archive) {
    return trained(java, jar, archive, (work, workspace) -> {
      // Every path of the hook, in both modes: take, renew, deny, refresh, release.
      String[][] training = {
          {"PreToolUse", "training-a"}, {"PreToolUse", "training-a"}, {"PreToolUse", "training-b"},
          {"PostToolUse", "training-a"}, {"Stop", "training-a"}};
      List<Run> runs = new ArrayList<>();
      for (String[] args : List.of(new String[] {"hook"}, new String[] {"hook", "--mode", "files"})) {
        for (String[] step : training) {
          runs.add(new Run(args, trainingEvent(step[0], step[1], workspace), ""));
        }
      }
      return runs;
    });
  }

  /** One training run: the jar's arguments, its stdin, and variables ({@code NAME=value} lines) when not empty. */
  private record Run(String[] args, String stdin, String variable) {}

  /** The training runs of one archive, planned in a scratch directory with an empty workspace in it. */
  @FunctionalInterface
  private interface Training {
    List<Run> runs(Path work, Path workspace) throws IOException;
  }

  /** Runs {@code training} in a scratch directory, dumps the classes its runs loaded and checks the archive. */
  private static Either<String, Path> trained(Path java, Path jar, Path archive, Training training) {
    Path work = null;
    try {
      work = Files.createTempDirectory("session-lock-cds");
      Path workspace = Files.createDirectory(work.resolve("workspace"));
      Either<String, Set<String>> classes = loadedClasses(work, java, jar, training.runs(work, workspace));
      return classes.isLeft() ? Either.left(classes.getLeft()) : dump(work, java, jar, archive, classes.get());
    } catch (IOException | InterruptedException e) {
      return Either.left(e.getMessage() == null ? "the training run failed" : e.getMessage());
    } finally {
      TempTrees.delete(work);
    }
  }

  /** Runs the jar once per run, recording the classes each loads. */
  private static Either<String, Set<String>> loadedClasses(Path work, Path java, Path jar, List<Run> runs)
      throws IOException, InterruptedException {
    Set<String> classes = new LinkedHashSet<>();
    for (int run = 0; run < runs.size(); run++) {
      Path list = work.resolve(run + ".classlist");
      List<String> command = new ArrayList<>(List.of(java.toString(), "-Xshare:off", "-XX:DumpLoadedClassList=" + list,
          "-Xmx64m", "-cp", jar.toString(), Installer.MAIN_CLASS));
      command.addAll(List.of(runs.get(run).args()));
      int exit = runWith(work, runs.get(run).variable(), runs.get(run).stdin(), command.toArray(new String[0]));
      if (exit != ExitCodes.OK && exit != ExitCodes.DENY) {
        return Either.left("training run " + String.join(" ", runs.get(run).args()) + " exited " + exit);
      }
      classes.addAll(Files.readAllLines(list));
    }
    return Either.right(classes);
  }

  /**
   * A second CDS archive, for the commands for people, which the launcher uses for everything but {@code hook}:
   * picocli builds its model by reflection from some 170 classes, and archived they start in about half the time.
   * Kept apart from the hook's archive, whose start grew by about 4 ms when it held them too.
   */
  static Either<String, Path> buildForCommands(Path java, Path jar, Path archive) {
    return trained(java, jar, archive, (work, workspace) -> List.of(
        new Run(new String[] {"status", "--dir", workspace.toString()}, "", ""),
        new Run(new String[] {"files", "list", "--json"}, "", ""),
        new Run(new String[] {"list"}, "", ""),
        new Run(new String[] {"watch", "--once", "--dir", workspace.toString()}, "", "")));
  }

  /**
   * A third CDS archive, for the hook with a database store ({@code SESSION_LOCK_STORE}), which the launcher uses
   * only then: the JDBC drivers' classes would cost the default hook path if they were in its archive. Trained on
   * SQLite (take, renew, release, in both modes) and on a PostgreSQL URL that nothing answers (the driver loads,
   * the hook fails open), so no server is needed.
   */
  static Either<String, Path> buildForDatabase(Path java, Path jar, Path archive) {
    // And through a store helper (hook.resident), as most calls run: one started for the training, stopped after.
    Path helperWork = null;
    Process helper = null;
    try {
      helperWork = Files.createTempDirectory("session-lock-helper");
      String helperStore = "SESSION_LOCK_STORE=jdbc:sqlite:" + helperWork.resolve("training.db");
      String runDir = "XDG_RUNTIME_DIR=" + helperWork.resolve("run");
      ProcessBuilder starting = new ProcessBuilder(java.toString(), "-Xmx64m", "-cp", jar.toString(),
          Installer.MAIN_CLASS, "store-helper").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      starting.environment().keySet().removeIf(name -> name.startsWith("SESSION_LOCK"));
      starting.environment().put("SESSION_LOCK_STORE", helperStore.substring(helperStore.indexOf('=') + 1));
      starting.environment().put("XDG_RUNTIME_DIR", runDir.substring(runDir.indexOf('=') + 1));
      starting.environment().put("SESSION_LOCK_HELPER_IDLE_SECONDS", "120");
      helper = starting.start();
      dev.parallelsessionlock.hook.runtime.resident.HelperPaths paths = dev.parallelsessionlock.hook.runtime.resident.HelperPaths.of(
          starting.environment(), starting.environment().get("SESSION_LOCK_STORE"));
      long until = System.nanoTime() + 60_000_000_000L;
      while (dev.parallelsessionlock.hook.runtime.resident.Helpers.whoServes(paths) == null && helper.isAlive()
          && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      String through = dev.parallelsessionlock.hook.runtime.resident.Helpers.whoServes(paths) == null ? null
          : helperStore + "\n" + runDir + "\nSESSION_LOCK_HELPER=on";
      return trainedForDatabase(java, jar, archive, through);
    } catch (IOException e) {
      return trainedForDatabase(java, jar, archive, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Either.left("interrupted");
    } finally {
      if (helper != null) {
        helper.destroy();
        try {
          helper.waitFor();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      TempTrees.delete(helperWork);
    }
  }

  /** The database archive's training; {@code throughHelper} the variables of runs through a helper, or null. */
  private static Either<String, Path> trainedForDatabase(Path java, Path jar, Path archive, String throughHelper) {
    return trained(java, jar, archive, (work, workspace) -> {
      String sqlite = "SESSION_LOCK_STORE=jdbc:sqlite:" + work.resolve("training.db");
      int port;
      try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      String postgres = "SESSION_LOCK_STORE=jdbc:postgresql://127.0.0.1:" + port + "/training";
      String[][] steps = {{"PreToolUse", "training-a"}, {"PreToolUse", "training-a"}, {"PostToolUse", "training-a"},
          {"Stop", "training-a"}};
      List<Run> runs = new ArrayList<>();
      for (String[] args : List.of(new String[] {"hook"}, new String[] {"hook", "--mode", "files"})) {
        for (String[] step : steps) {
          runs.add(new Run(args, trainingEvent(step[0], step[1], workspace), sqlite));
        }
      }
      runs.add(new Run(new String[] {"hook"}, trainingEvent("PreToolUse", "training-b", workspace), postgres));
      if (throughHelper != null) {
        for (String[] args : List.of(new String[] {"hook"}, new String[] {"hook", "--mode", "files"})) {
          for (String[] step : steps) {
            runs.add(new Run(args, trainingEvent(step[0], step[1], workspace), throughHelper));
          }
        }
      }
      return runs;
    });
  }

  private static Either<String, Path> dump(Path work, Path java, Path jar, Path archive, Set<String> classes)
      throws IOException, InterruptedException {
    Path list = Files.write(work.resolve("archive.classlist"), classes);
    Files.deleteIfExists(archive);
    int dumped = run(work, "", java.toString(), "-Xshare:dump", "-XX:SharedClassListFile=" + list,
        "-XX:SharedArchiveFile=" + archive, "-Xmx64m", "-cp", jar.toString());
    if (dumped != 0 || !Files.exists(archive)) {
      return Either.left("-Xshare:dump exited " + dumped);
    }
    return accepted(work, java, jar, archive, "-Xshare:on", "-XX:SharedArchiveFile=" + archive);
  }

  private static String trainingEvent(String event, String session, Path workspace) {
    return "{\"hook_event_name\":\"" + event + "\",\"session_id\":\"" + session + "\",\"cwd\":\"" + workspace
        + "\",\"tool_name\":\"Edit\",\"tool_input\":{\"file_path\":\"" + workspace + "/a.txt\"}}";
  }

  /** Starts the JVM as the launcher does, insisting on the archive; deletes an archive it refuses. */
  private static Either<String, Path> accepted(Path work, Path java, Path jar, Path archive, String strictFlag,
      String archiveFlag) throws IOException, InterruptedException {
    int check = run(work, "", java.toString(), strictFlag, archiveFlag, "-XX:TieredStopAtLevel=1",
        "-XX:-UsePerfData", "-Xmx64m", "-Xss512k", "-cp", jar.toString(), Installer.MAIN_CLASS, "--version");
    if (check != 0) {
      Files.deleteIfExists(archive);
      return Either.left("the JVM refused the archive " + archive.getFileName());
    }
    return Either.right(archive);
  }

  private static int run(Path work, String stdin, String... command) throws IOException, InterruptedException {
    return runWith(work, "", stdin, command);
  }

  /** Runs {@code command} in {@code work} with {@code stdin}, and {@code variable} ({@code NAME=value}) when given. */
  private static int runWith(Path work, String variable, String stdin, String... command)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command)))
        .directory(work.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    Map<String, String> env = builder.environment();
    env.put("SESSION_LOCK_DIR", work.resolve("locks").toString());
    env.put("SESSION_LOCK_OWNER", "session");
    env.put("SESSION_LOCK_HELPER", "off"); // a training run starts no store helper
    env.keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("COPILOT") || name.startsWith("GEMINI")
        || name.startsWith("SESSION_LOCK_STORE"));
    for (String one : variable.split("\n")) {
      if (!one.isEmpty()) {
        env.put(one.substring(0, one.indexOf('=')), one.substring(one.indexOf('=') + 1));
      }
    }
    Process process = builder.start();
    process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    return Installer.waitOrKill(process, 120) ? process.exitValue() : -1;
  }
}
