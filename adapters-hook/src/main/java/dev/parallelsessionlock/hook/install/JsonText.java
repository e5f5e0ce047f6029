package dev.parallelsessionlock.hook.install;

import java.util.ArrayList;
import java.util.List;

/**
 * Where things stand in a JSON text: every value's span, and for objects each member's key and value. It
 * lets the installer edit a user's settings file by splicing text, so every byte it does not own (number
 * literals such as {@code 1e3}, spacing, key order) stays exactly as the user wrote it. It assumes text that
 * a JSON parser has already accepted; it does not validate.
 */
final class JsonText {

  /** A value's extent, {@code [start, end)}; objects and arrays also list their parts. */
  static final class Node {
    final int start;
    int end;
    final char kind; // '{', '[', or 'v' for any other value
    final List<Member> members = new ArrayList<>();
    final List<Node> elements = new ArrayList<>();

    Node(int start, char kind) {
      this.start = start;
      this.kind = kind;
    }

    Member member(String key) {
      for (Member member : members) {
        if (member.key.equals(key)) {
          return member;
        }
      }
      return null;
    }
  }

  /** An object member: the key's span starts at {@code keyStart}; the value is {@code value}. */
  static final class Member {
    final String key;
    final int keyStart;
    final Node value;

    Member(String key, int keyStart, Node value) {
      this.key = key;
      this.keyStart = keyStart;
      this.value = value;
    }
  }

  private final String text;
  private int at;

  private JsonText(String text) {
    this.text = text;
  }

  /** The spans of the one value in {@code text}. */
  static Node parse(String text) {
    JsonText parser = new JsonText(text);
    parser.skipSpace();
    return parser.value();
  }

  private Node value() {
    char c = text.charAt(at);
    if (c == '{') {
      Node node = new Node(at++, '{');
      skipSpace();
      while (text.charAt(at) != '}') {
        int keyStart = at;
        String key = string();
        skipSpace();
        at++; // ':'
        skipSpace();
        node.members.add(new Member(key, keyStart, value()));
        skipSpace();
        if (text.charAt(at) == ',') {
          at++;
          skipSpace();
        }
      }
      node.end = ++at;
      return node;
    }
    if (c == '[') {
      Node node = new Node(at++, '[');
      skipSpace();
      while (text.charAt(at) != ']') {
        node.elements.add(value());
        skipSpace();
        if (text.charAt(at) == ',') {
          at++;
          skipSpace();
        }
      }
      node.end = ++at;
      return node;
    }
    Node node = new Node(at, 'v');
    if (c == '"') {
      string();
    } else {
      while (at < text.length() && ",]} \t\r\n".indexOf(text.charAt(at)) < 0) {
        at++;
      }
    }
    node.end = at;
    return node;
  }

  private String string() {
    StringBuilder out = new StringBuilder();
    at++; // opening quote
    while (text.charAt(at) != '"') {
      char c = text.charAt(at++);
      if (c == '\\') {
        char e = text.charAt(at++);
        switch (e) {
          case 'n': out.append('\n'); break;
          case 't': out.append('\t'); break;
          case 'r': out.append('\r'); break;
          case 'b': out.append('\b'); break;
          case 'f': out.append('\f'); break;
          case 'u': out.append((char) Integer.parseInt(text.substring(at, at + 4), 16)); at += 4; break;
          default: out.append(e);
        }
      } else {
        out.append(c);
      }
    }
    at++;
    return out.toString();
  }

  private void skipSpace() {
    while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
      at++;
    }
  }

  // ---- splicing ------------------------------------------------------------------------------------------

  /** The whitespace that indents the line {@code position} is on (up to the first non-blank). */
  static String lineIndent(String text, int position) {
    int lineStart = text.lastIndexOf('\n', position - 1) + 1;
    int end = lineStart;
    while (end < text.length() && (text.charAt(end) == ' ' || text.charAt(end) == '\t')) {
      end++;
    }
    return text.substring(lineStart, end);
  }

  /**
   * One indentation step of the file: the indent of the first line that holds a member of the outer value, or
   * two spaces; empty for text on one line (then inserted values stay on one line too).
   */
  static String indentUnit(String text, Node root) {
    if (text.indexOf('\n', root.start) < 0 || text.indexOf('\n', root.start) > root.end) {
      return "";
    }
    for (Member member : root.members) {
      String indent = lineIndent(text, member.keyStart);
      if (!indent.isEmpty() && text.lastIndexOf('\n', member.keyStart) > root.start) {
        return indent;
      }
    }
    return "  ";
  }

  /**
   * {@code text} with {@code item} (a member {@code "key": value} or an array element, already rendered for
   * the container's depth) added last in {@code container}. In an empty container it goes on a line of its own
   * ({@code childIndent}); otherwise right after the last part, with the separator the file uses there, so that
   * {@link #removePart} of it restores the bytes.
   */
  static String appendPart(String text, Node container, String item, String childIndent, String closingIndent,
      boolean multiline) {
    int lastEnd = lastPartEnd(container);
    if (lastEnd < 0) {
      String inner = multiline ? "\n" + childIndent + item + "\n" + closingIndent : item;
      return text.substring(0, container.start + 1) + inner + text.substring(container.end - 1);
    }
    String separator = "," + (multiline ? "\n" + childIndent : separatorBeforeLast(text, container));
    return text.substring(0, lastEnd) + separator + item + text.substring(lastEnd);
  }

  /**
   * {@code text} without part {@code index} of {@code container} (a member or an element): from the end of
   * the part before it, or, for the first part, up to the next one; the container's inside is emptied when it
   * was the only part.
   */
  static String removePart(String text, Node container, int index) {
    int count = container.kind == '{' ? container.members.size() : container.elements.size();
    if (count == 1) {
      return text.substring(0, container.start + 1) + text.substring(container.end - 1);
    }
    if (index > 0) {
      return text.substring(0, partEnd(container, index - 1)) + text.substring(partEnd(container, index));
    }
    return text.substring(0, partStart(container, 0)) + text.substring(partStart(container, 1));
  }

  /** {@code text} with part {@code index} of {@code container} replaced by {@code item}. */
  static String replacePart(String text, Node container, int index, String item) {
    return text.substring(0, partStart(container, index)) + item + text.substring(partEnd(container, index));
  }

  static int partStart(Node container, int index) {
    return container.kind == '{' ? container.members.get(index).keyStart : container.elements.get(index).start;
  }

  static int partEnd(Node container, int index) {
    return container.kind == '{' ? container.members.get(index).value.end : container.elements.get(index).end;
  }

  private static int lastPartEnd(Node container) {
    int count = container.kind == '{' ? container.members.size() : container.elements.size();
    return count == 0 ? -1 : partEnd(container, count - 1);
  }

  /** The whitespace between the comma before the last part and that part, e.g. {@code " "} in {@code [1, 2]}. */
  private static String separatorBeforeLast(String text, Node container) {
    int count = container.kind == '{' ? container.members.size() : container.elements.size();
    if (count < 2) {
      return "";
    }
    int start = partStart(container, count - 1);
    int comma = text.lastIndexOf(',', start);
    return comma < partEnd(container, count - 2) ? "" : text.substring(comma + 1, start);
  }
}
