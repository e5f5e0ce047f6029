package dev.parallelsessionlock.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * The test oracle: the glob rules of {@link Glob}, matched by plain backtracking on the pattern text, with no
 * automaton in sight. Braces are expanded first; a trailing '/' means "any path below".
 */
final class ReferenceGlob {

  private ReferenceGlob() {}

  static boolean matches(String pattern, String path) {
    String body = pattern.startsWith("./") ? pattern.substring(2) : pattern;
    for (String expanded : expand(body)) {
      if (expanded.endsWith("/")) {
        String dir = expanded.substring(0, expanded.length() - 1);
        for (int k = 0; k < path.length(); k++) {
          if (path.charAt(k) == '/' && k + 1 < path.length() && match(dir, 0, path.substring(0, k), 0)) {
            return true;
          }
        }
      } else if (match(expanded, 0, path, 0)) {
        return true;
      }
    }
    return false;
  }

  /** Every brace alternative spelled out: {@code a{b,c{d,e}}} gives ab, acd, ace. */
  static List<String> expand(String pattern) {
    int open = -1;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '[') {
        i = pattern.indexOf(']', i + 2);
      } else if (c == '{') {
        open = i;
        break;
      }
    }
    if (open < 0) {
      return List.of(pattern);
    }
    int depth = 0;
    int start = open + 1;
    List<String> alternatives = new ArrayList<>();
    int close = -1;
    for (int i = open; i < pattern.length() && close < 0; i++) {
      char c = pattern.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
        if (depth == 0) {
          alternatives.add(pattern.substring(start, i));
          close = i;
        }
      } else if (c == ',' && depth == 1) {
        alternatives.add(pattern.substring(start, i));
        start = i + 1;
      }
    }
    List<String> out = new ArrayList<>();
    for (String alternative : alternatives) {
      out.addAll(expand(pattern.substring(0, open) + alternative + pattern.substring(close + 1)));
    }
    return out;
  }

  private static boolean match(String p, int i, String s, int j) {
    if (i == p.length()) {
      return j == s.length();
    }
    char c = p.charAt(i);
    if (c == '*') {
      boolean segmentStart = i == 0 || p.charAt(i - 1) == '/';
      if (segmentStart && i + 1 < p.length() && p.charAt(i + 1) == '*') {
        if (i + 2 == p.length()) {
          return true;
        }
        if (p.charAt(i + 2) == '/') {
          for (int k = j; k <= s.length(); k++) {
            if ((k == j || s.charAt(k - 1) == '/') && match(p, i + 3, s, k)) {
              return true;
            }
          }
          return false;
        }
      }
      int next = i;
      while (next < p.length() && p.charAt(next) == '*') {
        next++;
      }
      for (int k = j; k <= s.length(); k++) {
        if (k > j && s.charAt(k - 1) == '/') {
          break;
        }
        if (match(p, next, s, k)) {
          return true;
        }
      }
      return false;
    }
    if (j >= s.length()) {
      return false;
    }
    char d = s.charAt(j);
    if (c == '?') {
      return d != '/' && match(p, i + 1, s, j + 1);
    }
    if (c == '[') {
      int k = i + 1;
      boolean negated = p.charAt(k) == '!' || p.charAt(k) == '^';
      if (negated) {
        k++;
      }
      boolean in = false;
      boolean first = true;
      while (first || p.charAt(k) != ']') {
        first = false;
        char lo = p.charAt(k);
        if (lo == '\\') {
          lo = p.charAt(++k);
        }
        if (k + 2 < p.length() && p.charAt(k + 1) == '-' && p.charAt(k + 2) != ']') {
          in |= d >= lo && d <= p.charAt(k + 2);
          k += 3;
        } else {
          in |= d == lo;
          k++;
        }
      }
      return d != '/' && in != negated && match(p, k + 1, s, j + 1);
    }
    if (c == '\\') {
      return d == p.charAt(i + 1) && match(p, i + 2, s, j + 1);
    }
    return c == d && match(p, i + 1, s, j + 1);
  }
}
