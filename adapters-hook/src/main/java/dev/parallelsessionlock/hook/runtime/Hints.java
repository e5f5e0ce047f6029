package dev.parallelsessionlock.hook.runtime;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;

/**
 * The commands printed for people to run, written so that they run as printed when pasted into sh: the program
 * by absolute path (nothing puts {@code session-lock} on PATH), and every word that needs it quoted for sh (paths
 * always). Every hint goes through here. On the hook path too: no lambdas, regexes or vavr collections.
 */
public final class Hints {

  private Hints() {}

  /**
   * The program, as sh words: the launcher that runs this process ({@code SESSION_LOCK_LAUNCHER}, which the launcher
   * sets to itself; made absolute against {@code cwd}); else, when this runs from a jar, that jar under this java;
   * else the launcher {@code install} writes.
   */
  public static String program(Map<String, String> env, Path cwd) {
    String launcher = env.get("SESSION_LOCK_LAUNCHER");
    if (launcher != null && !launcher.isBlank()) {
      return ShellCommands.quote(cwd.resolve(launcher).normalize().toString());
    }
    String classPath = System.getProperty("java.class.path", "");
    if (classPath.endsWith(".jar") && classPath.indexOf(File.pathSeparatorChar) < 0) {
      return ShellCommands.quote(Path.of(System.getProperty("java.home"), "bin", "java").toString()) + " -jar "
          + ShellCommands.quote(cwd.resolve(classPath).normalize().toString());
    }
    return ShellCommands.quote(installHome(env, HookConfig.home(env), cwd).resolve("bin").resolve("session-lock")
        .toString());
  }

  /** {@code program} followed by {@code words}, each quoted when sh needs it. */
  public static String command(String program, String... words) {
    StringBuilder command = new StringBuilder(program);
    for (String word : words) {
      command.append(' ').append(word(word));
    }
    return command.toString();
  }

  /** {@code value} as one sh word: as it is when it is plain (letters, digits, {@code -_.,:=@%+}), else quoted. */
  static String word(String value) {
    if (value.isEmpty()) {
      return "''";
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "-_.,:=@%+".indexOf(c) >= 0;
      if (!plain) {
        return ShellCommands.quote(value);
      }
    }
    return value;
  }

  /** {@code SESSION_LOCK_HOME} (made absolute), else {@code $XDG_DATA_HOME/parallel-session-lock}. */
  public static Path installHome(Map<String, String> env, Path home, Path cwd) {
    String explicit = env.get("SESSION_LOCK_HOME");
    if (explicit != null && !explicit.isBlank()) {
      return cwd.resolve(explicit).toAbsolutePath().normalize();
    }
    String data = env.get("XDG_DATA_HOME");
    Path base = data != null && !data.isBlank() ? Path.of(data) : home.resolve(".local").resolve("share");
    return base.resolve("parallel-session-lock");
  }
}
