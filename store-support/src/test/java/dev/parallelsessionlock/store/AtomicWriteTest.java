package dev.parallelsessionlock.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class AtomicWriteTest {

  @TempDir
  Path temp;

  private Stream<String> names() throws Exception {
    return Files.list(temp).map(path -> path.getFileName().toString()).sorted();
  }

  @Test
  void write_replacesTheFileWhole_andLeavesNoTempFileBehind() throws Exception {
    Path target = Files.writeString(temp.resolve("record.json"), "old");

    AtomicWrite.write(target, "new".getBytes(StandardCharsets.UTF_8));
    AtomicWrite.write(temp.resolve("fresh.json"), "made".getBytes(StandardCharsets.UTF_8), AtomicWrite.Mode.PRIVATE,
        /* durable= */ true);

    assertThat(Files.readString(target)).isEqualTo("new");
    assertThat(Files.readString(temp.resolve("fresh.json"))).isEqualTo("made");
    assertThat(names()).containsExactly("fresh.json", "record.json");
  }

  @Test
  void write_private_isTheOwnersAlone_andKeep_keepsTheTargetsMode() throws Exception {
    Path mine = temp.resolve("mine");
    Path theirs = Files.writeString(temp.resolve("theirs.md"), "x");
    Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rw-rw-r--"));

    AtomicWrite.write(mine, new byte[] {1});
    AtomicWrite.write(theirs, new byte[] {2}, AtomicWrite.Mode.KEEP, /* durable= */ false);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(mine))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(theirs))).isEqualTo("rw-rw-r--");
  }

  @Test
  void write_intoAMissingFolder_failsAndLeavesNothing() {
    Path target = temp.resolve("gone/record.json");

    assertThatThrownBy(() -> AtomicWrite.write(target, new byte[] {1})).isInstanceOf(NoSuchFileException.class);
    assertThat(target.getParent()).doesNotExist();
  }

  @Test
  void aReader_racingAWriter_seesTheOldOrTheNewFile_neverATornOne() throws Exception {
    byte[] a = new byte[256 * 1024];
    byte[] b = new byte[256 * 1024];
    Arrays.fill(a, (byte) 'a');
    Arrays.fill(b, (byte) 'b');
    Path target = temp.resolve("big");
    AtomicWrite.write(target, a);
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicReference<String> torn = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      while (writing.get()) {
        try {
          byte[] read = Files.readAllBytes(target);
          if (!Arrays.equals(read, a) && !Arrays.equals(read, b)) {
            torn.compareAndSet(null, read.length + " bytes, first " + (char) read[0]);
          }
        } catch (Exception e) {
          torn.compareAndSet(null, e.toString());
        }
      }
    });
    reader.start();
    for (int i = 0; i < 300; i++) {
      AtomicWrite.write(target, i % 2 == 0 ? b : a);
    }
    writing.set(false);
    reader.join();

    assertThat(torn.get()).as("a reader saw a torn file").isNull();
    assertThat(names()).containsExactly("big");
  }

  @Test
  void sweep_removesTheOldTempFilesOfThatTargetOnly() throws Exception {
    Path target = Files.writeString(temp.resolve("WRK-1.md"), "item");
    Path old = Files.writeString(temp.resolve(".WRK-1.md.tmp-dead-1"), "half");
    Path recent = Files.writeString(temp.resolve(".WRK-1.md.tmp-busy-2"), "half");
    Path other = Files.writeString(temp.resolve(".WRK-2.md.tmp-dead-3"), "half");
    FileTime longAgo = FileTime.fromMillis(System.currentTimeMillis() - 120_000);
    Files.setLastModifiedTime(old, longAgo);
    Files.setLastModifiedTime(other, longAgo);

    AtomicWrite.sweep(target);

    assertThat(old).doesNotExist();
    assertThat(recent).exists();
    assertThat(other).exists();
    assertThat(AtomicWrite.isTemp(recent.getFileName().toString())).isTrue();
    assertThat(AtomicWrite.isTemp(target.getFileName().toString())).isFalse();
  }
}
