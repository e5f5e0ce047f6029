package dev.parallelsessionlock.plan;

import dk.brics.automaton.Automaton;
import dk.brics.automaton.BasicAutomata;
import io.vavr.control.Either;
import java.util.ArrayList;
import java.util.List;

/**
 * A path glob relative to the repository root, as a finite automaton over the path's characters, so that two
 * globs overlap exactly when the intersection of their automata is not empty.
 *
 * <pre>
 * *        any characters but '/'              ?       one character but '/'
 * **       as a whole segment: any number of   [abc] [a-z] [!a] [^a]   one character of (not of) the class
 *          folders ("a/**&#47;b" matches a/b and a/x/y/b); at the end: everything below
 * {a,b}    either alternative (nested ok)       \c      the character c itself
 * dir/     a trailing '/': every path under dir
 * </pre>
 *
 * Patterns are relative: a leading {@code ./} is dropped; a leading {@code /} or a {@code ..} segment is refused.
 *
 * @param pattern the glob as written
 * @param automaton the paths it matches
 * @param literalPrefix the pattern up to its first wildcard: two globs overlap only if one's literal prefix
 *     starts the other's
 */
public record Glob(String pattern, Automaton automaton, String literalPrefix) {

  private static final Automaton SLASH = BasicAutomata.makeChar('/');
  /** One character of a path segment: anything but '/'. */
  private static final Automaton SEGMENT_CHAR =
      BasicAutomata.makeCharRange('\u0000', '.').union(BasicAutomata.makeCharRange('0', '\uffff'));
  /**
   * Paths whose segments look like file names, from the plainest to the least plain: what examples are drawn
   * from, the first that has one (src/api/a.ts rather than src/api/.ts or src/api/0.ts).
   */
  private static final java.util.List<Automaton> NICE_PATHS;

  static {
    Automaton letter = BasicAutomata.makeCharRange('a', 'z');
    Automaton alnum = letter.union(BasicAutomata.makeCharRange('0', '9'));
    // name.ext.ext: a letter first, dots only between letters and digits
    Automaton plain = letter.concatenate(alnum.repeat())
        .concatenate(BasicAutomata.makeChar('.').concatenate(alnum.repeat(1)).repeat());
    Automaton loose = alnum.concatenate(alnum.union(BasicAutomata.makeCharSet("._-")).repeat());
    NICE_PATHS = java.util.List.of(paths(plain), paths(loose));
  }

  private static Automaton paths(Automaton segment) {
    Automaton paths = segment.concatenate(SLASH.concatenate(segment).repeat());
    paths.minimize();
    return paths;
  }

  /** The glob, or one line saying what is wrong and where. */
  public static Either<String, Glob> parse(String pattern) {
    String body = pattern.startsWith("./") ? pattern.substring(2) : pattern;
    if (body.isEmpty()) {
      return Either.left("an empty pattern");
    }
    if (body.startsWith("/")) {
      return Either.left("'" + pattern + "' is absolute; patterns are relative to the repository root");
    }
    for (String segment : body.split("/", -1)) {
      if (segment.equals("..")) {
        return Either.left("'" + pattern + "' leaves the repository ('..')");
      }
    }
    boolean directory = body.endsWith("/");
    Parser parser = new Parser(directory ? body.substring(0, body.length() - 1) : body);
    try {
      Automaton automaton = parser.sequence(false);
      if (parser.at < parser.text.length()) {
        throw parser.error("unexpected '" + parser.text.charAt(parser.at) + "'");
      }
      if (directory) {
        automaton = automaton.concatenate(SLASH).concatenate(BasicAutomata.makeAnyChar())
            .concatenate(BasicAutomata.makeAnyString());
      }
      // Not minimized: most globs of a plan are never intersected.
      return Either.right(new Glob(pattern, automaton, literalPrefixOf(body)));
    } catch (IllegalArgumentException e) {
      return Either.left("'" + pattern + "': " + e.getMessage());
    }
  }

  private static String literalPrefixOf(String body) {
    for (int i = 0; i < body.length(); i++) {
      if ("*?[{\\".indexOf(body.charAt(i)) >= 0) {
        return body.substring(0, i);
      }
    }
    return body;
  }

  /** A cheap necessary condition for {@link #overlaps}: the literal prefixes are compatible. */
  public boolean mayOverlap(Glob other) {
    return literalPrefix.startsWith(other.literalPrefix) || other.literalPrefix.startsWith(literalPrefix);
  }

  /** Whether some path matches both globs. */
  public boolean overlaps(Glob other) {
    return !automaton.intersection(other.automaton).isEmpty();
  }

  /**
   * A path both globs match, the shortest with "nice" segments when there is one (src/api/a.ts rather than
   * src/api/.ts), else the shortest of all; none when they are disjoint.
   */
  public io.vavr.control.Option<String> commonExample(Glob other) {
    return example(automaton.intersection(other.automaton));
  }

  /** A path {@code automaton} accepts, preferring nice segments; none when it accepts nothing. */
  static io.vavr.control.Option<String> example(Automaton automaton) {
    if (automaton.isEmpty()) {
      return io.vavr.control.Option.none();
    }
    for (Automaton nice : NICE_PATHS) {
      String example = automaton.intersection(nice).getShortestExample(true);
      if (example != null) {
        return io.vavr.control.Option.some(example);
      }
    }
    return io.vavr.control.Option.some(automaton.getShortestExample(true));
  }

  /** Whether {@code path} matches. */
  public boolean matches(String path) {
    return automaton.run(path);
  }

  /** Recursive descent over the pattern; {@code at} is where it reads. */
  private static final class Parser {
    final String text;
    int at;

    Parser(String text) {
      this.text = text;
    }

    IllegalArgumentException error(String what) {
      return new IllegalArgumentException(what + " at character " + (at + 1));
    }

    /** Elements up to the end, or (inside braces) up to a top-level ',' or '}'. */
    Automaton sequence(boolean inBraces) {
      List<Automaton> parts = new ArrayList<>();
      while (at < text.length()) {
        char c = text.charAt(at);
        if (inBraces && (c == ',' || c == '}')) {
          break;
        }
        if (c == '*') {
          boolean segmentStart = at == 0 || text.charAt(at - 1) == '/';
          if (at + 1 < text.length() && text.charAt(at + 1) == '*' && segmentStart) {
            int after = at + 2;
            if (after == text.length()) {
              at = after;
              parts.add(BasicAutomata.makeAnyString());
              continue;
            }
            if (text.charAt(after) == '/') {
              at = after + 1;
              parts.add(SEGMENT_CHAR.repeat().concatenate(SLASH).repeat()); // zero or more folders
              continue;
            }
          }
          while (at < text.length() && text.charAt(at) == '*') {
            at++;
          }
          parts.add(SEGMENT_CHAR.repeat());
        } else if (c == '?') {
          at++;
          parts.add(SEGMENT_CHAR);
        } else if (c == '[') {
          parts.add(characterClass());
        } else if (c == '{') {
          at++;
          List<Automaton> alternatives = new ArrayList<>();
          while (true) {
            alternatives.add(sequence(true));
            if (at >= text.length()) {
              throw error("'{' is not closed");
            }
            char end = text.charAt(at++);
            if (end == '}') {
              break;
            }
          }
          parts.add(Automaton.union(alternatives));
        } else if (c == '\\') {
          if (at + 1 >= text.length()) {
            throw error("a '\\' at the end");
          }
          parts.add(BasicAutomata.makeChar(text.charAt(at + 1)));
          at += 2;
        } else if (c == ']' || c == '}' || (c == ',' && inBraces)) {
          throw error("unexpected '" + c + "'");
        } else {
          at++;
          parts.add(BasicAutomata.makeChar(c));
        }
      }
      return parts.isEmpty() ? BasicAutomata.makeEmptyString() : Automaton.concatenate(parts);
    }

    Automaton characterClass() {
      int start = at;
      at++; // '['
      boolean negated = at < text.length() && (text.charAt(at) == '!' || text.charAt(at) == '^');
      if (negated) {
        at++;
      }
      Automaton set = BasicAutomata.makeEmpty();
      boolean first = true;
      while (true) {
        if (at >= text.length()) {
          at = start;
          throw error("'[' is not closed");
        }
        char c = text.charAt(at);
        if (c == ']' && !first) {
          at++;
          break;
        }
        first = false;
        if (c == '\\' && at + 1 < text.length()) {
          c = text.charAt(++at);
        }
        if (at + 2 < text.length() && text.charAt(at + 1) == '-' && text.charAt(at + 2) != ']') {
          char end = text.charAt(at + 2);
          if (end < c) {
            throw error("the range " + c + "-" + end + " is backwards");
          }
          set = set.union(BasicAutomata.makeCharRange(c, end));
          at += 3;
        } else {
          set = set.union(BasicAutomata.makeChar(c));
          at++;
        }
      }
      return negated ? SEGMENT_CHAR.minus(set) : set.intersection(SEGMENT_CHAR);
    }
  }
}
