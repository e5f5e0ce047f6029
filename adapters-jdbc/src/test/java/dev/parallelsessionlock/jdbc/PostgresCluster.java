package dev.parallelsessionlock.jdbc;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway PostgreSQL server for tests, from Debian's packages (/usr/lib/postgresql/N/bin): initdb into a temp
 * folder, pg_ctl start on a free loopback port, stopped when the JVM exits. As root (CI runs as root) the server
 * runs as the {@code postgres} user, since PostgreSQL refuses root. {@code SESSION_LOCK_TEST_PG_URL} names a
 * server to use instead. Without one, tests abort with the reason, except when {@code CI=true}: then they fail.
 */
public final class PostgresCluster {

  private static String url;

  private PostgresCluster() {}

  /** A JDBC URL of a running server with a database of its own for this JVM. */
  public static synchronized String url() {
    if (url == null) {
      String given = System.getenv("SESSION_LOCK_TEST_PG_URL");
      url = given != null && !given.isBlank() ? given : start();
    }
    return url;
  }

  private static String unavailable(String why) {
    if ("true".equals(System.getenv("CI"))) {
      fail("PostgreSQL is needed in CI and " + why);
    }
    Assumptions.abort("no PostgreSQL server: " + why);
    return null;
  }

  private static String start() {
    Path bin = null;
    File[] versions = new File("/usr/lib/postgresql").listFiles();
    if (versions != null) {
      for (File version : versions) {
        if (new File(version, "bin/initdb").canExecute()) {
          bin = version.toPath().resolve("bin");
        }
      }
    }
    if (bin == null) {
      return unavailable("no /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql)");
    }
    try {
      boolean root = "root".equals(System.getProperty("user.name"));
      Path dir = Files.createTempDirectory(Path.of("/tmp"), "session-lock-pg-");
      Path data = dir.resolve("data");
      if (root) {
        run(List.of("chown", "postgres:postgres", dir.toString()), false);
        dir.toFile().setExecutable(true, false);
      }
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres",
          "--no-sync", "-E", "UTF8"), root);
      run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-l", dir.resolve("log").toString(),
          "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir + " -c fsync=off", "start"), root);
      Path pgCtl = bin.resolve("pg_ctl");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          run(List.of(pgCtl.toString(), "-D", data.toString(), "-m", "immediate", "stop"), root);
          run(List.of("rm", "-rf", dir.toString()), false);
        } catch (IOException | InterruptedException ignored) {
          // the JVM is ending
        }
      }));
      return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    } catch (IOException | InterruptedException e) {
      return unavailable("it did not start: " + e.getMessage());
    }
  }

  private static void run(List<String> command, boolean asPostgres) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asPostgres) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output.strip());
    }
  }
}
