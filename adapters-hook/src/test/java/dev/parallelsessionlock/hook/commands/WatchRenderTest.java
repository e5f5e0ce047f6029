package dev.parallelsessionlock.hook.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.grack.nanojson.JsonObject;
import dev.parallelsessionlock.core.Liveness;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStatus;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Ticket;
import dev.parallelsessionlock.core.WorkspaceHash;
import io.vavr.control.Option;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.junit.jupiter.api.Test;

/** {@link WatchFrame#of} and {@link WatchRender} on values alone, and the terminal's screen cut to its size. */
final class WatchRenderTest {

  private static final Path WORKSPACE = Path.of("/repo");
  private static final WorkspaceHash HASH = WorkspaceHash.of("/repo");
  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
  private static final LockKey FILE = LockKey.file(HASH, "/repo/src/A.java");

  private static LockRecord record(String session, long pid, Instant since, Option<String> path) {
    return new LockRecord(LockRecord.SCHEMA_VERSION, session,
        pid == 0 ? ProcessRef.unknown(Option.none()) : ProcessRef.ofPid(pid), since, Duration.ofMinutes(1), since, 1,
        new LockRecord.Details(path, Option.none()));
  }

  @Test
  void frameOf_unreadableLeaseAndALineOnAFreeFile_namesTheProblemAndEveryTicket() {
    LockStatus lease = new LockStatus.Unreadable(LockKey.workspace(HASH), T0, "not JSON", T0.plusSeconds(300));
    List<Ticket> tickets = List.of(
        new Ticket(FILE, 1, Option.none(), true),
        new Ticket(FILE, 2, Option.some(record("zoe", 0, T0, Option.none())), true));

    WatchFrame frame = WatchFrame.of(WORKSPACE, lease, List.of(), List.of(new WatchFrame.LineRead(FILE, tickets)),
        List.of(), WORKSPACE, Option.none(), process -> process.isKnown() ? Liveness.ALIVE : Liveness.UNKNOWN);

    assertThat(WatchRender.lines(frame, T0.plusSeconds(90))).containsExactly(
        "workspace  /repo",
        "sessions",
        "  zoe  liveness unknown",
        "    holds nothing",
        "lines",
        "  file " + FILE.name() + "  free",
        "    1. unreadable ticket",
        "    2. zoe  waiting 1m30s",
        "claims  (work items under /repo)",
        "  none claimed",
        "merge queue",
        "  no queue in this repository",
        "problem: workspace /repo: unreadable record (not JSON), counted as held until 2026-12-06T10:05:00Z");
    JsonObject json = WatchRender.json(frame, T0);
    assertThat(json.getArray("problems").getString(0)).startsWith("workspace /repo: unreadable record (not JSON)");
    assertThat(json.getArray("lines").getObject(0).has("holder")).isFalse();
    assertThat(json.getArray("lines").getObject(0).getArray("waiters").getObject(0).has("since")).isFalse();
    assertThat(json.has("queue")).isFalse();
  }

  @Test
  void frameOf_theSameReadTwice_givesEqualFrames() {
    LockStatus lease = new LockStatus.Held(LockKey.workspace(HASH), record("alice", 41, T0, Option.some("/repo")),
        Liveness.ALIVE, Duration.ofSeconds(5), Duration.ofSeconds(55));

    WatchFrame first = WatchFrame.of(WORKSPACE, lease, List.of(), List.of(), List.of(), WORKSPACE, Option.none(),
        process -> Liveness.ALIVE);
    WatchFrame second = WatchFrame.of(WORKSPACE, lease, List.of(), List.of(), List.of(), WORKSPACE, Option.none(),
        process -> Liveness.ALIVE);

    assertThat(first).isEqualTo(second);
    assertThat(WatchRender.lines(first, T0.plusSeconds(70))).contains("  alice (pid 41)  alive",
        "    workspace lease  for 1m10s, lease expired");
  }

  @Test
  void screen_tallerAndWiderThanTheTerminal_isCutAndSaysWhatIsLeftOut() {
    List<String> text = List.of("title of the screen", "sessions", "  alice (claude, pid 41)  alive", "lines",
        "  nobody waits");

    List<AttributedString> screen = WatchTerminal.screen(text, 3, 12);

    assertThat(screen).hasSize(3);
    assertThat(screen.get(0).toString()).isEqualTo("title of th");
    assertThat(screen.get(0).styleAt(0)).isEqualTo(AttributedStyle.INVERSE);
    assertThat(screen.get(1).toString()).isEqualTo("sessions");
    assertThat(screen.get(1).styleAt(0)).isEqualTo(AttributedStyle.BOLD);
    assertThat(screen.get(2).toString()).isEqualTo("... 3 more ");
    assertThat(WatchTerminal.screen(text, 40, 120)).hasSize(5);
  }
}
