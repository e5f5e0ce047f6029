package dev.parallelsessionlock.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.WriteOutcome;
import dev.parallelsessionlock.store.Documents;
import io.vavr.control.Option;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the persistent-document recipe ({@link Documents}) must do over a store: a store's test extends this class
 * and says how to make a new, empty store. Conditional create, replace and delete of documents whose version is
 * their record's generation; concurrent writers never lose an update; a writer killed between its body and its
 * publish leaves the old version readable.
 */
public abstract class DocumentsContract {

  private static final LockKey KEY = new LockKey("doc-1");

  @TempDir
  Path bodies;

  private Documents documents;

  /** A new store with nothing in it. Called once per test. */
  protected abstract LockStore newStore();

  /** Concurrent writers in {@link #concurrentReplaces_neverLoseAnUpdate}; a slow store may lower it. */
  protected int writers() {
    return 8;
  }

  @BeforeEach
  void open() {
    documents = Documents.of(newStore(), bodies, Clock.fixed(Instant.parse("2026-12-06T12:00:00Z"), ZoneOffset.UTC));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private Documents.Document read() {
    Option<Documents.Document> read = documents.read(KEY).get();
    assertThat(read.isDefined()).as("a document under " + KEY).isTrue();
    return read.get();
  }

  private static String text(Documents.Document document) {
    return new String(document.body(), StandardCharsets.UTF_8);
  }

  private List<String> bodyFiles() {
    try (Stream<Path> files = Files.list(bodies)) {
      List<String> names = new ArrayList<>();
      files.forEach(file -> names.add(file.getFileName().toString()));
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void create_whenAbsent_publishesGenerationOne() {
    assertThat(documents.read(KEY).get().isEmpty()).isTrue();

    assertThat(documents.create(KEY, bytes("one")).get()).isEqualTo(WriteOutcome.WRITTEN);

    assertThat(read().generation()).isEqualTo(1);
    assertThat(text(read())).isEqualTo("one");
    assertThat(bodyFiles()).hasSize(1);
  }

  @Test
  void create_whenPresent_conflictsAndLeavesItsBodyNowhere() {
    documents.create(KEY, bytes("first"));

    assertThat(documents.create(KEY, bytes("second")).get()).isEqualTo(WriteOutcome.CONFLICT);

    assertThat(text(read())).isEqualTo("first");
    assertThat(bodyFiles()).hasSize(1);
  }

  @Test
  void replace_atTheVersionRead_countsTheGenerationUpAndRemovesTheOldBody() {
    documents.create(KEY, bytes("one"));

    assertThat(documents.replace(read(), bytes("two")).get()).isEqualTo(WriteOutcome.WRITTEN);

    assertThat(read().generation()).isEqualTo(2);
    assertThat(text(read())).isEqualTo("two");
    assertThat(bodyFiles()).hasSize(1);
  }

  @Test
  void replace_afterAnotherWriter_conflictsAndChangesNothing() {
    documents.create(KEY, bytes("one"));
    Documents.Document stale = read();
    documents.replace(stale, bytes("theirs"));

    assertThat(documents.replace(stale, bytes("mine")).get()).isEqualTo(WriteOutcome.CONFLICT);

    assertThat(text(read())).isEqualTo("theirs");
    assertThat(bodyFiles()).hasSize(1);
  }

  @Test
  void replace_ofADeletedAndRecreatedDocument_conflicts() {
    documents.create(KEY, bytes("one"));
    Documents.Document before = read();
    documents.delete(before);
    documents.create(KEY, bytes("again"));

    assertThat(documents.replace(before, bytes("stale")).get()).isEqualTo(WriteOutcome.CONFLICT);

    assertThat(text(read())).isEqualTo("again");
  }

  @Test
  void delete_atTheVersionRead_removesRecordAndBody() {
    documents.create(KEY, bytes("one"));
    Documents.Document stale = read();
    documents.replace(stale, bytes("two"));

    assertThat(documents.delete(stale).get()).isEqualTo(WriteOutcome.CONFLICT);
    assertThat(documents.delete(read()).get()).isEqualTo(WriteOutcome.WRITTEN);

    assertThat(documents.read(KEY).get().isEmpty()).isTrue();
    assertThat(bodyFiles()).isEmpty();
  }

  @Test
  void list_byPrefix_givesEachDocumentInKeyOrder() {
    documents.create(new LockKey("doc-b"), bytes("b"));
    documents.create(new LockKey("doc-a"), bytes("a"));
    documents.create(new LockKey("other"), bytes("o"));

    List<Documents.Document> listed = documents.list("doc-").get();

    assertThat(listed).extracting(document -> document.key().name()).containsExactly("doc-a", "doc-b");
    assertThat(listed).extracting(DocumentsContract::text).containsExactly("a", "b");
  }

  @Test
  void crashBetweenBodyAndPublish_leavesTheOldVersionReadableAndSweepRemovesTheBody() throws IOException {
    documents.create(KEY, bytes("old"));
    // What a writer killed after its body and before its replace leaves: a body no record names.
    Path orphan = bodies.resolve(KEY.name() + ".2.dead-1");
    Files.write(orphan, bytes("never published"));

    assertThat(text(read())).isEqualTo("old");
    assertThat(read().generation()).isEqualTo(1);
    assertThat(documents.sweep().get()).as("a body younger than a minute may be a writer's at work").isZero();

    Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minusSeconds(120)));
    assertThat(documents.sweep().get()).isEqualTo(1);
    assertThat(Files.exists(orphan)).isFalse();
    assertThat(text(read())).isEqualTo("old");
    assertThat(documents.replace(read(), bytes("new")).get()).isEqualTo(WriteOutcome.WRITTEN);
    assertThat(text(read())).isEqualTo("new");
  }

  @Test
  void concurrentCreates_publishExactlyOne() throws Exception {
    int writers = writers();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<WriteOutcome>> outcomes = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        String body = "writer " + i;
        outcomes.add(pool.submit(() -> {
          start.await();
          return documents.create(KEY, bytes(body)).get();
        }));
      }
      start.countDown();
      int written = 0;
      for (Future<WriteOutcome> outcome : outcomes) {
        written += outcome.get(60, TimeUnit.SECONDS) == WriteOutcome.WRITTEN ? 1 : 0;
      }
      assertThat(written).isEqualTo(1);
      assertThat(bodyFiles()).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Each writer adds its lines by read, change, conditional replace, reading again when it lost: none is lost. */
  @Test
  void concurrentReplaces_neverLoseAnUpdate() throws Exception {
    documents.create(KEY, bytes(""));
    int writers = writers();
    int rounds = 10;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> conflicts = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        int writer = i;
        conflicts.add(pool.submit(() -> {
          start.await();
          int lost = 0;
          for (int round = 0; round < rounds; round++) {
            while (true) {
              Documents.Document current = documents.read(KEY).get().get();
              String next = text(current) + writer + "." + round + "\n";
              if (documents.replace(current, bytes(next)).get() == WriteOutcome.WRITTEN) {
                break;
              }
              lost++;
            }
          }
          return lost;
        }));
      }
      start.countDown();
      for (Future<Integer> lost : conflicts) {
        lost.get(120, TimeUnit.SECONDS);
      }
      List<String> lines = List.of(text(read()).split("\n"));
      assertThat(lines).hasSize(writers * rounds).doesNotHaveDuplicates();
      assertThat(read().generation()).isEqualTo(1L + writers * rounds);
      assertThat(bodyFiles()).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }
}
