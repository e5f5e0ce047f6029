package dev.parallelsessionlock.hook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

final class JsonSkimTest {

  private static String skim(String json, int maxInput, int maxString) throws IOException {
    JsonSkim.Result result = JsonSkim.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
        maxInput, maxString);
    return (result.tooLarge() ? "TOO LARGE " : "") + (result.tooDeep() ? "TOO DEEP " : "") + new String(result.json(), StandardCharsets.UTF_8);
  }

  @Test
  void read_keepsShortStrings_andEmptiesLongOnes_escapesIncluded() throws IOException {
    assertThat(skim("{\"a\":\"short\",\"b\":\"0123456789\\\"x\",\"c\":\"\\\\\"}", 1000, 8))
        .isEqualTo("{\"a\":\"short\",\"b\":\"\",\"c\":\"\\\\\"}");
  }

  @Test
  void read_aLongStringEndingInAnEscapedQuote_isDroppedWhole() throws IOException {
    assertThat(skim("[\"abcdefghij\\\"\",1]", 1000, 4)).isEqualTo("[\"\",1]");
  }

  @Test
  void read_multibyteText_isKeptWhenShort() throws IOException {
    assertThat(skim("{\"p\":\"/tmp/wörk ☃\"}", 1000, 64)).isEqualTo("{\"p\":\"/tmp/wörk ☃\"}");
  }

  @Test
  void read_pastTheCap_saysTooLarge() throws IOException {
    assertThat(skim("{\"a\":\"" + "x".repeat(100) + "\"}", 50, 10)).startsWith("TOO LARGE ");
    assertThat(skim("{\"a\":1}", 7, 10)).isEqualTo("{\"a\":1}");
  }

  @Test
  void read_nestingDeeperThanTheLimit_saysTooDeep_butBracketsInStringsDoNotCount() throws IOException {
    assertThat(skim("[".repeat(JsonSkim.MAX_DEPTH + 1), 100_000, 10)).startsWith("TOO DEEP ");
    assertThat(skim("[".repeat(JsonSkim.MAX_DEPTH) + "]".repeat(JsonSkim.MAX_DEPTH), 100_000, 10))
        .doesNotStartWith("TOO DEEP ");
    assertThat(skim("{\"a\":\"" + "[".repeat(1000) + "\"}", 100_000, 10_000)).doesNotStartWith("TOO DEEP ");
  }
}
