package dev.parallelsessionlock.markdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.vavr.control.Either;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Claim then unclaim gives back the file byte for byte, over generated items: random keys and values in every
 * quoting style, comments, CRLF or LF, a byte order mark or not, the claim fields anywhere in any empty style,
 * and bodies with {@code ---} lines. The claimed file reads back the session and the time.
 */
final class FrontMatterProperties {

  private static final String AT = "2026-11-29T10:00:00.123Z";
  private static final List<String> KEYS = List.of("title", "status", "priority", "created_at", "related", "x_y",
      "blocked_by", "provider", "spec_ref", "commit");
  private static final List<String> VALUES = List.of("pending", "'single quoted: yes'", "\"double \\\"esc\\\" \u00e9\"",
      "[WRK-094, WRK-118]", "[]", "42", "2026-02-16T19:30:00Z", "", "high # trailing comment", "\"\"", "~",
      "multi word plain", "'it''s'");
  private static final List<String> EMPTY_STYLES = List.of("\"\"", "''", "");
  private static final List<String> SESSIONS = List.of("12aecf44-2676-4299-80aa-9ec911ca6543", "sess-1", "a b c",
      "agent-pid-4242");
  private static final List<String> BODIES = List.of("", "\n## What\n\ntext\n", "\n---\n\nafter a rule\n---\n",
      "no blank line\n", "\n```yaml\nlocked_by: \"\"\n```\n");

  /** The parts of one generated item. */
  record Item(boolean bom, boolean crlf, List<Integer> entries, int byAt, int atAt, int byStyle, int atStyle,
      int comment, int body, int session) {}

  private static final Gen<Item> ITEMS = booleans().all().zip(booleans().all(),
      lists().of(integers().between(0, KEYS.size() * VALUES.size() - 1)).ofSizeBetween(0, 6),
      integers().between(0, 6), integers().between(0, 6), (bom, crlf, entries, byAt, atAt) ->
          new Item(bom, crlf, entries, byAt, atAt, 0, 0, 0, 0, 0))
      .zip(integers().between(0, EMPTY_STYLES.size() - 1), integers().between(0, EMPTY_STYLES.size() - 1),
          integers().between(0, 2), (item, byStyle, atStyle, comment) -> new Item(item.bom(), item.crlf(),
              item.entries(), item.byAt(), item.atAt(), byStyle, atStyle, comment, 0, 0))
      .zip(integers().between(0, BODIES.size() - 1), integers().between(0, SESSIONS.size() - 1),
          (item, body, session) -> new Item(item.bom(), item.crlf(), item.entries(), item.byAt(), item.atAt(),
              item.byStyle(), item.atStyle(), item.comment(), body, session));

  static String render(Item item) {
    List<String> lines = new ArrayList<>();
    for (int entry : item.entries()) {
      lines.add(KEYS.get(entry / VALUES.size()) + ": " + VALUES.get(entry % VALUES.size()));
    }
    if (item.comment() == 1) {
      lines.add(0, "# a comment line");
    }
    String by = "locked_by:" + (EMPTY_STYLES.get(item.byStyle()).isEmpty() ? "" : " " + EMPTY_STYLES.get(item.byStyle()));
    String at = "locked_at:" + (EMPTY_STYLES.get(item.atStyle()).isEmpty() ? "" : " " + EMPTY_STYLES.get(item.atStyle()))
        + (item.comment() == 2 ? "  # set by claim_wrk" : "");
    lines.add(Math.min(item.byAt(), lines.size()), by);
    lines.add(Math.min(item.atAt(), lines.size()), at);
    String eol = item.crlf() ? "\r\n" : "\n";
    StringBuilder text = new StringBuilder(item.bom() ? "\uFEFF" : "").append("---").append(eol);
    for (String line : lines) {
      text.append(line).append(eol);
    }
    text.append("---").append(eol).append(BODIES.get(item.body()).replace("\n", eol));
    return text.toString();
  }

  private static FrontMatter parse(String text) {
    Either<Malformed, FrontMatter> parsed = FrontMatter.parse(Path.of("item.md"), text.getBytes(StandardCharsets.UTF_8));
    assertThat(parsed.isRight()).as("%s\n%s", parsed, text).isTrue();
    return parsed.get();
  }

  @Test
  void claimThenUnclaim_givesBackTheSameBytes_andTheClaimReadsBack() {
    qt().withExamples(1000).forAll(ITEMS).checkAssert(item -> {
      String original = render(item);
      String session = SESSIONS.get(item.session());

      String claimed = parse(original).withClaim(session, AT);
      FrontMatter read = parse(claimed);

      assertThat(read.lockedBy()).as(claimed).contains(session);
      assertThat(read.lockedAt()).as(claimed).contains(AT);
      assertThat(parse(read.withClaim("other-session", AT)).lockedBy()).as("a takeover").contains("other-session");
      assertThat(read.withoutClaim()).as("unclaimed\n%s\nfrom\n%s", claimed, original).isEqualTo(original);
      assertThat(claimed.substring(claimed.indexOf("---", 4))).as("the body").isEqualTo(
          original.substring(original.indexOf("---", 4)));
    });
  }
}
