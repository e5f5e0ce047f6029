package dev.parallelsessionlock.hook.commands;

import dev.parallelsessionlock.hook.ExitCodes;
import dev.parallelsessionlock.hook.runtime.Hints;
import io.vavr.control.Either;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp;
import org.jline.utils.NonBlockingReader;

/**
 * {@code watch} in a terminal, through JLine: raw mode, the alternate screen, a {@link Display} that rewrites only
 * what changed, keys read with a timeout. The store is read again every {@link #POLL}; the screen is drawn again
 * only when the frame's text changed (or the terminal was resized). {@code q} or Ctrl-C quits and gives the terminal
 * back as it was. JLine runs on Java 17 through its JNI or exec provider (FFM needs Java 22).
 */
final class WatchTerminal {

  /** How often the store is read: a poll of a few records, and fast enough for a person to see a change at once. */
  static final Duration POLL = Duration.ofMillis(250);

  private static final int CTRL_C = 3;

  private WatchTerminal() {}

  static int run(WatchReader reader, CommandContext context) {
    Terminal terminal;
    try {
      terminal = TerminalBuilder.builder().system(true).ffm(false).jni(true).exec(true).dumb(false)
          .nativeSignals(true).build();
    } catch (IOException | RuntimeException e) {
      context.err.println("session-lock: cannot use this terminal (" + e.getMessage() + "); use "
          + Hints.command(context.program(), "watch", "--once"));
      return ExitCodes.UNAVAILABLE;
    }
    AtomicBoolean quit = new AtomicBoolean();
    AtomicBoolean resized = new AtomicBoolean();
    Terminal.SignalHandler interrupted = terminal.handle(Terminal.Signal.INT, signal -> quit.set(true));
    terminal.handle(Terminal.Signal.WINCH, signal -> resized.set(true));
    Attributes saved = terminal.enterRawMode();
    try {
      terminal.puts(InfoCmp.Capability.enter_ca_mode);
      terminal.puts(InfoCmp.Capability.cursor_invisible);
      terminal.flush();
      Display display = new Display(terminal, true);
      Size size = terminal.getSize();
      display.resize(size);
      NonBlockingReader keys = terminal.reader();
      List<AttributedString> shown = null;
      while (!quit.get()) {
        if (resized.getAndSet(false)) {
          size = terminal.getSize();
          display.resize(size);
          display.clear();
          shown = null;
        }
        List<AttributedString> screen =
            screen(text(reader, context.clock.instant()), size.getRows(), size.getColumns());
        if (!screen.equals(shown)) {
          display.update(screen, 0);
          terminal.flush();
          shown = screen;
        }
        int key = keys.read(POLL.toMillis());
        if (key == 'q' || key == 'Q' || key == CTRL_C || key == NonBlockingReader.EOF) {
          quit.set(true);
        }
      }
      return ExitCodes.OK;
    } catch (IOException e) {
      context.err.println("session-lock: the terminal failed: " + e.getMessage());
      return ExitCodes.UNAVAILABLE;
    } finally {
      terminal.puts(InfoCmp.Capability.cursor_normal);
      terminal.puts(InfoCmp.Capability.exit_ca_mode);
      terminal.flush();
      terminal.setAttributes(saved);
      terminal.handle(Terminal.Signal.INT, interrupted);
      try {
        terminal.close();
      } catch (IOException e) {
        context.err.println("session-lock: could not close the terminal: " + e.getMessage());
      }
    }
  }

  /** The text of one screen: a title with the time, then the frame's lines (or why the store could not be read). */
  static List<String> text(WatchReader reader, Instant now) {
    List<String> text = new ArrayList<>();
    text.add("session-lock watch  " + now.toString().substring(0, 19).replace('T', ' ') + " UTC  (q quits)");
    Either<String, WatchFrame> frame = reader.read();
    if (frame.isLeft()) {
      text.add("cannot read the locks: " + frame.getLeft());
    } else {
      text.addAll(WatchRender.lines(frame.get(), now));
    }
    return text;
  }

  /**
   * {@code text} for a terminal of {@code rows} by {@code columns}: the title inverse, headings bold, every line cut
   * to the width, and when there are more lines than rows, the last row says how many are not shown.
   */
  static List<AttributedString> screen(List<String> text, int rows, int columns) {
    int height = Math.max(1, rows);
    int width = Math.max(1, columns - 1); // the last column left free: no terminal wraps a line that fits
    List<AttributedString> screen = new ArrayList<>();
    for (int i = 0; i < text.size() && screen.size() < height; i++) {
      String line = text.get(i);
      if (screen.size() == height - 1 && text.size() > height) {
        line = "... " + (text.size() - i) + " more lines (make the terminal taller)";
      }
      AttributedStyle style = i == 0 ? AttributedStyle.INVERSE
          : line.startsWith(" ") ? AttributedStyle.DEFAULT : AttributedStyle.BOLD;
      AttributedString styled = new AttributedString(line, style);
      screen.add(styled.columnLength() > width ? styled.columnSubSequence(0, width) : styled);
    }
    return screen;
  }
}
