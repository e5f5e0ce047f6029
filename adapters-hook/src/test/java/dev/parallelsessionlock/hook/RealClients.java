package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The real agent clients the end-to-end tests run ({@code claude}, {@code codex}): the binary that {@code
 * SESSION_LOCK_TEST_<NAME>} names, else the one on PATH. None found: the test is skipped and says so, except under
 * {@code CI=true} when {@code SESSION_LOCK_REAL_CLIENTS} asks for that client ({@code .ci/run} installs it), where it
 * fails.
 */
final class RealClients {

  private RealClients() {}

  /** The binary of {@code name} ({@code claude}), for the test class {@code test}. */
  static Path find(String name, Class<?> test) {
    String variable = "SESSION_LOCK_TEST_" + name.toUpperCase(java.util.Locale.ROOT);
    String explicit = System.getenv(variable);
    if (explicit != null && Files.isExecutable(Path.of(explicit))) {
      return Path.of(explicit);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Path.of(dir, name);
      }
    }
    String asked = System.getenv().getOrDefault("SESSION_LOCK_REAL_CLIENTS", "");
    if ("true".equals(System.getenv("CI")) && asked.contains(name)) {
      fail("SESSION_LOCK_REAL_CLIENTS asks for " + name + ", but no " + name + " binary was found (" + variable
          + ", PATH)");
    }
    System.out.println(test.getSimpleName() + " skipped: no " + name + " binary (set " + variable + " or put " + name
        + " on PATH)");
    Assumptions.abort("no " + name + " binary");
    return null;
  }
}
