package dev.parallelsessionlock.markdown;

import io.vavr.control.Either;
import io.vavr.control.Option;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * A markdown work item's YAML frontmatter ({@code ---} ... {@code ---} at the top of the file), read with SnakeYAML
 * Engine, and the claim it holds: {@code locked_by} and {@code locked_at}. Edits are splices of the original text:
 * {@link #withClaim} and {@link #withoutClaim} change only the two values (inside the quotes they had), so every
 * other byte (key order, comments, quoting, CRLF or LF, a UTF-8 byte order mark, the body) stays as it was, and
 * a claim followed by an unclaim gives back the file it started from.
 */
public final class FrontMatter {

  private static final String BOM = "\uFEFF";

  /** One claim field's value as it sits in the text: where, and in which style. */
  record Field(int start, int end, ScalarStyle style, String value, int line) {}

  private final Path file;
  private final String text;
  private final String lineEnd;
  /** Where the closing {@code ---} line starts: new fields go just before it. */
  private final int closing;
  private final Option<Field> lockedBy;
  private final Option<Field> lockedAt;
  private final Option<String> id;

  private FrontMatter(Path file, String text, String lineEnd, int closing, Option<Field> lockedBy,
      Option<Field> lockedAt, Option<String> id) {
    this.file = file;
    this.text = text;
    this.lineEnd = lineEnd;
    this.closing = closing;
    this.lockedBy = lockedBy;
    this.lockedAt = lockedAt;
    this.id = id;
  }

  /** The frontmatter of {@code file}'s {@code bytes}, or why it has none that can hold a claim. */
  public static Either<Malformed, FrontMatter> parse(Path file, byte[] bytes) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return Either.left(new Malformed(file, 1, "not UTF-8 text"));
    }
    int start = text.startsWith(BOM) ? 1 : 0;
    int firstEnd = text.indexOf('\n', start);
    if (firstEnd < 0 || !text.substring(start, firstEnd).replace("\r", "").stripTrailing().equals("---")) {
      return Either.left(new Malformed(file, 1, "no YAML frontmatter: a work item starts with a '---' line"));
    }
    String lineEnd = firstEnd > start && text.charAt(firstEnd - 1) == '\r' ? "\r\n" : "\n";
    int yamlStart = firstEnd + 1;
    int closing = -1;
    int lineNo = 2;
    for (int at = yamlStart; at < text.length(); lineNo++) {
      int end = text.indexOf('\n', at);
      String line = (end < 0 ? text.substring(at) : text.substring(at, end)).replace("\r", "").stripTrailing();
      if (line.equals("---") || line.equals("...")) {
        closing = at;
        break;
      }
      if (end < 0) {
        break;
      }
      at = end + 1;
    }
    if (closing < 0) {
      return Either.left(new Malformed(file, 1, "the frontmatter is not closed by a '---' line"));
    }
    String yaml = text.substring(yamlStart, closing);
    Node root;
    try {
      LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).build();
      Composer composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, yaml)));
      Optional<Node> node = composer.getSingleNode();
      if (node.isEmpty()) {
        return Either.right(new FrontMatter(file, text, lineEnd, closing, Option.none(), Option.none(), Option.none()));
      }
      root = node.get();
    } catch (MarkedYamlEngineException e) {
      int line = e.getProblemMark().map(mark -> mark.getLine() + 2).orElse(2);
      return Either.left(new Malformed(file, line, "malformed YAML: " + oneLine(e.getProblem())));
    } catch (YamlEngineException e) {
      return Either.left(new Malformed(file, 2, "malformed YAML: " + oneLine(e.getMessage())));
    }
    if (!(root instanceof MappingNode mapping)) {
      return Either.left(new Malformed(file, 2, "the frontmatter is not a mapping of keys to values"));
    }
    Option<Field> lockedBy = Option.none();
    Option<Field> lockedAt = Option.none();
    Option<String> id = Option.none();
    for (NodeTuple tuple : mapping.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
        continue;
      }
      String name = key.getValue();
      if (name.equals("locked_by") || name.equals("locked_at")) {
        Either<Malformed, Field> field = field(file, yaml, yamlStart, name, key, tuple.getValueNode());
        if (field.isLeft()) {
          return Either.left(field.getLeft());
        }
        if (name.equals("locked_by")) {
          lockedBy = Option.some(field.get());
        } else {
          lockedAt = Option.some(field.get());
        }
      } else if (name.equals("id") && tuple.getValueNode() instanceof ScalarNode value) {
        id = Option.some(value.getValue());
      }
    }
    return Either.right(new FrontMatter(file, text, lineEnd, closing, lockedBy, lockedAt, id));
  }

  private static Either<Malformed, Field> field(Path file, String yaml, int offset, String name, ScalarNode key,
      Node valueNode) {
    int line = key.getStartMark().map(mark -> mark.getLine() + 2).orElse(2);
    if (!(valueNode instanceof ScalarNode value)) {
      return Either.left(new Malformed(file, line, name + " is not a string"));
    }
    boolean isNull = value.getTag().equals(Tag.NULL);
    if (!isNull && !value.getTag().equals(Tag.STR)) {
      return Either.left(new Malformed(file, line, name + " is not a string (" + value.getValue() + ")"));
    }
    ScalarStyle style = value.getScalarStyle();
    if (style == ScalarStyle.LITERAL || style == ScalarStyle.FOLDED) {
      return Either.left(new Malformed(file, line, name + " must be a one-line string"));
    }
    Optional<Mark> keyEnd = key.getEndMark();
    Optional<Mark> start = value.getStartMark();
    Optional<Mark> end = value.getEndMark();
    if (keyEnd.isEmpty() || start.isEmpty() || end.isEmpty()) {
      return Either.left(new Malformed(file, line, name + ": cannot tell where its value is"));
    }
    int from;
    int to;
    if (isNull && style == ScalarStyle.PLAIN && value.getValue().isEmpty()) {
      // `locked_by:` with nothing after it: the value goes right after the colon.
      int colon = yaml.indexOf(':', charIndex(yaml, keyEnd.get().getIndex()));
      if (colon < 0) {
        return Either.left(new Malformed(file, line, name + ": cannot tell where its value is"));
      }
      from = colon + 1;
      to = from;
    } else {
      from = charIndex(yaml, start.get().getIndex());
      to = charIndex(yaml, end.get().getIndex());
    }
    if (yaml.substring(from, to).indexOf('\n') >= 0) {
      return Either.left(new Malformed(file, line, name + " must be a one-line string"));
    }
    return Either.right(new Field(offset + from, offset + to, style, isNull ? "" : value.getValue(), line));
  }

  /** SnakeYAML counts code points; Java strings count chars. */
  private static int charIndex(String text, int codePoints) {
    return text.offsetByCodePoints(0, Math.min(codePoints, text.codePointCount(0, text.length())));
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.replace('\n', ' ').replace('\r', ' ').strip();
  }

  public Path file() {
    return file;
  }

  /** The item's {@code id}, when its frontmatter has one. */
  public Option<String> id() {
    return id;
  }

  /** The session that holds the claim; none when {@code locked_by} is empty or absent. */
  public Option<String> lockedBy() {
    return lockedBy.map(Field::value).filter(v -> !v.isBlank());
  }

  /** {@code locked_at} as written (empty when unclaimed). */
  public Option<String> lockedAt() {
    return lockedAt.map(Field::value).filter(v -> !v.isBlank());
  }

  /** The line of {@code locked_at}, for a problem with its value. */
  public int lockedAtLine() {
    return lockedAt.map(Field::line).getOrElse(1);
  }

  /**
   * When the claim began: none when the item is unclaimed (no {@code locked_by}); malformed, at the line of
   * {@code locked_at}, when it is claimed and {@code locked_at} is no ISO-8601 UTC time.
   */
  public Either<Malformed, Option<java.time.Instant>> claimedAt() {
    if (lockedBy().isEmpty()) {
      return Either.right(Option.none());
    }
    try {
      return Either.right(Option.some(java.time.Instant.parse(lockedAt().getOrElse(""))));
    } catch (java.time.format.DateTimeParseException e) {
      return Either.left(new Malformed(file, lockedAtLine(),
          "locked_at is not an ISO-8601 UTC time (" + lockedAt().getOrElse("empty") + ")"));
    }
  }

  /** The file's text with the claim set to {@code session} at {@code at} (ISO-8601), each in its field's style. */
  public String withClaim(String session, String at) {
    if (lockedBy.isEmpty() && lockedAt.isEmpty()) {
      return text.substring(0, closing) + "locked_by: " + quoted(session) + lineEnd + "locked_at: " + quoted(at)
          + lineEnd + text.substring(closing);
    }
    if (lockedBy.isEmpty() || lockedAt.isEmpty()) {
      String missing = lockedBy.isEmpty() ? "locked_by: " + quoted(session) : "locked_at: " + quoted(at);
      String edited = splice(text, lockedBy.isDefined() ? lockedBy.get() : lockedAt.get(),
          lockedBy.isDefined() ? session : at);
      int shift = edited.length() - text.length();
      return edited.substring(0, closing + shift) + missing + lineEnd + edited.substring(closing + shift);
    }
    Field first = lockedBy.get().start() < lockedAt.get().start() ? lockedBy.get() : lockedAt.get();
    Field second = first == lockedBy.get() ? lockedAt.get() : lockedBy.get();
    String later = splice(text, second, second == lockedBy.get() ? session : at);
    return splice(later, first, first == lockedBy.get() ? session : at);
  }

  /** The file's text with both claim fields emptied, each in its field's style. */
  public String withoutClaim() {
    String result = text;
    Field[] fields = lockedBy.isDefined() && lockedAt.isDefined() && lockedBy.get().start() > lockedAt.get().start()
        ? new Field[] {lockedBy.getOrNull(), lockedAt.getOrNull()}
        : new Field[] {lockedAt.getOrNull(), lockedBy.getOrNull()};
    for (Field field : fields) {
      if (field != null) {
        result = splice(result, field, "");
      }
    }
    return result;
  }

  /** {@code text} with {@code field}'s value replaced by {@code value}, in the field's style. */
  private static String splice(String text, Field field, String value) {
    String replacement;
    int from = field.start();
    int to = field.end();
    switch (field.style()) {
      case DOUBLE_QUOTED:
        replacement = "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        break;
      case SINGLE_QUOTED:
        replacement = "'" + value.replace("'", "''") + "'";
        break;
      default:
        if (value.isEmpty()) {
          replacement = "";
          if (from > 0 && text.charAt(from - 1) == ' ' && from > 1 && text.charAt(from - 2) == ':') {
            from--; // the space a claim put after the colon
          }
        } else {
          replacement = (from == to && from > 0 && text.charAt(from - 1) == ':' ? " " : "")
              + (isPlainSafe(value) ? value : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        }
    }
    return text.substring(0, from) + replacement + text.substring(to);
  }

  /** A value written where the file has none: double-quoted, as the seed's template has its empty claim. */
  private static String quoted(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** Whether {@code value} reads back as the same string when written plain (not a number, bool or null). */
  private static boolean isPlainSafe(String value) {
    if (value.isEmpty() || "-?:,[]{}#&*!|>'\"%@`~ ".indexOf(value.charAt(0)) >= 0 || value.endsWith(" ")) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == '#' || (c == ':' && (i + 1 == value.length() || value.charAt(i + 1) == ' '))) {
        return false;
      }
    }
    return LoadSettings.builder().build().getSchema().getScalarResolver().resolve(value, true).equals(Tag.STR);
  }
}
