package dev.parallelsessionlock.git;

import static org.assertj.core.api.Assertions.assertThat;

import io.vavr.control.Option;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The merge queue over real repositories and the real git CLI. After each test: fsck clean, no commit lost. */
final class QueueProcessorTest {

  @TempDir
  Path temp;

  private Repo repo;
  private MergeQueue queue;
  private final ByteArrayOutputStream progress = new ByteArrayOutputStream();
  private final List<String> enqueued = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    repo = new Repo(temp);
    repo.ok("checkout", "-q", "--detach", "main");
    queue = MergeQueue.open(repo.dir, LockDirectoryLeases.INSTANCE).get();
  }

  @AfterEach
  void nothingLost() throws Exception {
    repo.fsckClean();
    for (QueueEntry entry : queue.entries()) {
      assertThat(repo.git.run("cat-file", "-e", entry.head() + "^{commit}").ok())
          .as("the enqueued commit of %s still exists", entry.branch()).isTrue();
      if (entry.state() == QueueEntry.State.LANDED) {
        assertThat(repo.contains(entry.target(), entry.head())).as("%s is in %s", entry.branch(), entry.target()).isTrue();
      }
    }
  }

  private QueueEntry enqueue(String branch) {
    enqueued.add(branch);
    return queue.enqueue(branch, Option.none(), Option.some("sess"), Clock.systemUTC().instant()).get();
  }

  private QueueProcessor.Summary process(String command, int batch) {
    return new QueueProcessor(queue, command, Duration.ofMinutes(2), batch, Clock.systemUTC(),
        new PrintStream(progress, true, StandardCharsets.UTF_8)).process().get();
  }

  private QueueEntry entry(String branch) throws Exception {
    for (QueueEntry entry : queue.entries()) {
      if (entry.branch().equals(branch)) {
        return entry;
      }
    }
    throw new AssertionError("no entry " + branch);
  }

  @Test
  void threeCleanBranches_landFirstInFirstOut() throws Exception {
    for (String b : List.of("f1", "f2", "f3")) {
      repo.branch(b, b + ".txt", b + "\n");
      enqueue(b);
    }

    QueueProcessor.Summary summary = process("test -f base.txt", 1);

    assertThat(summary.landed()).isEqualTo(3);
    String log = repo.ok("log", "--format=%s", "main").out();
    assertThat(log.indexOf("'f3'")).isLessThan(log.indexOf("'f2'"));
    assertThat(log.indexOf("'f2'")).isLessThan(log.lastIndexOf("f1"));
    assertThat(entry("f1").landedAs().isDefined()).isTrue();
  }

  @Test
  void aConflictingBranch_isRejectedByThePreflight_namingTheFiles_beforeAnyValidation() throws Exception {
    repo.branch("c1", "base.txt", "one\n");
    repo.branch("c2", "base.txt", "two\n");
    enqueue("c1");
    enqueue("c2");

    QueueProcessor.Summary summary = process("true", 1);

    assertThat(summary.landed()).isEqualTo(1);
    assertThat(summary.validations()).isEqualTo(1);
    assertThat(entry("c2").state()).isEqualTo(QueueEntry.State.REJECTED);
    assertThat(entry("c2").reason().get()).startsWith("conflicts with main in base.txt");
  }

  @Test
  void aRedValidation_isEjectedWithItsLogTail_afterOneRetry_andTheNextEntryLands() throws Exception {
    repo.branch("red", "red.txt", "x\n");
    repo.branch("green", "green.txt", "x\n");
    enqueue("red");
    enqueue("green");

    QueueProcessor.Summary summary = process("echo checking; if [ -f red.txt ]; then echo 'test failed: red.txt'; exit 3; fi", 1);

    assertThat(summary.landed()).isEqualTo(1);
    QueueEntry red = entry("red");
    assertThat(red.state()).isEqualTo(QueueEntry.State.REJECTED);
    assertThat(red.reason().get()).isEqualTo("validation failed: the command exited 3");
    assertThat(red.logTail().get()).contains("test failed: red.txt");
    assertThat(red.attempts()).isEqualTo(2);
    assertThat(repo.contains("main", red.head())).isFalse();
  }

  @Test
  void aBranchThatMovedAfterEnqueue_isRejected() throws Exception {
    repo.branch("moving", "m.txt", "1\n");
    enqueue("moving");
    repo.ok("checkout", "-q", "moving");
    repo.write("m.txt", "2\n");
    repo.commitAll("moved");
    repo.ok("checkout", "-q", "--detach", "main");

    process("true", 1);

    assertThat(entry("moving").state()).isEqualTo(QueueEntry.State.REJECTED);
    assertThat(entry("moving").reason().get()).contains("moved").contains("enqueue it again");
  }

  @Test
  void theTargetMovedDuringValidation_theSwapLoses_andTheEntryIsValidatedAgainOnTheNewTip() throws Exception {
    repo.branch("feature", "feature.txt", "f\n");
    String other = repo.branch("hotfix", "hotfix.txt", "h\n");
    enqueue("feature");
    Path marker = temp.resolve("moved-once");
    // The first validation moves main under the processor, as a person landing a hotfix would.
    String command = "if [ ! -f " + marker + " ]; then touch " + marker + "; git -C " + repo.dir
        + " update-ref refs/heads/main " + other + "; fi";

    QueueProcessor.Summary summary = process(command, 1);

    assertThat(summary.landed()).isEqualTo(1);
    assertThat(summary.validations()).isEqualTo(2);
    assertThat(repo.contains("main", other)).as("the hotfix is not lost").isTrue();
    assertThat(repo.contains("main", entry("feature").head())).isTrue();
    assertThat(progress.toString(StandardCharsets.UTF_8)).contains("main moved during validation");
  }

  @Test
  void aBatchOfFourWithOneBadEntry_landsThree_andEjectsTheBadOne() throws Exception {
    for (String b : List.of("b1", "b2", "bad", "b4")) {
      repo.branch(b, b + ".txt", b + "\n");
      enqueue(b);
    }

    QueueProcessor.Summary summary = process("test ! -f bad.txt", 4);

    assertThat(summary.landed()).isEqualTo(3);
    assertThat(summary.rejected()).isEqualTo(1);
    assertThat(entry("bad").state()).isEqualTo(QueueEntry.State.REJECTED);
    for (String b : List.of("b1", "b2", "b4")) {
      assertThat(entry(b).state()).isEqualTo(QueueEntry.State.LANDED);
    }
    // 4 red, 2 (b1 b2) green, 2 (bad b4) red, bad red twice (retry), b4 green
    assertThat(summary.validations()).isEqualTo(6);
  }

  @Test
  void aFlakyCheck_thatPassesOnRetry_landsAndSaysSo() throws Exception {
    repo.branch("flaky", "flaky.txt", "x\n");
    enqueue("flaky");
    Path marker = temp.resolve("failed-once");

    QueueProcessor.Summary summary = process("if [ -f " + marker + " ]; then exit 0; fi; touch " + marker + "; exit 1", 1);

    assertThat(summary.landed()).isEqualTo(1);
    assertThat(entry("flaky").reason().get()).contains("passed on retry");
  }

  @Test
  void theTargetCheckedOutClean_isFastForwarded_andDirty_isRefusedWithTheEntryKept() throws Exception {
    repo.branch("one", "one.txt", "1\n");
    repo.branch("two", "two.txt", "2\n");
    repo.ok("checkout", "-q", "main");
    enqueue("one");

    process("true", 1);
    assertThat(Files.readString(repo.dir.resolve("one.txt"))).isEqualTo("1\n");
    assertThat(repo.ok("status", "--porcelain", "--untracked-files=no").out()).isBlank();

    repo.write("base.txt", "edited, not committed\n");
    enqueue("two");
    QueueProcessor.Summary summary = process("true", 1);

    assertThat(summary.stoppedBecause().get()).contains("uncommitted changes");
    assertThat(entry("two").state()).isEqualTo(QueueEntry.State.QUEUED);
    assertThat(Files.readString(repo.dir.resolve("base.txt"))).isEqualTo("edited, not committed\n");
    assertThat(repo.contains("main", entry("two").head())).isFalse();
  }

  @Test
  void enqueue_refusesAMissingBranch_andOneAlreadyWaiting() throws Exception {
    repo.branch("x", "x.txt", "x\n");
    enqueue("x");

    assertThat(queue.enqueue("x", Option.none(), Option.none(), Clock.systemUTC().instant()).getLeft())
        .isEqualTo("x is already queued (#1)");
    assertThat(queue.enqueue("nope", Option.none(), Option.none(), Clock.systemUTC().instant()).getLeft())
        .isEqualTo("no branch nope");
    assertThat(queue.remove("x").get().branch()).isEqualTo("x");
    assertThat(queue.entries()).isEmpty();
  }

  @Test
  void aSecondProcessor_isToldAnotherRuns_andAKilledOnesWorkIsReconciledAndFinished() throws Exception {
    repo.branch("slow", "slow.txt", "s\n");
    enqueue("slow");
    Process other = processingSlowly();

    var second = new QueueProcessor(queue, "true", Duration.ofMinutes(1), 1, Clock.systemUTC(),
        new PrintStream(progress, true, StandardCharsets.UTF_8)).process();
    assertThat(second.getLeft()).startsWith("another processor (pid " + other.pid() + ")");

    other.descendants().forEach(ProcessHandle::destroyForcibly);
    other.destroyForcibly().waitFor();
    assertThat(entry("slow").state()).isEqualTo(QueueEntry.State.VALIDATING);
    List<String> trees = repo.ok("worktree", "list", "--porcelain").out().lines()
        .filter(line -> line.startsWith("worktree ")).map(line -> line.substring("worktree ".length())).toList();
    assertThat(trees).hasSize(2);
    Path scratch = Path.of(trees.get(1));
    assertThat(scratch.startsWith(queue.dir())).as("the scratch worktree is outside the queue's folder").isFalse();

    QueueProcessor.Summary summary = process("true", 1);

    assertThat(summary.landed()).isEqualTo(1);
    assertThat(progress.toString(StandardCharsets.UTF_8)).contains("reconciled #1 slow: back in the queue",
        "reconciled: removed the scratch worktree " + scratch);
    assertThat(repo.ok("worktree", "list").out().lines()).hasSize(1);
    assertThat(scratch.getParent()).doesNotExist();
  }

  /**
   * A second processor that waits in the lease's line (as {@code queue process --wait}) keeps a ticket beside the
   * lease while the first runs, and is served when the first ends (here SIGKILLed): it reconciles and lands.
   */
  @Test
  void aSecondProcessorWaitingInLine_isServedWhenTheFirstEnds_andLandsItsWork() throws Exception {
    repo.branch("slow", "slow.txt", "s\n");
    enqueue("slow");
    Process other = processingSlowly();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    java.util.concurrent.atomic.AtomicInteger tries = new java.util.concurrent.atomic.AtomicInteger();
    QueueProcessor.LeaseTaking polling = (line, keys, me, grantor) -> {
      while (true) { // the command watches with LineWait; a plain poll here (adapters-git has no watch)
        var turn = line.attempt(keys, me, grantor);
        tries.incrementAndGet();
        if (turn.isLeft() || !(turn.get() instanceof dev.parallelsessionlock.core.Turn.Waiting)) {
          return turn;
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return turn;
        }
      }
    };
    var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> new QueueProcessor(queue, "true",
        Duration.ofMinutes(1), 1, Clock.systemUTC(), new PrintStream(progress, true, StandardCharsets.UTF_8))
        .takingLeaseBy(polling).process());
    while (tries.get() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    try (var files = Files.list(queue.dir().resolve("lease"))) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("wait-queue-processor.")))
          .as("the waiting processor's ticket").hasSize(1);
    }
    assertThat(second).isNotDone();

    other.descendants().forEach(ProcessHandle::destroyForcibly);
    other.destroyForcibly().waitFor();
    var summary = second.get(60, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(summary.isRight()).as(summary.toString()).isTrue();
    assertThat(summary.get().landed()).isEqualTo(1);
    assertThat(entry("slow").state()).isEqualTo(QueueEntry.State.LANDED);
    try (var files = Files.list(queue.dir().resolve("lease"))) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("wait-")))
          .as("served, it left the line").isEmpty();
    }
  }

  /** A processor in a JVM of its own, once it has started validating (a validation that takes a minute). */
  private Process processingSlowly() throws Exception {
    Path started = temp.resolve("started");
    Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), QueueContender.class.getName(), repo.dir.toString(),
        "touch " + started + "; sleep 60").redirectErrorStream(true).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.exists(started) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(started).exists();
    return other;
  }

  /** A processor in a JVM of its own, with {@code env} on top of this one's; its output and exit code. */
  private String processElsewhere(java.util.Map<String, String> env, String command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), QueueContender.class.getName(), repo.dir.toString(), command)
        .redirectErrorStream(true);
    builder.environment().putAll(env);
    Process other = builder.start();
    String output = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return "exit " + other.waitFor() + "\n" + output;
  }

  @Test
  void aMergeCommit_onAMachineWithoutAGitIdentity_isMadeAsTheQueuesFallback_andAConfiguredOneIsUsed() throws Exception {
    Path emptyHome = Files.createDirectories(temp.resolve("empty-home"));
    java.util.Map<String, String> noIdentity = java.util.Map.of("HOME", emptyHome.toString(),
        "XDG_CONFIG_HOME", emptyHome.toString(), "GIT_CONFIG_NOSYSTEM", "1");
    repo.branch("needs-merge", "m.txt", "m\n");
    repo.ok("checkout", "-q", "main");
    repo.write("main.txt", "main moved\n");
    repo.commitAll("main moved"); // so needs-merge no longer fast-forwards
    repo.ok("checkout", "-q", "--detach", "main");
    repo.ok("config", "--unset", "user.email");
    repo.ok("config", "--unset", "user.name");
    enqueue("needs-merge");

    String run = processElsewhere(noIdentity, "true");

    assertThat(run).as(run).startsWith("exit 0\n").contains("landed 1, rejected 0",
        "git has no identity here: the queue's merge commits are made as parallel-session-lock merge queue "
            + "<session-lock@localhost>");
    assertThat(repo.ok("log", "-1", "--format=%an <%ae>|%cn <%ce>", "main").line())
        .isEqualTo("parallel-session-lock merge queue <session-lock@localhost>|"
            + "parallel-session-lock merge queue <session-lock@localhost>");
    assertThat(repo.contains("main", entry("needs-merge").head())).isTrue();

    repo.ok("config", "user.email", "me@example.com");
    repo.ok("config", "user.name", "Me");
    repo.branch("second", "s.txt", "s\n");
    repo.ok("checkout", "-q", "main");
    repo.write("main2.txt", "main moved again\n");
    repo.commitAll("main moved again");
    repo.ok("checkout", "-q", "--detach", "main");
    enqueue("second");
    assertThat(processElsewhere(noIdentity, "true")).startsWith("exit 0\n");
    assertThat(repo.ok("log", "-1", "--format=%an <%ae>|%cn <%ce>", "main").line())
        .isEqualTo("Me <me@example.com>|Me <me@example.com>");
  }

  @Test
  void aValidationThatDeletesTheQueuesFolder_losesNoEntry_andStopsSayingSo() throws Exception {
    for (String b : List.of("f1", "f2", "f3")) {
      repo.branch(b, b + ".txt", b + "\n");
      enqueue(b);
    }
    String main = repo.tip("main");

    // The whole of <git common dir>/session-lock: the queue, and the validation's own scratch folder and log.
    QueueProcessor.Summary summary = process("rm -rf '" + queue.dir().getParent() + "'", 1);

    assertThat(summary.stoppedBecause().get()).contains("the validation of #1 deleted the queue's files",
        "written back, nothing was lost");
    assertThat(queue.entries()).extracting(QueueEntry::branch).containsExactly("f1", "f2", "f3");
    assertThat(queue.entries()).extracting(QueueEntry::state).containsOnly(QueueEntry.State.QUEUED);
    assertThat(entry("f1").reason().get()).contains("its validation deleted the queue's files");
    assertThat(Files.readAllLines(queue.targetsFile())).containsExactly("refs/heads/main");
    assertThat(repo.tip("main")).as("nothing landed from a validation that broke the queue").isEqualTo(main);
    repo.branch("f4", "f4.txt", "f4\n");
    assertThat(enqueue("f4").seq()).as("a new entry takes no place already used").isEqualTo(4);

    assertThat(process("true", 1).landed()).isEqualTo(4);
  }

  @Test
  void save_whenARivalRemovedTheEntryAfterItWasRead_doesNotBringItBack() throws Exception {
    repo.branch("x", "x.txt", "x\n");
    enqueue("x");
    QueueEntry read = entry("x");

    assertThat(queue.remove("x").isRight()).isTrue(); // the rival: a person's queue remove
    assertThat(queue.save(read.with(QueueEntry.State.VALIDATING, Option.none(), Clock.systemUTC().instant())))
        .as("the write loses").isEmpty();

    assertThat(queue.entries()).as("the removed entry stays removed").isEmpty();
  }

  @Test
  void save_whenARivalSavedTheEntryAfterItWasRead_losesAndTheRivalsUpdateStays() throws Exception {
    repo.branch("x", "x.txt", "x\n");
    enqueue("x");
    QueueEntry mine = entry("x");
    QueueEntry theirs = entry("x");

    assertThat(queue.save(theirs.rejected("rejected by the rival", Option.none(), Clock.systemUTC().instant())))
        .isNotEmpty();
    assertThat(queue.save(mine.with(QueueEntry.State.VALIDATING, Option.none(), Clock.systemUTC().instant())))
        .as("the write loses").isEmpty();

    assertThat(entry("x").state()).isEqualTo(QueueEntry.State.REJECTED);
    assertThat(entry("x").reason()).contains("rejected by the rival");
  }

  @Test
  void aProcessorWhoseLeaseWasTakenOverDuringValidation_movesNoRef_andStops() throws Exception {
    repo.branch("late", "late.txt", "l\n");
    enqueue("late");
    String main = repo.tip("main");
    Path hold = temp.resolve("hold");
    assertThat(new ProcessBuilder("mkfifo", hold.toString()).inheritIO().start().waitFor()).isZero();
    dev.parallelsessionlock.testkit.MutableClock clock =
        dev.parallelsessionlock.testkit.MutableClock.at("2026-12-06T10:00:00Z");
    QueueProcessor processor = new QueueProcessor(queue, "cat '" + hold + "' > /dev/null", Duration.ofMinutes(2), 1,
        clock, new PrintStream(progress, true, StandardCharsets.UTF_8));

    var result = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      var run = java.util.concurrent.CompletableFuture.supplyAsync(processor::process);
      try (var validationRuns = Files.newOutputStream(hold)) { // open once the validation reads the pipe
        clock.advance(QueueProcessor.LEASE_TTL.plusSeconds(1)); // its heartbeat did not come through in time
        var rival = dev.parallelsessionlock.core.ParallelSessionLock.of(queue.leaseStore().get(),
            dev.parallelsessionlock.process.ProcessTableLiveness.forThisHost(), clock).withTtl(QueueProcessor.LEASE_TTL)
            .acquire(QueueProcessor.LEASE, new dev.parallelsessionlock.core.Claimant("rival-processor",
                dev.parallelsessionlock.process.LocalProcesses.current(), false));
        assertThat(rival.get()).isInstanceOf(dev.parallelsessionlock.core.Acquisition.Acquired.class);
      } // the validation ends green
      return run.get();
    });

    assertThat(repo.tip("main")).as("a processor that lost its lease lands nothing").isEqualTo(main);
    assertThat(result.isLeft()).as("%s", result).isTrue();
    assertThat(result.getLeft()).startsWith("another processor (pid " + ProcessHandle.current().pid()
        + ") took over this queue's lease");
    assertThat(entry("late").state()).isEqualTo(QueueEntry.State.QUEUED);
  }

  /**
   * A reference-transaction hook that kills the queue's processor (git's parent, a JVM of its own) the moment main
   * has moved ({@code committed}): before the processor can update the checked-out tree or its entries.
   */
  private Path killTheProcessorOnceMainMoves() throws Exception {
    Path hook = repo.dir.resolve(".git").resolve("hooks").resolve("reference-transaction");
    Files.createDirectories(hook.getParent());
    Files.writeString(hook, "#!/bin/sh\n"
        + "if [ \"$1\" = committed ] && [ -n \"$SESSION_LOCK_QUEUE_PROCESSOR\" ] && grep -q ' refs/heads/main$'; then\n"
        + "  kill -9 \"$(cut -d' ' -f4 /proc/$PPID/stat)\"\n"
        + "fi\n");
    assertThat(hook.toFile().setExecutable(true)).isTrue();
    return hook;
  }

  @Test
  void aProcessorKilledBetweenMovingTheTargetAndUpdatingItsCheckedOutTree_isFinishedByTheNext() throws Exception {
    String head = repo.branch("b1", "b1.txt", "b1\n");
    repo.ok("checkout", "-q", "main");
    enqueue("b1");
    Path hook = killTheProcessorOnceMainMoves();

    String crashed = processElsewhere(java.util.Map.of(), "true");

    assertThat(crashed).as(crashed).startsWith("exit 137");
    Files.delete(hook);
    assertThat(repo.tip("main")).as("main moved").isEqualTo(head);
    assertThat(repo.dir.resolve("b1.txt")).as("the checked-out tree did not").doesNotExist();

    QueueProcessor.Summary summary = process("true", 1);

    assertThat(summary.stoppedBecause()).isEmpty();
    assertThat(summary.validations()).as("the landed entry is not validated again").isZero();
    assertThat(entry("b1").state()).isEqualTo(QueueEntry.State.LANDED);
    assertThat(entry("b1").landedAs()).contains(head);
    assertThat(Files.readString(repo.dir.resolve("b1.txt"))).isEqualTo("b1\n");
    assertThat(repo.ok("status", "--porcelain").out()).isBlank();
    assertThat(repo.tip("main")).isEqualTo(head);
    assertThat(progress.toString(StandardCharsets.UTF_8)).contains("reconciled #1 b1: it had landed on main");
  }

  @Test
  void aProcessorKilledBetweenMovingTheTargetAndUpdatingItsTree_withChangesMadeSince_leftAsAPushWould_adviceRunsAsPrinted()
      throws Exception {
    String head = repo.branch("b1", "b1.txt", "b1\n");
    repo.branch("b2", "b2.txt", "b2\n");
    repo.ok("checkout", "-q", "main");
    String before = repo.tip("main");
    enqueue("b1");
    enqueue("b2");
    Path hook = killTheProcessorOnceMainMoves();
    assertThat(processElsewhere(java.util.Map.of(), "true")).startsWith("exit 137");
    Files.delete(hook);
    repo.write("base.txt", "edited after the crash\n");

    QueueProcessor.Summary summary = process("true", 1);

    String stopped = summary.stoppedBecause().get();
    assertThat(stopped).startsWith("main moved to " + head.substring(0, 12) + " (the landing of #1 b1) under "
        + repo.dir + ", which has uncommitted changes; its index and files still show " + before.substring(0, 12)
        + ", as after a git push to a checked-out branch, and were left so. ");
    assertThat(entry("b1").state()).isEqualTo(QueueEntry.State.LANDED);
    assertThat(entry("b2").state()).isEqualTo(QueueEntry.State.QUEUED);
    assertThat(repo.tip("main")).isEqualTo(head);
    assertThat(repo.dir.resolve("b1.txt")).doesNotExist();
    assertThat(Files.readString(repo.dir.resolve("base.txt"))).isEqualTo("edited after the crash\n");
    String advice = stopped.substring(stopped.indexOf(", run: ") + ", run: ".length());
    assertThat(advice).doesNotContain("reset", "commit");

    Process followed = new ProcessBuilder("sh", "-c", advice).directory(temp.toFile()).redirectErrorStream(true)
        .start();
    String said = new String(followed.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(followed.waitFor()).as(said).isZero();

    assertThat(repo.tip("main")).as("the landing is kept").isEqualTo(head);
    assertThat(repo.ok("symbolic-ref", "HEAD").line()).isEqualTo("refs/heads/main");
    assertThat(repo.ok("status", "--porcelain").out()).isEqualTo(" M base.txt\n");
    assertThat(Files.readString(repo.dir.resolve("b1.txt"))).isEqualTo("b1\n");
    assertThat(Files.readString(repo.dir.resolve("base.txt"))).isEqualTo("edited after the crash\n");
    repo.commitAll("the person's own change");
    assertThat(process("true", 1).landed()).isEqualTo(1);
    assertThat(repo.contains("main", head)).isTrue();
    assertThat(repo.ok("show", "main:b1.txt").out()).isEqualTo("b1\n");
    assertThat(repo.ok("show", "main:b2.txt").out()).isEqualTo("b2\n");
  }

  @Test
  void aDeletedBranch_isRejectedWithACommandThatPutsItBack_andThatCommandRunsAsPrinted() throws Exception {
    String head = repo.branch("gone", "g.txt", "g\n");
    enqueue("gone");
    repo.ok("branch", "-D", "gone");

    new QueueProcessor(queue, "true", Duration.ofMinutes(2), 1, Clock.systemUTC(),
        new PrintStream(progress, true, StandardCharsets.UTF_8)).hintsAs("echo session-lock").process().get();

    QueueEntry gone = entry("gone");
    assertThat(gone.state()).isEqualTo(QueueEntry.State.REJECTED);
    String advice = "git -C '" + repo.dir + "' branch 'gone' " + head + " && echo session-lock queue enqueue 'gone' "
        + "--onto 'main' --dir '" + repo.dir + "'";
    assertThat(gone.reason().get()).isEqualTo("the branch gone was deleted after it was enqueued at "
        + head.substring(0, 12) + "; to land that commit: " + advice);
    Process followed = new ProcessBuilder("sh", "-c", advice).directory(temp.toFile()).start();
    assertThat(new String(followed.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo("session-lock queue enqueue gone --onto main --dir " + repo.dir + "\n");
    assertThat(followed.waitFor()).isZero();
    assertThat(repo.tip("gone")).isEqualTo(head);
  }
}
