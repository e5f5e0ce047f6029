package dev.parallelsessionlock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class WorkspaceHashTest {

  /** Computed with {@code printf '%s' "$path" | md5sum} on 2026-11-22. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "/home/user/my-project|3ff20dc3f34ae0a67ecb21566621e334",
      "/work/main|835165e65df656dc9abbd58e53cf243e",
      "/|6666cd76f96956469e7be39d750cc7d9",
      "''|d41d8cd98f00b204e9800998ecf8427e",
      "/tmp/ünïcødé space/проект|9b250fb8df45a239d22e57125ff450b8",
      "C:\\Users\\dev\\repo|8364bc08d9349078c565ba023209d85d",
  })
  void of_matchesMd5sumVectors(String path, String md5sum) {
    assertThat(Md5.hex(path)).isEqualTo(md5sum);
    assertThat(WorkspaceHash.of(path).hex()).isEqualTo(md5sum.substring(0, 12));
    assertThat(LockKey.workspace(WorkspaceHash.of(path)).name()).isEqualTo("session-lock-" + md5sum.substring(0, 12));
  }

  @Test
  void md5_agreesWithMessageDigest_forAnyText() throws Exception {
    MessageDigest reference = MessageDigest.getInstance("MD5");
    qt().withExamples(2000)
        .forAll(strings().allPossible().ofLengthBetween(0, 300))
        .checkAssert(text -> {
          byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
          assertThat(Md5.digest(bytes)).isEqualTo(reference.digest(bytes));
        });
  }

  @Test
  void md5_agreesWithMessageDigest_acrossPaddingBoundaries() throws Exception {
    MessageDigest reference = MessageDigest.getInstance("MD5");
    for (int length = 0; length <= 200; length++) {
      byte[] bytes = new byte[length];
      for (int i = 0; i < length; i++) {
        bytes[i] = (byte) (i * 31 + 7);
      }
      assertThat(Md5.digest(bytes)).as("length %d", length).isEqualTo(reference.digest(bytes));
    }
  }

  @Test
  void constructor_rejectsAnythingButTwelveLowerHexDigits() {
    assertThatThrownBy(() -> new WorkspaceHash("0123456789AB")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WorkspaceHash("0123")).isInstanceOf(IllegalArgumentException.class);
  }
}
