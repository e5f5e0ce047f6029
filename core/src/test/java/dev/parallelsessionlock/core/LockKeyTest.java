package dev.parallelsessionlock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A name read from a store is parsed into a key as a value; only a key the code makes itself may throw. */
final class LockKeyTest {

  @ParameterizedTest
  @ValueSource(strings = {"session-lock-0123456789ab", "file-aaaaaaaaaaaa-b", "queue-entries", "a", "A_b.c-9"})
  void parse_ofAKeyName_isThatKey(String name) {
    assertThat(LockKey.parse(name).map(LockKey::name).getOrNull()).isEqualTo(name);
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", ".hidden", "a/b", "a b", "ключ", "session-lock-x.json.corrupt~1/",
      "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"})
  void parse_ofANameThatIsNoKey_isNothing(String name) {
    assertThat(LockKey.parse(name).isEmpty()).isTrue();
    assertThatThrownBy(() -> new LockKey(name)).isInstanceOf(IllegalArgumentException.class);
  }
}
