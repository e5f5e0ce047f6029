package dev.parallelsessionlock.hook.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.process.LocalProcesses;
import io.vavr.control.Option;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a hook call read is a value: answers are new results, never changes to what the runner and files mode share. */
final class HookCallTest {

  @TempDir
  Path temp;

  private HookCall call() {
    HookConfig config = HookConfig.from(Map.of("SESSION_LOCK_DIR", temp.resolve("locks").toString(),
        "SESSION_LOCK_TTL_MS", "not a number"));
    return HookCall.start(config, Agent.CLAUDE, LocalProcesses::current);
  }

  @Test
  void fields_areAllFinal() {
    for (Field field : HookCall.class.getDeclaredFields()) {
      assertThat(Modifier.isFinal(field.getModifiers())).as(field.getName()).isTrue();
    }
  }

  @Test
  void answers_carryTheWarningsAndTheirOwnLine_andLeaveTheCallAsItWas() {
    HookCall call = call();
    assertThat(call.warnings).hasSize(1);
    String warning = call.warnings.get(0);

    HookResult denied = call.deny("held by bob");
    HookResult allowed = call.read(Agent.CODEX, Option.some("alice")).allow(java.util.List.of("took over a.txt"));

    assertThat(denied.stderr()).containsExactly(warning, "held by bob");
    assertThat(allowed.stderr()).containsExactly(warning, "took over a.txt");
    assertThat(call.warnings).containsExactly(warning);
    assertThat(call.agent).isEqualTo(Agent.CLAUDE);
    assertThat(call.session.isEmpty()).isTrue();
    assertThatThrownBy(() -> call.warnings.add("more")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void failed_contended_deniesWithTryAgain_neverAllows() {
    // 16 sessions racing one lock through SQLite: one lost every try, and the hook let it write (a second writer).
    HookCall call = call().read(Agent.CLAUDE, Option.some("s1"));
    LockKey key = new LockKey("workspace-0123456789ab");

    HookResult result = call.failed("session lock unavailable", new LockFailure.Contended(key, 8),
        new Claimant("s1", LocalProcesses.current()), java.time.Instant.EPOCH);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(String.join("\n", result.stderr())).contains("parallel session lock busy, nothing was changed")
        .endsWith("try again").doesNotContain("allowing");
  }

  @Test
  void failed_busyWithTheSessionsOwnOtherCall_allows_neverLocksTheSessionOutOfItsOwnWork() {
    HookCall call = call().read(Agent.CLAUDE, Option.some("s1"));

    HookResult result = call.failed("session lock unavailable", new LockFailure.Busy(new LockKey("workspace-0123456789ab")),
        new Claimant("s1", LocalProcesses.current()), java.time.Instant.EPOCH);

    assertThat(result.exitCode()).isEqualTo(0);
    assertThat(result.stderr().get(result.stderr().size() - 1)).contains("another call of the same session")
        .endsWith("; allowing");
    assertThat(result.stdout()).as("no notice that protection is off: nothing is").isEmpty();
  }

  @Test
  void failed_storeUnavailable_allowsAndSaysSo() {
    HookCall call = call().read(Agent.CLAUDE, Option.some("s1"));
    LockKey key = new LockKey("workspace-0123456789ab");

    HookResult result = call.failed("session lock unavailable",
        new LockFailure.StoreUnavailable(new StoreFailure(key, "read", "disk full")),
        new Claimant("s1", LocalProcesses.current()), java.time.Instant.EPOCH);

    assertThat(result.exitCode()).isEqualTo(0);
    assertThat(result.stderr().get(result.stderr().size() - 1))
        .isEqualTo("session-lock: session lock unavailable: " + new StoreFailure(key, "read", "disk full").describe()
            + "; allowing");
  }
}
