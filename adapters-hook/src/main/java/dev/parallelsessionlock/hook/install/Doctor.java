package dev.parallelsessionlock.hook.install;

import dev.parallelsessionlock.hook.ExitCodes;
import dev.parallelsessionlock.hook.Version;
import dev.parallelsessionlock.hook.runtime.Agent;
import dev.parallelsessionlock.hook.runtime.Hints;
import dev.parallelsessionlock.hook.runtime.HookConfig;
import dev.parallelsessionlock.hook.runtime.OpenStore;
import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import dev.parallelsessionlock.fs.FileLockStore;
import io.vavr.control.Option;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code session-lock doctor}: whether protection is really on for a workspace, per agent. For every settings
 * file that registers the hook: the launcher it runs exists; the agent will run it (Codex trust, Gemini's
 * switches, Copilot's folder trust); and a dry run through the registered command itself, with a private lock
 * directory, lets a stand-in session in and denies a rival in the form that agent honours. Then the installed
 * copy: the same build as this one, its java and start-up archive belonging together; and the lock directory.
 * Exit 0 when all is well, {@link ExitCodes#PROBLEMS} with one line per problem otherwise.
 */
public final class Doctor {

  private final Installer installer;
  private final Path workspace;
  private final Map<String, String> env;
  private final PrintStream out;
  private final String program;
  private final List<String> problems = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  /** The install command of the first registration found: what updates the installed copy too. */
  private String installAgain;

  /** {@code program}: how a person runs this executable (sh words), for the commands doctor suggests. */
  public Doctor(Installer installer, Path workspace, Map<String, String> env, PrintStream out, String program) {
    this.installer = installer;
    this.workspace = workspace;
    this.env = env;
    this.out = out;
    this.program = program;
  }

  public int run() {
    out.println("workspace " + workspace);
    int registrations = 0;
    for (Agent agent : Agent.values()) {
      List<Installer.Scope> scopes = new ArrayList<>();
      List<Path> files = new ArrayList<>();
      for (Installer.Scope scope : Installer.Scope.values()) {
        var file = installer.settingsFile(agent, scope);
        // One file can be two scopes' (the project is the home folder): it is one registration.
        if (file.isRight() && registered(file.get()) && !files.contains(file.get().toAbsolutePath().normalize())) {
          registrations++;
          scopes.add(scope);
          files.add(file.get().toAbsolutePath().normalize());
          check(agent, scope, file.get());
        }
      }
      if (scopes.size() > 1) {
        registeredTwice(agent, scopes);
      }
    }
    if (registrations == 0) {
      problem("no agent has the hook registered for this workspace: run " + Hints.command(program, "install", "--dir",
          workspace.toString()) + " (add --agent copilot, codex or gemini for another agent)");
    }
    checkInstalledCopy();
    checkLockDirectory();
    for (String warning : warnings) {
      out.println("warning: " + warning);
    }
    if (problems.isEmpty()) {
      out.println("protection is on");
      return ExitCodes.OK;
    }
    out.println(problems.size() + (problems.size() == 1 ? " problem" : " problems") + ":");
    for (String problem : problems) {
      out.println("  - " + problem);
    }
    return ExitCodes.PROBLEMS;
  }

  private void problem(String text) {
    problems.add(text);
  }

  /**
   * One agent registered in several scopes: the agent merges its settings files, so each registration may run on
   * every tool call (in whichever mode it names). Protection is on, so a warning, with the commands that keep one.
   */
  private void registeredTwice(Agent agent, List<Installer.Scope> scopes) {
    StringBuilder text = new StringBuilder(agent.id).append(": the hook is registered in ").append(scopes.size())
        .append(" scopes (");
    java.util.Set<String> modes = new java.util.TreeSet<>();
    for (int i = 0; i < scopes.size(); i++) {
      Path file = installer.settingsFile(agent, scopes.get(i)).get();
      String mode = mode(agent, file);
      modes.add(mode);
      text.append(i == 0 ? "" : "; ").append(name(scopes.get(i))).append(": ").append(file).append(", ").append(mode)
          .append(" mode");
    }
    text.append("), so ").append(agent == Agent.CLAUDE ? "Claude Code" : agent.id)
        .append(" may run it once per scope on every tool call")
        .append(modes.size() > 1 ? ", in both modes (workspace mode's turns win)" : "")
        .append("; keep one: to keep the ").append(name(scopes.get(0))).append(" one, run:");
    for (Installer.Scope scope : scopes.subList(1, scopes.size())) {
      text.append("\n    ").append(Hints.command(program, "uninstall", "--dir", workspace.toString(), "--agent",
          agent.id, "--scope", name(scope)));
    }
    warnings.add(text.toString());
  }

  private static String name(Installer.Scope scope) {
    return scope.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The mode the registration in {@code file} runs the hook in. */
  private static String mode(Agent agent, Path file) {
    try {
      Option<String> command = preToolCommand(agent, Files.readString(file));
      return command.isDefined() && command.get().contains(" hook --mode files ") ? "files" : "workspace";
    } catch (IOException e) {
      return "unreadable";
    }
  }

  private String installAgain() {
    return installAgain != null ? installAgain : Hints.command(program, "install", "--dir", workspace.toString());
  }

  /** The command that registers {@code agent} in {@code scope} again, in the mode the registration names. */
  private String reinstall(Agent agent, Installer.Scope scope, String command) {
    return Hints.command(program, "install", "--dir", workspace.toString(), "--agent", agent.id, "--scope", name(scope),
        "--mode", command.contains(" hook --mode files ") ? "files" : "workspace");
  }

  private static boolean registered(Path file) {
    try {
      return Files.isRegularFile(file) && Files.readString(file).contains(HookRegistrations.MARKER);
    } catch (IOException e) {
      return false;
    }
  }

  private void check(Agent agent, Installer.Scope scope, Path file) {
    String where = agent.id + " (" + name(scope) + ", " + file + ")";
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      problem(where + ": cannot read it: " + Installer.describe(e));
      return;
    }
    Option<String> command = preToolCommand(agent, text);
    if (command.isEmpty()) {
      problem(where + ": the session-lock entry for the tool check is missing or malformed: run "
          + reinstall(agent, scope, ""));
      return;
    }
    Option<String> launcher = launcherOf(command.get());
    if (launcher.isEmpty() || !Files.isExecutable(Path.of(launcher.get()))) {
      problem(where + ": the registered launcher " + launcher.getOrElse("?")
          + " is missing: the hook does nothing; run " + reinstall(agent, scope, command.get()));
      return;
    }
    if (installAgain == null) {
      installAgain = reinstall(agent, scope, command.get());
    }
    boolean runs = agentWillRun(agent, scope, file, text, where, command.get());
    String dryRun = dryRun(agent, command.get());
    if (!dryRun.isEmpty()) {
      problem(where + ": dry run through the registered command: " + dryRun);
      return;
    }
    if (runs) {
      out.println("ok  " + where + ": registered (" + (command.get().contains(" hook --mode files ") ? "files" : "workspace")
          + " mode), launcher " + launcher.get()
          + ", dry run allowed a session and denied its rival" + wakerNote(agent, text));
    }
  }

  /**
   * For Claude Code, whether the waker is registered beside the end-of-turn release ({@code hook --wake},
   * {@code asyncRewake}); nothing for the other agents, which have no such hook.
   */
  static String wakerNote(Agent agent, String text) {
    if (agent != Agent.CLAUDE) {
      return "";
    }
    try {
      if (JsonParser.object().from(text).get("hooks") instanceof JsonObject hooks
          && hooks.get("Stop") instanceof JsonArray groups) {
        for (Object group : groups) {
          if (group instanceof JsonObject g && g.get("hooks") instanceof JsonArray handlers) {
            for (Object handler : handlers) {
              if (HookRegistrations.isWaker(handler) && ((JsonObject) handler).getBoolean("asyncRewake")) {
                return "; waker on Stop (asyncRewake): a session waiting in line is woken when its turn comes";
              }
            }
          }
        }
      }
    } catch (JsonParserException e) {
      return "";
    }
    return "; no waker on Stop: a session waiting in line is not woken (install again to add it)";
  }

  /** The command registered for the tool check of {@code agent} in the settings text. */
  static Option<String> preToolCommand(Agent agent, String text) {
    JsonObject root;
    try {
      root = JsonParser.object().from(text);
    } catch (JsonParserException e) {
      return Option.none();
    }
    if (!(root.get("hooks") instanceof JsonObject hooks)) {
      return Option.none();
    }
    String event = HookRegistrations.registrations(agent).get(0).event();
    if (!(hooks.get(event) instanceof JsonArray entries)) {
      return Option.none();
    }
    String field = agent == Agent.COPILOT ? "bash" : "command";
    for (Object entry : entries) {
      if (agent == Agent.COPILOT && HookRegistrations.isOurs(entry, field)) {
        return Option.some(((JsonObject) entry).getString(field));
      }
      if (entry instanceof JsonObject group && group.get("hooks") instanceof JsonArray handlers) {
        for (Object handler : handlers) {
          if (HookRegistrations.isOurs(handler, field)) {
            return Option.some(((JsonObject) handler).getString(field));
          }
        }
      }
    }
    return Option.none();
  }

  /** The launcher path in a registered command: {@code f='...'}. */
  static Option<String> launcherOf(String command) {
    return command.startsWith("f='") ? quotedAfter(command, "f=") : Option.none();
  }

  /** The single-quoted sh word right after the first {@code prefix} in {@code text}, unquoted. */
  static Option<String> quotedAfter(String text, String prefix) {
    int at = text.indexOf(prefix + "'");
    if (at < 0) {
      return Option.none();
    }
    StringBuilder word = new StringBuilder();
    int i = at + prefix.length() + 1;
    while (i < text.length()) {
      if (text.startsWith("'\\''", i)) {
        word.append('\'');
        i += 4;
      } else if (text.charAt(i) == '\'') {
        return Option.some(word.toString());
      } else {
        word.append(text.charAt(i++));
      }
    }
    return Option.none();
  }

  /** Whether the agent will run a hook it finds there; a problem line for each reason it will not. */
  private boolean agentWillRun(Agent agent, Installer.Scope scope, Path file, String text, String where,
      String command) {
    try {
      switch (agent) {
        case CODEX: {
          boolean all = true;
          for (Map.Entry<String, String> entry : CodexTrust.status(installer.codexHome(), file, text).entrySet()) {
            if (!entry.getValue().equals("trusted")) {
              all = false;
              problem(where + ": Codex skips this hook silently: it is " + entry.getValue() + " ("
                  + entry.getKey().substring(entry.getKey().lastIndexOf(".json:") + 6)
                  + "); review it in codex /hooks, or run " + reinstall(agent, scope, command) + " --trust");
            }
          }
          return all;
        }
        case GEMINI: {
          Path user = installer.settingsFile(Agent.GEMINI, Installer.Scope.USER).get();
          for (Path settings : List.of(file, user)) {
            if (Files.isRegularFile(settings)) {
              JsonObject root = JsonParser.object().from(Files.readString(settings));
              if (root.get("hooksConfig") instanceof JsonObject config) {
                if (Boolean.FALSE.equals(config.get("enabled"))) {
                  problem(where + ": hooks are switched off in " + settings + " (hooksConfig.enabled)");
                  return false;
                }
                if (config.get("disabled") instanceof JsonArray disabled && disabled.contains("session-lock")) {
                  problem(where + ": the session-lock hook is disabled in " + settings + " (hooksConfig.disabled)");
                  return false;
                }
              }
            }
          }
          return true;
        }
        case COPILOT: {
          if (scope == Installer.Scope.PROJECT) {
            Path config = installer.copilotHome().resolve("config.json");
            boolean trusted = false;
            if (Files.isRegularFile(config)) {
              JsonObject root = JsonParser.object().from(Files.readString(config));
              if (root.get("trustedFolders") instanceof JsonArray folders) {
                for (Object folder : folders) {
                  trusted |= folder instanceof String f && workspace.startsWith(Path.of(f));
                }
              }
            }
            if (!trusted) {
              problem(where + ": Copilot CLI loads repository hooks only in a trusted folder; " + workspace
                  + " is not in " + config + " (trustedFolders): trust it in copilot, or install --scope user");
              return false;
            }
          }
          return true;
        }
        default:
          return true;
      }
    } catch (IOException | JsonParserException | RuntimeException e) {
      problem(where + ": cannot read the agent's settings: " + (e instanceof IOException io ? Installer.describe(io)
          : String.valueOf(e.getMessage()).replace('\n', ' ')));
      return false;
    }
  }

  /**
   * Runs the registered command twice, as the agent would ({@code sh -c}, the event on stdin), over a private
   * lock directory and a scratch workspace: session A must be let in, its rival B denied in the agent's form.
   * Empty when both went as they should; else what went wrong.
   */
  private String dryRun(Agent agent, String command) {
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory("session-lock-doctor");
      Path ws = Files.createDirectory(scratch.resolve("workspace"));
      String[] first = runCommand(agent, command, payload(agent, "doctor-a", ws), scratch);
      if (!first[0].equals("0") || denied(agent, first)) {
        return "a free workspace was not let in (exit " + first[0] + ": " + first[2].trim() + ")";
      }
      String[] second = runCommand(agent, command, payload(agent, "doctor-b", ws), scratch);
      if (!denied(agent, second)) {
        return "the rival session was not denied (exit " + second[0] + ", stdout " + second[1].trim()
            + ", stderr " + second[2].trim() + ")";
      }
      return "";
    } catch (IOException | InterruptedException e) {
      return "could not run it: " + (e instanceof IOException io ? Installer.describe(io) : "interrupted");
    } finally {
      TempTrees.delete(scratch);
    }
  }

  private static boolean denied(Agent agent, String[] result) {
    switch (agent) {
      case CODEX:
        return result[0].equals("2") && !result[2].isBlank();
      case GEMINI:
        return result[0].equals("0") && result[1].contains("\"decision\":\"deny\"");
      case COPILOT:
        return result[0].equals("0") && result[1].contains("\"permissionDecision\":\"deny\"");
      default:
        return result[0].equals("2") && result[1].contains("\"permissionDecision\":\"deny\"");
    }
  }

  private static String payload(Agent agent, String session, Path ws) {
    switch (agent) {
      case COPILOT:
        return "{\"sessionId\":\"" + session + "\",\"cwd\":\"" + ws + "\",\"toolName\":\"edit\",\"toolArgs\":{\"path\":\""
            + ws + "/a.txt\"}}";
      case GEMINI:
        return "{\"session_id\":\"" + session + "\",\"cwd\":\"" + ws + "\",\"hook_event_name\":\"BeforeTool\","
            + "\"tool_name\":\"write_file\",\"tool_input\":{\"file_path\":\"" + ws + "/a.txt\"}}";
      case CODEX:
        return "{\"session_id\":\"" + session + "\",\"turn_id\":\"t\",\"model\":\"m\",\"cwd\":\"" + ws
            + "\",\"hook_event_name\":\"PreToolUse\",\"tool_name\":\"apply_patch\",\"tool_input\":{\"command\":"
            + "\"*** Begin Patch\\n*** Update File: a.txt\\n*** End Patch\\n\"}}";
      default:
        return "{\"session_id\":\"" + session + "\",\"cwd\":\"" + ws + "\",\"hook_event_name\":\"PreToolUse\","
            + "\"tool_name\":\"Write\",\"tool_input\":{\"file_path\":\"" + ws + "/a.txt\"}}";
    }
  }

  /** Exit code, stdout and stderr of {@code sh -c command} with {@code stdin}. */
  private String[] runCommand(Agent agent, String command, String stdin, Path scratch)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).directory(scratch.toFile());
    Map<String, String> childEnv = builder.environment();
    childEnv.keySet().removeIf(name -> name.startsWith("CLAUDE") || name.startsWith("COPILOT")
        || name.startsWith("GEMINI") || name.startsWith("SESSION_LOCK"));
    childEnv.put("SESSION_LOCK_DIR", scratch.resolve("locks").toString());
    childEnv.put("SESSION_LOCK_OWNER", "session"); // both stand-ins run under this one process
    childEnv.put("SESSION_LOCK_DEADLINE_MS", "5000");
    Process process = builder.start();
    process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    byte[] stdout = process.getInputStream().readAllBytes();
    byte[] stderr = process.getErrorStream().readAllBytes();
    if (!Installer.waitOrKill(process, 30)) {
      return new String[] {"timeout", "", "no answer within 30 s"};
    }
    return new String[] {Integer.toString(process.exitValue()), new String(stdout, StandardCharsets.UTF_8),
        new String(stderr, StandardCharsets.UTF_8)};
  }

  private void checkInstalledCopy() {
    Path launcher = installer.launcher();
    if (!Files.isExecutable(launcher)) {
      return; // reported per registration when one points at it
    }
    try {
      Process process = new ProcessBuilder(launcher.toString(), "--version").redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!Installer.waitOrKill(process, 60) || process.exitValue() != 0) {
        problem("the installed launcher " + launcher + " does not start: " + output);
        return;
      }
      String expected = "session-lock " + Version.TEXT;
      if (!output.endsWith(expected)) {
        problem("the installed copy is " + output + ", this is " + expected + ": run " + installAgain() + " to update it");
      }
      String script = Files.readString(launcher);
      Option<String> java = quotedAfter(script, "\nJAVA=");
      Path stamp = installer.installHome().resolve("lib").resolve("session-lock.stamp");
      if (java.isDefined() && Files.exists(stamp)) {
        String wanted = Installer.javaStamp(Path.of(java.get()));
        if (!Files.readString(stamp).trim().equals(wanted)) {
          problem("the start-up archive was built for another java (" + Files.readString(stamp).trim()
              + "); the hook runs without it, slower: run " + installAgain());
        }
      }
      if (java.isDefined() && !Files.isExecutable(Path.of(java.get()))) {
        problem("the java install chose, " + java.get() + ", is gone; the hook uses whatever java is on PATH,"
            + " without its start-up archive: run " + installAgain());
      }
    } catch (IOException | InterruptedException e) {
      problem("cannot run the installed launcher " + launcher + ": "
          + (e instanceof IOException io ? Installer.describe(io) : "interrupted"));
    }
  }

  private void checkLockDirectory() {
    HookConfig config = HookConfig.from(env);
    var store = OpenStore.open(config, FileLockStore.DEFAULT_GUARD_TIMEOUT);
    if (store.isLeft()) {
      problem("the lock store cannot be used, so every hook allows: " + store.getLeft().describe());
    } else {
      out.println("ok  " + (store.get().files().isDefined() ? "lock directory " : "lock store ") + store.get().description());
    }
    if (config.store().isDefined()) {
      out.println(dev.parallelsessionlock.hook.runtime.resident.Helpers.report(config.storeCredentials(), config.store().get()));
    }
  }
}
