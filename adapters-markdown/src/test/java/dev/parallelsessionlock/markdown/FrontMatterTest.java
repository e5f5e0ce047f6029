package dev.parallelsessionlock.markdown;

import static org.assertj.core.api.Assertions.assertThat;

import io.vavr.control.Either;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

final class FrontMatterTest {

  private static final Path FILE = Path.of("WRK-1.md");
  private static final String AT = "2026-11-29T10:00:00Z";

  private static FrontMatter parse(String text) {
    Either<Malformed, FrontMatter> parsed = FrontMatter.parse(FILE, text.getBytes(StandardCharsets.UTF_8));
    assertThat(parsed.isRight()).as("%s", parsed).isTrue();
    return parsed.get();
  }

  private static Malformed malformed(String text) {
    return FrontMatter.parse(FILE, text.getBytes(StandardCharsets.UTF_8)).getLeft();
  }

  @Test
  void theSeedItself_isClaimedByChangingTwoValues_andUnclaimedBackToTheSameBytes() throws Exception {
    Path seed = Path.of(System.getProperty("user.dir")).resolve("../../shared/seeds").normalize();
    String original;
    try (var files = Files.list(seed)) {
      original = Files.readString(files.filter(f -> f.getFileName().toString().startsWith("000_")).findFirst()
          .orElseThrow());
    }
    String withFields = original.replace("provider: claude\n", "provider: claude\nlocked_by: \"\"\nlocked_at: \"\"\n");

    String claimed = parse(withFields).withClaim("sess-1", AT);

    // Only the frontmatter's two values: the body quotes the same text and keeps it.
    assertThat(claimed).isEqualTo(withFields.replaceFirst("locked_by: \"\"", "locked_by: \"sess-1\"")
        .replaceFirst("locked_at: \"\"", "locked_at: \"" + AT + "\""));
    assertThat(claimed).contains("1. Add `locked_by: \"\"` and `locked_at: \"\"` to WRK frontmatter template");
    assertThat(parse(claimed).lockedBy()).contains("sess-1");
    assertThat(parse(claimed).id()).contains("WRK-157");
    assertThat(parse(claimed).withoutClaim()).isEqualTo(withFields);
  }

  @Test
  void itemWithoutTheFields_getsThemAtTheEndOfItsFrontmatter_inItsLineEndings() {
    String crlf = "---\r\nid: WRK-2\r\ntitle: x # a comment\r\n---\r\nbody\r\n---\r\nmore\r\n";

    String claimed = parse(crlf).withClaim("s", AT);

    assertThat(claimed).isEqualTo("---\r\nid: WRK-2\r\ntitle: x # a comment\r\nlocked_by: \"s\"\r\nlocked_at: \"" + AT
        + "\"\r\n---\r\nbody\r\n---\r\nmore\r\n");
    assertThat(parse(claimed).withoutClaim())
        .isEqualTo("---\r\nid: WRK-2\r\ntitle: x # a comment\r\nlocked_by: \"\"\r\nlocked_at: \"\"\r\n---\r\nbody\r\n---\r\nmore\r\n");
  }

  @Test
  void everyQuotingStyle_isKept_andCommentsAndBomStay() {
    String text = "\uFEFF---\nlocked_at: ''   # when\nkeep: [1, 2]\nlocked_by:\n---\n";

    String claimed = parse(text).withClaim("abc-123", AT);

    assertThat(claimed).isEqualTo("\uFEFF---\nlocked_at: '" + AT + "'   # when\nkeep: [1, 2]\nlocked_by: abc-123\n---\n");
    assertThat(parse(claimed).withoutClaim()).isEqualTo(text);
  }

  @Test
  void aValueThatWouldNotReadBackPlain_isQuoted() {
    String claimed = parse("---\nlocked_by:\nlocked_at:\n---\n").withClaim("123", AT);

    assertThat(claimed).isEqualTo("---\nlocked_by: \"123\"\nlocked_at: " + AT + "\n---\n");
    assertThat(parse(claimed).lockedBy()).contains("123");
  }

  @Test
  void noFrontmatter_unclosedFrontmatter_malformedYaml_andNonStringClaims_areReportedWithTheirLine() {
    assertThat(malformed("# Title\n\ntext\n")).isEqualTo(new Malformed(FILE, 1,
        "no YAML frontmatter: a work item starts with a '---' line"));
    assertThat(malformed("---\nid: x\n").problem()).contains("not closed");
    Malformed yaml = malformed("---\nid: x\ntitle: [unclosed\nlocked_by: \"\"\n---\n");
    assertThat(yaml.problem()).startsWith("malformed YAML");
    assertThat(yaml.line()).isBetween(3, 5);
    assertThat(malformed("---\nid: x\nlocked_by: 42\n---\n")).isEqualTo(new Malformed(FILE, 3, "locked_by is not a string (42)"));
    assertThat(malformed("---\nlocked_by: [a]\n---\n").problem()).isEqualTo("locked_by is not a string");
    assertThat(malformed("---\nlocked_by: |\n  a\n---\n").problem()).isEqualTo("locked_by must be a one-line string");
    assertThat(malformed("---\n- a\n- b\n---\n").problem()).contains("not a mapping");
  }

  @Test
  void nonAsciiBeforeTheFields_isCountedInCharactersNotCodePoints() {
    String text = "---\ntitle: \"emoji \uD83D\uDE00 and \u00e9\"\nlocked_by: \"\"\nlocked_at: \"\"\n---\n";

    String claimed = parse(text).withClaim("s", AT);

    assertThat(claimed).isEqualTo("---\ntitle: \"emoji \uD83D\uDE00 and \u00e9\"\nlocked_by: \"s\"\nlocked_at: \"" + AT + "\"\n---\n");
    assertThat(parse(claimed).withoutClaim()).isEqualTo(text);
  }
}
