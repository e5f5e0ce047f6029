package dev.parallelsessionlock.fs.testkit;

import dev.parallelsessionlock.fs.LocalProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tree shaped like {@code /proc}, for {@link LocalProcesses#at}: boot time, boot id, host name, this process's
 * pid namespace, and one {@code <pid>/stat} per process. Each {@link #table()} is a fresh reader, as each hook
 * process is, so a changed boot time or boot id shows in the next one.
 */
public final class ProcFixture {

  private final Path root;

  public ProcFixture(Path root) {
    this.root = root;
    bootTime(1_700_000_000L);
    bootId("3b1f6c2e-0000-4000-8000-000000000001");
    pidNamespace("pid:[4026531836]");
    write("sys/kernel/hostname", "fixture-host\n");
  }

  /** A fresh reader of this tree. */
  public LocalProcesses table() {
    return LocalProcesses.at(root);
  }

  /** {@code btime} in {@code /proc/stat}: boot time by the wall clock, which a clock step moves. */
  public ProcFixture bootTime(long epochSeconds) {
    write("stat", "cpu  1 2 3 4\nbtime " + epochSeconds + "\nprocesses 1\n");
    return this;
  }

  public ProcFixture bootId(String id) {
    write("sys/kernel/random/boot_id", id + "\n");
    return this;
  }

  /** The pid namespace of the reading process ({@code self/ns/pid}, a symbolic link as in /proc). */
  public ProcFixture pidNamespace(String namespace) {
    try {
      Path link = root.resolve("self/ns/pid");
      Files.createDirectories(link.getParent());
      Files.deleteIfExists(link);
      Files.createSymbolicLink(link, Path.of(namespace));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** A process: {@code <pid>/stat} with its name, state, parent and start ticks. */
  public ProcFixture process(long pid, String name, char state, long parentPid, long startTicks) {
    write(pid + "/stat", statLine(pid, name, state, parentPid, startTicks));
    return this;
  }

  /** A running process. */
  public ProcFixture process(long pid, String name, long parentPid, long startTicks) {
    return process(pid, name, 'S', parentPid, startTicks);
  }

  /** Makes {@code pid} the reading process ({@code self/stat}). */
  public ProcFixture self(long pid, String name, long parentPid, long startTicks) {
    process(pid, name, parentPid, startTicks);
    write("self/stat", statLine(pid, name, 'R', parentPid, startTicks));
    return this;
  }

  public ProcFixture exit(long pid) {
    try {
      Files.deleteIfExists(root.resolve(pid + "/stat"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** One {@code /proc/<pid>/stat} line as Linux writes it: 52 fields, start time the 22nd. */
  public static String statLine(long pid, String name, char state, long parentPid, long startTicks) {
    StringBuilder line = new StringBuilder().append(pid).append(" (").append(name).append(") ").append(state)
        .append(' ').append(parentPid).append(" 1 1 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 4 0 ").append(startTicks);
    for (int i = 0; i < 30; i++) {
      line.append(" 0");
    }
    return line.append('\n').toString();
  }

  private void write(String relative, String text) {
    try {
      Path file = root.resolve(relative);
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
