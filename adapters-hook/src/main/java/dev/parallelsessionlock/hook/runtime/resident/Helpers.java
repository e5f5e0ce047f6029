package dev.parallelsessionlock.hook.runtime.resident;

import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/** Starting a helper, and asking one who it is (for {@code doctor}). */
public final class Helpers {

  /** A helper is started at most this often per store: calls made while one starts use the database themselves. */
  static final long START_EVERY_MS = 10_000;

  private Helpers() {}

  /**
   * Starts the helper of {@code paths} in the background, detached from this process (its own session, no
   * inherited output: the agent reads this process's output to its end), unless one was started in the last
   * {@link #START_EVERY_MS}. {@code launcher} is the installed launcher ({@code SESSION_LOCK_LAUNCHER}), or null
   * to start this JVM's own java with this class path. False when no start was made.
   */
  public static boolean start(HelperPaths paths, String launcher) {
    Path mark = paths.started();
    try {
      try {
        Files.createFile(mark);
      } catch (FileAlreadyExistsException recent) {
        FileTime last = Files.getLastModifiedTime(mark);
        if (System.currentTimeMillis() - last.toMillis() < START_EVERY_MS) {
          return false;
        }
        Files.setLastModifiedTime(mark, FileTime.fromMillis(System.currentTimeMillis()));
      }
      List<String> command = new ArrayList<>();
      if (new File("/usr/bin/setsid").canExecute()) {
        command.add("/usr/bin/setsid");
      } else if (new File("/bin/setsid").canExecute()) {
        command.add("/bin/setsid");
      }
      if (launcher != null && new File(launcher).canExecute()) {
        command.add(launcher);
      } else {
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xmx64m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.parallelsessionlock.hook.SessionLockMain");
      }
      command.add("store-helper");
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.directory(paths.directory().toFile()); // not the workspace, which it would keep busy
      builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(paths.log().toFile()));
      builder.redirectErrorStream(true);
      builder.start();
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The helper serving at {@code paths}: its pid and store, or null when none answers. */
  public static String[] whoServes(HelperPaths paths) {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(paths.socket()));
      new Wire.Out(Wire.HELLO).send(channel);
      Wire.In answer = Wire.In.receive(channel);
      if (answer.get() != Wire.OK) {
        return null;
      }
      long pid = answer.getLong();
      return new String[] {Long.toString(pid), answer.getString()};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** One line for {@code doctor}: whether the helper of the store {@code url} is on, and running (its pid, its socket). */
  public static String report(java.util.Map<String, String> env, String url) {
    if (!enabled(env)) {
      return "ok  store helper: off (SESSION_LOCK_HELPER=off); every hook opens the database itself";
    }
    HelperPaths paths = HelperPaths.of(env, url);
    String problem = paths.secure();
    if (problem != null) {
      return "ok  store helper: not used (" + problem + "); every hook opens the database itself";
    }
    String[] serving = whoServes(paths);
    if (serving == null) {
      return "ok  store helper: not running (the next hook starts it); socket " + paths.socket();
    }
    return "ok  store helper: running, pid " + serving[0] + ", socket " + paths.socket();
  }

  private static boolean enabled(java.util.Map<String, String> env) {
    return HelperPaths.enabled(env);
  }
}
