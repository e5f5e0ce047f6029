package dev.parallelsessionlock.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.store.Documents;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queue's entries as documents on the lock protocol, over a real repository. */
final class MergeQueueTest {

  @TempDir
  Path temp;

  private Repo repo;

  @BeforeEach
  void setUp() throws Exception {
    repo = new Repo(temp);
    repo.ok("checkout", "-q", "--detach", "main");
    repo.branch("x", "x.txt", "x\n");
  }

  private MergeQueue open() {
    return MergeQueue.open(repo.dir, LockDirectoryLeases.INSTANCE).get();
  }

  private static Either<String, QueueEntry> enqueue(MergeQueue queue, String branch) {
    return queue.enqueue(branch, Option.none(), Option.none(), Clock.systemUTC().instant());
  }

  @Test
  void enqueue_eightThreadsAtOnce_makeExactlyOneEntry() throws Exception {
    MergeQueue queue = open();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Either<String, QueueEntry>>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        MergeQueue own = i % 2 == 0 ? queue : open(); // one object shared, and objects of their own
        results.add(pool.submit(() -> {
          start.await();
          return enqueue(own, "x");
        }));
      }
      start.countDown();
      List<String> refused = new ArrayList<>();
      int made = 0;
      for (Future<Either<String, QueueEntry>> result : results) {
        Either<String, QueueEntry> done = result.get(60, TimeUnit.SECONDS);
        if (done.isRight()) {
          made++;
        } else {
          refused.add(done.getLeft());
        }
      }
      assertThat(made).isEqualTo(1);
      assertThat(refused).hasSize(7).allMatch(problem -> problem.startsWith("x is already queued"));
      assertThat(queue.entries()).extracting(QueueEntry::branch).containsExactly("x");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void enqueue_afterTheEntryLanded_queuesTheBranchAgain() throws Exception {
    MergeQueue queue = open();
    QueueEntry first = enqueue(queue, "x").get();
    queue.save(first.landed(first.head(), Option.none(), Clock.systemUTC().instant()));

    QueueEntry again = enqueue(queue, "x").get();

    assertThat(again.seq()).isEqualTo(2);
    assertThat(queue.entries()).extracting(QueueEntry::state)
        .containsExactly(QueueEntry.State.LANDED, QueueEntry.State.QUEUED);
    assertThat(enqueue(queue, "x").getLeft()).isEqualTo("x is already queued (#2)");
  }

  /** What an enqueue killed after writing its entry and before publishing it leaves: an entry no branch names. */
  @Test
  void enqueueKilledBeforeItPublished_leavesNoEntryInTheQueue_andReconcileSweepsIt() throws Exception {
    MergeQueue queue = open();
    Documents documents = Documents.open(queue.dir().resolve("records"), LockDirectoryLeases.INSTANCE,
        Clock.systemUTC()).get();
    Instant twoMinutesAgo = Clock.systemUTC().instant().minusSeconds(120);
    QueueEntry unpublished = new QueueEntry(7, "x", repo.tip("x"), "main", Option.none(), twoMinutesAgo,
        QueueEntry.State.QUEUED, Option.none(), Option.none(), 0, Option.none(), twoMinutesAgo, 1);
    documents.create(MergeQueue.entryKey(7), unpublished.encode().getBytes(StandardCharsets.UTF_8));

    assertThat(queue.entries()).isEmpty();
    QueueEntry queued = enqueue(queue, "x").get();
    assertThat(queued.seq()).as("a new entry takes no place a killed enqueue wrote").isEqualTo(8);

    assertThat(queue.sweep(Clock.systemUTC().instant())).isEqualTo(1);
    assertThat(queue.read(7)).isEmpty();
    assertThat(queue.entries()).extracting(QueueEntry::seq).containsExactly(8L);
  }

  @Test
  void open_withEntriesOfTheEarlierLayout_movesThemIntoDocuments() throws Exception {
    Path legacy = Files.createDirectories(repo.dir.resolve(".git/session-lock/queue/entries"));
    Instant then = Instant.parse("2026-12-01T10:00:00Z");
    QueueEntry waiting = new QueueEntry(1, "x", repo.tip("x"), "main", Option.some("s1"), then,
        QueueEntry.State.QUEUED, Option.none(), Option.none(), 0, Option.none(), then, 3);
    QueueEntry landed = new QueueEntry(2, "y", repo.tip("x"), "main", Option.none(), then,
        QueueEntry.State.LANDED, Option.none(), Option.none(), 1, Option.some(repo.tip("x")), then, 2);
    Files.writeString(legacy.resolve("00000001.json"), waiting.encode());
    Files.writeString(legacy.resolve("00000002.json"), landed.encode());

    MergeQueue queue = open();

    assertThat(queue.entries()).containsExactly(waiting, landed);
    assertThat(Files.exists(legacy)).as("the old folder is gone once moved").isFalse();
    assertThat(enqueue(queue, "x").getLeft()).isEqualTo("x is already queued (#1)");
    assertThat(queue.save(waiting.with(QueueEntry.State.VALIDATING, Option.none(), then))).as("at version 3")
        .isNotEmpty();
    assertThat(open().entries()).as("opened again: nothing moved twice").hasSize(2);
  }
}
