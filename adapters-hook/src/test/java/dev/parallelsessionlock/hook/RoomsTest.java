package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The executable's rooms (package-info of {@code dev.parallelsessionlock.hook}) and what each may use, read from
 * the sources: an import, a fully qualified name or a static import of another room counts; comments and string
 * literals do not.
 */
final class RoomsTest {

  static final Path SOURCES = Path.of("src/main/java/dev/parallelsessionlock/hook");
  static final String ENTRY = "entry";

  /** What each room may use besides itself; the entry's shared constants are open to every room. */
  static final Map<String, Set<String>> MAY_USE = Map.of(
      "runtime", Set.of(),
      "install", Set.of("runtime"),
      "commands", Set.of("runtime", "install"),
      ENTRY, Set.of("runtime", "install", "commands"));
  static final Set<String> SHARED = Set.of("ExitCodes", "Version");

  static final Pattern QUALIFIED = Pattern.compile(
      "\\bdev\\.parallelsessionlock\\.hook\\.(?:(runtime|commands|install)\\.)?([A-Z]\\w*)");

  @Test
  void rooms_useOnlyTheRoomsTheyMay() throws IOException {
    assertThat(violations(sources())).isEmpty();
  }

  @Test
  void rooms_aClassThatImportsARoomItMayNot_isReported() {
    Map<Path, String> sources = new TreeMap<>();
    sources.put(SOURCES.resolve("runtime/A.java"), "package dev.parallelsessionlock.hook.runtime;\n"
        + "import dev.parallelsessionlock.hook.commands.Commands;\nfinal class A {}\n");
    sources.put(SOURCES.resolve("install/B.java"), "package dev.parallelsessionlock.hook.install;\n"
        + "final class B { Object c = new dev.parallelsessionlock.hook.SessionLockMain(); }\n");
    sources.put(SOURCES.resolve("runtime/C.java"), "package dev.parallelsessionlock.hook.runtime;\n"
        + "import dev.parallelsessionlock.hook.ExitCodes;\n"
        + "/** {@link dev.parallelsessionlock.hook.install.Installer} */\nfinal class C {}\n");

    assertThat(violations(sources)).containsExactly(
        "install/B.java uses dev.parallelsessionlock.hook.SessionLockMain (entry)",
        "runtime/A.java uses dev.parallelsessionlock.hook.commands.Commands (commands)");
  }

  @Test
  void commandClasses_useEachOtherOneWayOnly() throws IOException {
    Map<String, Set<String>> uses = uses(sources(), "commands");

    assertThat(uses).as("the command classes are read").containsKeys("Commands", "FilesCommands", "CommandContext");
    assertThat(cycle(uses)).as("a cycle between the command classes").isEmpty();
    uses.forEach((name, used) -> assertThat(used).as(name + " uses only what it is given, not Commands")
        .doesNotContain("Commands"));
  }

  @Test
  void cycle_ofClassesThatUseEachOther_isFound() {
    Map<String, Set<String>> uses = new TreeMap<>();
    uses.put("Commands", Set.of("LockCommands", "CommandContext"));
    uses.put("LockCommands", Set.of("CommandContext", "FilesCommands"));
    uses.put("FilesCommands", Set.of("Commands"));
    uses.put("CommandContext", Set.of());

    assertThat(cycle(uses)).containsExactly("Commands", "LockCommands", "FilesCommands", "Commands");
    uses.put("FilesCommands", Set.of("CommandContext"));
    assertThat(cycle(uses)).isEmpty();
  }

  /** For each top-level class of {@code room}, the other classes of that room its code names. */
  static Map<String, Set<String>> uses(Map<Path, String> sources, String room) {
    Map<String, String> code = new TreeMap<>();
    for (Map.Entry<Path, String> source : sources.entrySet()) {
      String file = source.getKey().getFileName().toString();
      if (roomOf(source.getKey()).equals(room) && !file.equals("package-info.java")) {
        code.put(file.substring(0, file.length() - ".java".length()), code(source.getValue()));
      }
    }
    Map<String, Set<String>> uses = new TreeMap<>();
    for (Map.Entry<String, String> one : code.entrySet()) {
      Set<String> used = new java.util.TreeSet<>();
      Matcher word = Pattern.compile("(?<![\\w.])[A-Z]\\w*").matcher(one.getValue());
      while (word.find()) {
        if (code.containsKey(word.group()) && !word.group().equals(one.getKey())) {
          used.add(word.group());
        }
      }
      uses.put(one.getKey(), used);
    }
    return uses;
  }

  /** One cycle of {@code uses}, from a class back to it, or nothing. */
  static List<String> cycle(Map<String, Set<String>> uses) {
    for (String start : uses.keySet()) {
      List<String> path = new ArrayList<>();
      path.add(start);
      if (back(uses, start, path)) {
        return path;
      }
    }
    return List.of();
  }

  private static boolean back(Map<String, Set<String>> uses, String start, List<String> path) {
    for (String next : uses.getOrDefault(path.get(path.size() - 1), Set.of())) {
      if (next.equals(start)) {
        path.add(next);
        return true;
      }
      if (!path.contains(next)) {
        path.add(next);
        if (back(uses, start, path)) {
          return true;
        }
        path.remove(path.size() - 1);
      }
    }
    return false;
  }

  static List<String> violations(Map<Path, String> sources) {
    List<String> found = new ArrayList<>();
    for (Map.Entry<Path, String> source : sources.entrySet()) {
      String room = roomOf(source.getKey());
      Matcher used = QUALIFIED.matcher(code(source.getValue()));
      while (used.find()) {
        String target = used.group(1) == null ? ENTRY : used.group(1);
        boolean allowed = target.equals(room) || MAY_USE.get(room).contains(target)
            || (target.equals(ENTRY) && SHARED.contains(used.group(2)));
        if (!allowed) {
          found.add(SOURCES.relativize(source.getKey()) + " uses " + used.group() + " (" + target + ")");
        }
      }
    }
    return found;
  }

  static String roomOf(Path file) {
    Path relative = SOURCES.relativize(file);
    return relative.getNameCount() == 1 ? ENTRY : relative.getName(0).toString();
  }

  /** The main sources of the executable, by path. */
  static Map<Path, String> sources() throws IOException {
    Map<Path, String> sources = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
        sources.put(file, Files.readString(file, StandardCharsets.UTF_8));
      }
    }
    assertThat(sources).as("the sources are where the test looks").hasSizeGreaterThan(40);
    return sources;
  }

  /** The source without comments, string, text-block and char literals. */
  static String code(String source) {
    StringBuilder code = new StringBuilder(source.length());
    int i = 0;
    while (i < source.length()) {
      if (source.startsWith("//", i)) {
        i = end(source, source.indexOf('\n', i), 0);
      } else if (source.startsWith("/*", i)) {
        i = end(source, source.indexOf("*/", i + 2), 2);
        code.append(' ');
      } else if (source.startsWith("\"\"\"", i)) {
        i = end(source, source.indexOf("\"\"\"", i + 3), 3);
        code.append("\"\"");
      } else if (source.charAt(i) == '"' || source.charAt(i) == '\'') {
        char quote = source.charAt(i);
        int j = i + 1;
        while (j < source.length() && source.charAt(j) != quote) {
          j += source.charAt(j) == '\\' ? 2 : 1;
        }
        i = j + 1;
        code.append(quote).append(quote);
      } else {
        code.append(source.charAt(i));
        i++;
      }
    }
    return code.toString();
  }

  private static int end(String source, int at, int length) {
    return at < 0 ? source.length() : at + length;
  }
}
