package dev.parallelsessionlock.git;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.FairLine;
import dev.parallelsessionlock.core.Grantor;
import dev.parallelsessionlock.core.LockFailure;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.Refresh;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.Turn;
import dev.parallelsessionlock.process.LocalProcesses;
import dev.parallelsessionlock.process.ProcessTableLiveness;
import dev.parallelsessionlock.store.IoErrors;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lands queued branches one validated step at a time. One processor per repository: it holds a lease on the lock
 * protocol ({@code queue-processor}), renewed while it works; a killed processor's lease is taken over like any
 * dead holder's. On start it reconciles what a killed one left (entries marked validating, scratch worktrees).
 *
 * <p>For each entry, first in first out: a branch that moved since it was enqueued is rejected; {@code git
 * merge-tree --write-tree} against the target rejects a conflicting one, naming the files, before any
 * validation; otherwise the candidate (the target's tip merged with the branch, or the branch itself when that is
 * a fast-forward) is checked out in a scratch worktree and the validation command runs there; green lands the
 * candidate with a compare-and-swap of the target ref, so the target only ever holds a tree validated exactly as
 * it lands (a target that moved meanwhile makes the swap lose, and the entry is validated again on the new tip);
 * red is retried once, then ejects the entry with its log's tail. With a batch size above one, up to that many
 * entries are validated as one candidate; a red batch is split in halves until the bad entry is found.
 *
 * <p>The lease is fenced: the processor renews it with the generation it was granted, and confirms it so right
 * before each validation and each ref move; a processor whose lease was taken over (its heartbeat did not come
 * through in time) stops there, its entries back in the queue. A landing is recorded before the ref moves
 * ({@link MergeQueue.Landing}), so a processor killed between the ref move and the checked-out work tree's update
 * is finished by the next one's reconcile.
 */
public final class QueueProcessor {

  /** What a run did. */
  public record Summary(int landed, int rejected, int validations, Option<String> stoppedBecause) {}

  /**
   * How a run takes the processor's lease, through the lease's fair line: {@link #ONCE} by default (one try, no
   * place kept), or waiting in line (the command's {@code --wait}, which watches for changes).
   */
  public interface LeaseTaking {
    /** One try, and no place kept: another processor running is an answer at once. */
    LeaseTaking ONCE = new LeaseTaking() {
      @Override
      public Either<LockFailure, Turn<Acquisition>> take(FairLine line, List<LockKey> keys, Claimant processor,
          Grantor<Acquisition> grantor) {
        return line.tryOnce(keys, processor, grantor);
      }
    };

    /** Takes the lease for {@code processor}: granted, waiting (its place), a deadlock, or a failure. */
    Either<LockFailure, Turn<Acquisition>> take(FairLine line, List<LockKey> keys, Claimant processor,
        Grantor<Acquisition> grantor);
  }

  static final LockKey LEASE = new LockKey("queue-processor");
  static final Duration LEASE_TTL = Duration.ofMinutes(2);
  static final int LOG_TAIL_LINES = 20;
  /** The scratch worktree's name in its folder ({@code <scratch>/<place>-<random>/candidate}). */
  static final String CANDIDATE = "candidate";

  /** Who the queue's merge commits are by when git has no identity here (no user.name/user.email, none found). */
  public static final String FALLBACK_NAME = "parallel-session-lock merge queue";
  public static final String FALLBACK_EMAIL = "session-lock@localhost";

  private final MergeQueue queue;
  private Git git;
  private final String command;
  private final Duration timeout;
  private final int batch;
  private final Clock clock;
  private final PrintStream progress;
  private String program = "session-lock";
  private List<String> localVariables;
  private int landed;
  private int rejected;
  private int validations;
  private LeaseTaking taking = LeaseTaking.ONCE;
  /** The lease this run holds; set by {@link #process}. */
  private ParallelSessionLock lock;
  private Claimant me;
  private long generation;
  /** Why this run no longer holds its lease (the heartbeat or a check found out), once it does not. */
  private volatile String lostLease;
  /** Why this run stopped for want of its lease, before a validation or a ref move. */
  private String leaseStop;
  /** Why the last renewal could not be made (the store did not answer), if it could not. */
  private volatile String leaseUnconfirmed;

  public QueueProcessor(MergeQueue queue, String command, Duration timeout, int batch, Clock clock,
      PrintStream progress) {
    this.queue = queue;
    this.git = queue.git().with(Git.PROCESSOR_VARIABLE, "1");
    this.command = command;
    this.timeout = timeout;
    this.batch = Math.max(1, batch);
    this.clock = clock;
    this.progress = progress;
  }

  /** Who holds the processor's lease now, if anyone. */
  public static Option<LockRecord> processor(MergeQueue queue, Clock clock) {
    Either<String, LockStore> store = queue.leaseStore();
    if (store.isLeft()) {
      return Option.none();
    }
    var status = ParallelSessionLock.of(store.get(), ProcessTableLiveness.forThisHost(), clock).status(LEASE);
    if (status.isRight() && status.get() instanceof dev.parallelsessionlock.core.LockStatus.Held held
        && !held.takeable()) {
      return Option.some(held.record());
    }
    return Option.none();
  }

  /** Processes the queue until no entry waits; Left when another processor runs or the queue cannot be used. */
  public Either<String, Summary> process() {
    Either<String, LockStore> store = queue.leaseStore();
    if (store.isLeft()) {
      return Either.left(store.getLeft());
    }
    lock = ParallelSessionLock.of(store.get(), ProcessTableLiveness.forThisHost(), clock).withTtl(LEASE_TTL);
    me = new Claimant("queue-processor-" + ProcessHandle.current().pid(), LocalProcesses.current(), false);
    // Through the lease's fair line (its tickets beside the lease): processors that wait are served in order.
    Either<LockFailure, Turn<Acquisition>> turn = taking.take(FairLine.of(lock, store.get()), List.of(LEASE), me,
        Grantor.lease(lock, LEASE, me, LEASE_TTL, Option.none()));
    if (turn.isLeft()) {
      return Either.left(turn.getLeft().describe());
    }
    if (!(turn.get() instanceof Turn.Granted<Acquisition> granted)) {
      Option<LockRecord> holder = Option.none();
      if (turn.get() instanceof Turn.Waiting<Acquisition> waiting && waiting.refused().isDefined()
          && waiting.refused().get() instanceof Acquisition.Blocked blocked) {
        holder = blocked.holder();
      }
      return Either.left(holder.isDefined()
          ? "another processor (pid " + holder.get().pid() + ") is processing this queue; it ends, or its lease "
              + "does, before this one can start"
          : "another processor waits to process this queue ahead of this one");
    }
    if (!(granted.outcome() instanceof Acquisition.Acquired acquired)) {
      return Either.left("another processor is processing this queue");
    }
    generation = acquired.record().generation();
    Thread heartbeat = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted() && lostLease == null) {
        try {
          Thread.sleep(LEASE_TTL.toMillis() / 4);
        } catch (InterruptedException e) {
          return;
        }
        renew(); // a lost lease is kept in lostLease; a store failure is tried again next time
      }
    }, "queue-lease-heartbeat");
    heartbeat.setDaemon(true);
    heartbeat.start();
    try {
      git = identified(git);
      Option<String> stopped = reconcile();
      while (stopped.isEmpty()) {
        List<QueueEntry> waiting = waiting();
        if (waiting.isEmpty()) {
          break;
        }
        String target = waiting.get(0).target();
        List<QueueEntry> next = new ArrayList<>();
        for (QueueEntry entry : waiting) {
          if (entry.target().equals(target) && next.size() < batch) {
            next.add(entry);
          }
        }
        stopped = handle(next);
      }
      if (leaseStop != null) {
        return Either.left(leaseStop);
      }
      return Either.right(new Summary(landed, rejected, validations, stopped));
    } catch (IOException e) {
      return Either.left(IoErrors.describe(e));
    } finally {
      heartbeat.interrupt();
      lock.release(LEASE, me, generation);
    }
  }

  /**
   * Renews the lease with the generation it was granted: true while this run still holds it. Once it does not
   * (taken over after it ran out, or removed), {@link #lostLease} says so and stays set; a store that cannot answer
   * is false for now (no proof the lease is held), not lost.
   */
  private boolean renew() {
    if (lostLease != null) {
      return false;
    }
    Either<LockFailure, Refresh> renewed = lock.refresh(LEASE, me, generation);
    if (renewed.isRight() && renewed.get() instanceof Refresh.NotHolder notHolder) {
      Option<Slot> now = notHolder.current();
      lostLease = now.isDefined() && now.get() instanceof Slot.Held held
          ? "another processor (pid " + held.record().pid() + ") took over this queue's lease (this one's had run out)"
          : "this processor's lease on the queue is gone (its record was removed)";
      return false;
    }
    leaseUnconfirmed = renewed.isLeft() ? renewed.getLeft().describe() : null;
    return renewed.isRight();
  }

  /**
   * Whether this run may go on to {@code step} (a validation, a ref move): its lease confirmed with its generation.
   * Otherwise {@code entries} (marked validating by this run) go back to the queue, where a write of the new holder
   * has not changed them, and the answer is why this run stops.
   */
  private Option<String> confirmLease(String step, List<QueueEntry> entries) throws IOException {
    if (renew()) {
      return Option.none();
    }
    String why = lostLease != null ? lostLease + "; this one stopped before " + step
        : "cannot confirm this processor's lease on the queue (" + leaseUnconfirmed + "); stopped before " + step;
    requeue(entries, Option.some("its processor lost its lease before landing it; validated again"));
    leaseStop = why;
    return Option.some(why);
  }

  /**
   * {@code git} with an identity for the merge commits, settled before any work: the one git finds (configuration,
   * environment, or what it detects); else, for each role (author, committer) git has none for, the configured name
   * and email where there is one and {@link #FALLBACK_NAME} / {@link #FALLBACK_EMAIL} for the rest, in git's
   * environment for the queue's own git calls only.
   */
  private Git identified(Git git) {
    Git with = git;
    String used = "";
    for (String role : List.of("author", "committer")) {
      String prefix = "GIT_" + role.toUpperCase(java.util.Locale.ROOT);
      if (git.run("var", prefix + "_IDENT").ok()) {
        continue;
      }
      String name = configured(git, role + ".name", "user.name").getOrElse(FALLBACK_NAME);
      String email = configured(git, role + ".email", "user.email").getOrElse(FALLBACK_EMAIL);
      with = with.with(prefix + "_NAME", name).with(prefix + "_EMAIL", email);
      used = name + " <" + email + ">";
    }
    if (!used.isEmpty()) {
      progress.println("git has no identity here: the queue's merge commits are made as " + used
          + " (git config user.name / user.email sets yours)");
    }
    return with;
  }

  private static Option<String> configured(Git git, String... keys) {
    for (String key : keys) {
      Git.Result value = git.run("config", "--get", key);
      if (value.ok() && !value.line().isEmpty()) {
        return Option.some(value.line());
      }
    }
    return Option.none();
  }

  /**
   * How the advice in rejection reasons names this program: the launcher, quoted for sh ({@code session-lock}
   * when not told).
   */
  /** Takes the lease by {@code taking} (for example waiting in line for the running processor to end). */
  public QueueProcessor takingLeaseBy(LeaseTaking taking) {
    this.taking = java.util.Objects.requireNonNull(taking, "taking");
    return this;
  }

  public QueueProcessor hintsAs(String program) {
    this.program = program;
    return this;
  }

  private List<QueueEntry> waiting() throws IOException {
    List<QueueEntry> waiting = new ArrayList<>();
    for (QueueEntry entry : queue.entries()) {
      if (entry.waiting()) {
        waiting.add(entry);
      }
    }
    return waiting;
  }

  /**
   * Puts back what a killed processor left: a landing it began (finished: the entries marked landed and the
   * checked-out work tree brought along, when the target did move), entries it was validating (landed when the
   * target already has them, else back in the queue), its scratch worktrees, and what killed writers left of the
   * queue's documents ({@link MergeQueue#sweep}). Returns why processing must stop: a
   * checked-out work tree that still shows the target as it was before the landing and has changes of its own.
   */
  Option<String> reconcile() throws IOException {
    Option<String> stop = finishLanding();
    for (QueueEntry entry : queue.entries()) {
      if (entry.state() != QueueEntry.State.VALIDATING) {
        continue;
      }
      Option<String> tip = git.resolve("refs/heads/" + entry.target());
      if (tip.isDefined() && git.isAncestor(entry.head(), tip.get())) {
        if (queue.save(entry.landed(tip.get(), Option.some("found in " + entry.target() + " after its processor "
            + "stopped"), clock.instant())).isDefined()) {
          landed++;
          progress.println("reconciled #" + entry.seq() + " " + entry.branch() + ": it is in " + entry.target()
              + " already; landed");
        }
      } else if (queue.save(entry.with(QueueEntry.State.QUEUED,
          Option.some("its processor stopped during validation; validated again"), clock.instant())).isDefined()) {
        progress.println("reconciled #" + entry.seq() + " " + entry.branch() + ": back in the queue");
      }
    }
    if (Files.isDirectory(queue.scratch())) {
      try (DirectoryStream<Path> scratch = Files.newDirectoryStream(queue.scratch())) {
        for (Path dir : scratch) {
          removeScratch(dir);
          progress.println("reconciled: removed the scratch worktree " + dir.resolve(CANDIDATE));
        }
      }
    }
    if (Files.isDirectory(queue.legacyScratch())) {
      try (DirectoryStream<Path> scratch = Files.newDirectoryStream(queue.legacyScratch())) {
        for (Path dir : scratch) {
          git.run("worktree", "remove", "--force", "--force", dir.toString());
          removeTree(dir);
          progress.println("reconciled: removed the scratch worktree " + dir);
        }
      }
    }
    git.run("worktree", "prune");
    queue.sweep(clock.instant());
    return stop;
  }

  /**
   * Finishes the landing a killed processor began, if the target did move ({@code to} is in it): its entries are
   * marked landed, and the work tree that has the target checked out is brought along ({@link #bringAlong}). A
   * landing whose ref never moved is dropped (its entries go back to the queue). The record stays, and processing
   * stops, while that work tree shows the old target under changes of its own.
   */
  private Option<String> finishLanding() throws IOException {
    Option<MergeQueue.Landing> begun = queue.landing();
    if (begun.isEmpty()) {
      return Option.none();
    }
    MergeQueue.Landing landing = begun.get();
    Option<String> tip = git.resolve("refs/heads/" + landing.target());
    if (tip.isEmpty() || !git.isAncestor(landing.to(), tip.get())) {
      queue.endLanding();
      return Option.none();
    }
    List<QueueEntry> entries = new ArrayList<>();
    for (QueueEntry entry : queue.entries()) {
      if (landing.entries().contains(entry.seq())) {
        entries.add(entry);
        if (entry.waiting() && queue.save(entry.landed(landing.to(), Option.some("landed; its processor stopped "
            + "before it could say so"), clock.instant())).isDefined()) {
          landed++;
          progress.println("reconciled #" + entry.seq() + " " + entry.branch() + ": it had landed on "
              + landing.target());
        }
      }
    }
    Option<String> stop = landing.worktree().isDefined() && tip.get().equals(landing.to())
        ? bringAlong(landing, entries) : Option.none();
    if (stop.isEmpty()) {
      queue.endLanding();
    }
    return stop;
  }

  /**
   * The checked-out work tree of a landing whose ref moved and whose work tree was not updated: when its index and
   * files still equal the old target, they are moved to the new one ({@code git read-tree -u -m FROM TO}, as a
   * landing does); when they have changes of their own on top of the old target, they are left exactly as a
   * {@code git push} to a checked-out branch leaves them, and the answer says what to run (a {@code commit} or
   * {@code stash} there now would revert the landing). None when there is nothing to do: the work tree has another
   * branch checked out by now, or already shows the new target.
   */
  private Option<String> bringAlong(MergeQueue.Landing landing, List<QueueEntry> entries) {
    Path tree = landing.worktree().get();
    Git there = Git.in(tree).with(Git.PROCESSOR_VARIABLE, "1");
    if (!Files.isDirectory(tree) || !there.run("symbolic-ref", "--quiet", "HEAD").line()
        .equals("refs/heads/" + landing.target())) {
      return Option.none();
    }
    there.run("update-index", "-q", "--refresh");
    List<String> changed = paths(git.run("diff", "--name-only", "-z", landing.from(), landing.to(), "--"));
    if (paths(there.run("diff-index", "--cached", "--name-only", "-z", landing.from(), "--")).containsAll(changed)) {
      return Option.none(); // the index no longer has the old version of anything the landing changed
    }
    String state = "has uncommitted changes";
    if (there.run("diff-index", "--cached", "--quiet", landing.from(), "--").ok()
        && there.run("diff-files", "--quiet").ok()) {
      Git.Result updated = there.run("read-tree", "-u", "-m", landing.from(), landing.to());
      if (updated.ok()) {
        progress.println("reconciled: " + tree + " now shows " + landing.target() + " as landed ("
            + landing.from().substring(0, 12) + " to " + landing.to().substring(0, 12) + ")");
        return Option.none();
      }
      state = "git could not update (" + updated.problem() + ")";
    }
    List<String> names = new ArrayList<>();
    for (QueueEntry entry : entries) {
      names.add("#" + entry.seq() + " " + entry.branch());
    }
    String dir = quote(tree.toString());
    String why = landing.target() + " moved to " + landing.to().substring(0, 12) + " (the landing of "
        + String.join(", ", names) + ") under " + tree + ", which " + state + "; its index and files still show "
        + landing.from().substring(0, 12) + ", as after a git push to a checked-out branch, and were left so. "
        + "Committing or stashing there now would revert the landing. To bring them to " + landing.target()
        + " and keep your changes, run: git -C " + dir + " update-ref --no-deref HEAD " + landing.from() + " && git -C "
        + dir + " stash && git -C " + dir + " checkout " + quote(landing.target()) + " && git -C " + dir + " stash pop";
    progress.println(why);
    return Option.some(why);
  }

  /** The NUL-separated paths git printed ({@code -z}). */
  private static List<String> paths(Git.Result listed) {
    List<String> paths = new ArrayList<>();
    for (String path : listed.out().split("\0")) {
      if (!path.isEmpty()) {
        paths.add(path);
      }
    }
    return paths;
  }

  /** Whether {@code tree} is a validation's scratch worktree (under the scratch folder, or where it used to be). */
  private boolean isScratch(Path tree) {
    return tree.startsWith(queue.scratch()) || tree.startsWith(queue.legacyScratch());
  }

  /**
   * Validates and lands {@code entries} (one target, queue order). Returns why processing must stop (a dirty
   * checked-out target, a validation that deleted the queue's files), else none.
   */
  private Option<String> handle(List<QueueEntry> entries) throws IOException {
    List<QueueEntry> ready = new ArrayList<>();
    for (QueueEntry entry : entries) {
      Option<String> now = git.resolve("refs/heads/" + entry.branch());
      if (now.isEmpty()) {
        reject(entry, "the branch " + entry.branch() + " was deleted after it was enqueued at "
            + entry.head().substring(0, Math.min(12, entry.head().length())) + "; to land that commit: git -C "
            + quote(queue.git().dir().toString()) + " branch " + quote(entry.branch()) + " " + entry.head() + " && "
            + enqueueAgain(entry), Option.none());
        continue;
      }
      if (!now.get().equals(entry.head())) {
        reject(entry, "the branch " + entry.branch() + " moved since it was enqueued; enqueue it again: "
            + enqueueAgain(entry), Option.none());
        continue;
      }
      ready.add(entry);
    }
    if (ready.isEmpty()) {
      return Option.none();
    }
    String target = ready.get(0).target();
    Option<String> tip = git.resolve("refs/heads/" + target);
    if (tip.isEmpty()) {
      for (QueueEntry entry : ready) {
        reject(entry, "the target branch " + target + " no longer exists", Option.none());
      }
      return Option.none();
    }
    // Preflight each entry against the target alone, then build the candidate entry by entry; one that only
    // conflicts with another entry of this batch waits for the next round.
    String candidate = tip.get();
    List<QueueEntry> included = new ArrayList<>();
    for (QueueEntry entry : ready) {
      Either<List<String>, String> alone = mergeTree(tip.get(), entry.head());
      if (alone.isLeft()) {
        reject(entry, "conflicts with " + target + " in " + String.join(", ", alone.getLeft())
            + "; rebase or merge " + target + " into it, then enqueue it again: " + enqueueAgain(entry), Option.none());
        continue;
      }
      Either<List<String>, String> merged = mergeTree(candidate, entry.head());
      if (merged.isLeft()) {
        continue; // conflicts only with an entry ahead of it: next round
      }
      candidate = commitFor(candidate, entry, merged.get());
      included.add(entry);
    }
    if (included.isEmpty()) {
      return Option.none();
    }
    Option<String> lease = confirmLease("validating " + names(included), List.of());
    if (lease.isDefined()) {
      return lease;
    }
    List<QueueEntry> marked = new ArrayList<>();
    for (QueueEntry entry : included) {
      Option<QueueEntry> validating = queue.save(entry.with(QueueEntry.State.VALIDATING, Option.none(),
          clock.instant()).attempted());
      if (validating.isEmpty()) {
        // Changed since it was read (a person removed it): the candidate holds it, so start again from the queue.
        requeue(marked, Option.none());
        return Option.none();
      }
      marked.add(validating.get());
    }
    Validation result = validate(candidate, marked.get(0).seq());
    if (result.damage().isDefined()) {
      return keepAfterDamage(marked, result.damage().get());
    }
    if (!result.green() && marked.size() == 1) {
      progress.println("#" + marked.get(0).seq() + " " + marked.get(0).branch() + ": red, retrying once");
      Option<QueueEntry> again = queue.save(marked.get(0).attempted());
      if (again.isEmpty()) {
        return Option.none(); // another writer changed it since: read the queue again
      }
      marked.set(0, again.get());
      Validation retry = validate(candidate, again.get().seq());
      if (retry.damage().isDefined()) {
        return keepAfterDamage(marked, retry.damage().get());
      }
      if (retry.green()) {
        return land(marked, candidate, tip.get(), target, Option.some("passed on retry after a red run: a flaky check?"));
      }
      result = retry;
    }
    if (result.green()) {
      return land(marked, candidate, tip.get(), target, Option.none());
    }
    if (marked.size() == 1) {
      reject(marked.get(0), "validation failed: " + result.why(), Option.some(result.tail()));
      return Option.none();
    }
    // A red batch: back to the queue, then each half on its own, so a single bad entry is found.
    progress.println("batch of " + marked.size() + " is red; splitting it");
    requeue(marked, Option.some("in a red batch; validated again in a smaller one"));
    List<QueueEntry> mine = stillWaiting(marked);
    int half = mine.size() / 2;
    Option<String> stop = handle(new ArrayList<>(mine.subList(0, half)));
    if (stop.isDefined()) {
      return stop;
    }
    return handle(stillWaiting(mine.subList(half, mine.size())));
  }

  /**
   * Puts {@code entries} (marked validating by this run) back in the queue with {@code why}; one another writer
   * changed since is left as that writer wrote it.
   */
  private void requeue(List<QueueEntry> entries, Option<String> why) throws IOException {
    for (QueueEntry entry : entries) {
      queue.save(entry.with(QueueEntry.State.QUEUED, why, clock.instant()));
    }
  }

  /** The command that puts {@code entry}'s branch back in this queue, onto its target, as it is now. */
  private String enqueueAgain(QueueEntry entry) {
    return program + " queue enqueue " + quote(entry.branch()) + " --onto " + quote(entry.target()) + " --dir "
        + quote(queue.git().dir().toString());
  }

  /** {@code value} as one sh word. */
  private static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }

  /** Those of {@code entries} still waiting, as the queue holds them now (one may have been dequeued meanwhile). */
  private List<QueueEntry> stillWaiting(List<QueueEntry> entries) throws IOException {
    java.util.Set<Long> seqs = new java.util.HashSet<>();
    entries.forEach(entry -> seqs.add(entry.seq()));
    List<QueueEntry> still = new ArrayList<>();
    for (QueueEntry entry : waiting()) {
      if (seqs.contains(entry.seq())) {
        still.add(entry);
      }
    }
    return still;
  }

  /** {@code git merge-tree --write-tree}: the merged tree, or the conflicting files. */
  private Either<List<String>, String> mergeTree(String base, String branch) {
    Git.Result result = git.run("merge-tree", "--write-tree", "--no-messages", base, branch);
    String[] lines = result.out().split("\n");
    if (result.exit() == 0) {
      return Either.right(lines[0].strip());
    }
    List<String> files = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      int tab = line.indexOf('\t');
      if (tab > 0 && !files.contains(line.substring(tab + 1))) {
        files.add(line.substring(tab + 1));
      }
    }
    if (files.isEmpty()) {
      files.add(result.problem());
    }
    return Either.left(files);
  }

  /** The candidate after {@code entry}: the branch itself when it fast-forwards, else a merge commit. */
  private String commitFor(String base, QueueEntry entry, String tree) throws IOException {
    if (git.isAncestor(base, entry.head())) {
      return entry.head();
    }
    Git.Result commit = git.run("commit-tree", tree, "-p", base, "-p", entry.head(), "-m",
        "Merge branch '" + entry.branch() + "' into " + entry.target() + " (merge queue #" + entry.seq() + ")");
    if (!commit.ok()) {
      throw new IOException("cannot make the merge commit: " + commit.problem());
    }
    return commit.line();
  }

  /** What a validation run said; {@code damage}: it deleted the queue's files (written back since). */
  record Validation(boolean green, String why, String tail, Option<String> damage) {}

  /**
   * Runs the command in a scratch worktree at {@code candidate}, outside the queue's folder, with the timeout and an
   * environment without git's repository variables (so it cannot act on the processor's repository by accident);
   * keeps its output (beside the worktree while it runs, then in the queue's logs). Afterwards the queue is checked against what it held before: whatever the run deleted is
   * written back, and the run says so.
   */
  private Validation validate(String candidate, long seq) throws IOException {
    validations++;
    List<QueueEntry> known = queue.entries();
    Object entriesKey = queue.entriesKey();
    List<String> targets = queue.targets();
    Path scratch = Files.createTempDirectory(Files.createDirectories(queue.scratch()), seq + "-");
    Path tree = scratch.resolve(CANDIDATE);
    Path log = scratch.resolve("validation.log");
    try {
      Git.Result added = git.run("worktree", "add", "--detach", "--force", tree.toString(), candidate);
      if (!added.ok()) {
        throw new IOException("cannot make the scratch worktree: " + added.problem());
      }
      ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).directory(tree.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().keySet().removeAll(repositoryVariables());
      progress.println("validating #" + seq + " at " + candidate.substring(0, Math.min(12, candidate.length())) + ": "
          + command);
      Process run = builder.start();
      boolean finished = run.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!finished) {
        run.descendants().forEach(ProcessHandle::destroyForcibly);
        run.destroyForcibly().waitFor();
      }
      Option<String> damage = damage(seq, known, entriesKey, targets);
      if (!Files.exists(log)) {
        Files.createDirectories(scratch);
        Files.writeString(log, "(the validation deleted its own log)\n", StandardCharsets.UTF_8);
      }
      Files.createDirectories(queue.logOf(seq).getParent());
      Files.copy(log, queue.logOf(seq), StandardCopyOption.REPLACE_EXISTING);
      if (!finished) {
        return new Validation(false, "timed out after " + timeout.toSeconds() + " s", tail(log), damage);
      }
      return run.exitValue() == 0 ? new Validation(true, "", "", damage)
          : new Validation(false, "the command exited " + run.exitValue(), tail(log), damage);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    } finally {
      removeScratch(scratch);
    }
  }

  /**
   * What the validation of #{@code seq} deleted from the queue, written back: the entries folder deleted or
   * replaced, an entry gone that {@code queue remove} could not have taken (one not simply queued), or the guard's
   * list gone. None when the queue is as it was.
   */
  private Option<String> damage(long seq, List<QueueEntry> known, Object entriesKey, List<String> targets)
      throws IOException {
    Object now = queue.entriesKey();
    boolean damaged = now == null || !now.equals(entriesKey) || (!targets.isEmpty() && queue.targets().isEmpty());
    for (QueueEntry entry : known) {
      damaged |= entry.state() != QueueEntry.State.QUEUED && !queue.hasEntry(entry.seq());
    }
    if (!damaged) {
      return Option.none();
    }
    List<QueueEntry> written = queue.restore(known, targets);
    return Option.some("the validation of #" + seq + " deleted the queue's files (" + written.size() + " of "
        + known.size() + " entries); they are written back, nothing was lost. Make the validation leave "
        + queue.dir() + " alone, then run process again");
  }

  /** After a validation that damaged the queue: its entries wait again, and processing stops with {@code why}. */
  private Option<String> keepAfterDamage(List<QueueEntry> marked, String why) throws IOException {
    requeue(marked, Option.some("its validation deleted the queue's files (written back); not landed"));
    progress.println(why);
    return Option.some(why);
  }

  /** git's variables that point it at a repository ({@code git rev-parse --local-env-vars}), and ours. */
  private List<String> repositoryVariables() {
    if (localVariables == null) {
      List<String> names = new ArrayList<>(List.of(Git.PROCESSOR_VARIABLE, "SESSION_LOCK_GUARD_DONE"));
      for (String name : git.run("rev-parse", "--local-env-vars").out().split("\n")) {
        if (!name.isBlank()) {
          names.add(name.strip());
        }
      }
      localVariables = names;
    }
    return localVariables;
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
  }

  /** Removes a validation's scratch folder: its worktree (from git too) and its log. */
  private void removeScratch(Path scratch) {
    Path tree = scratch.resolve(CANDIDATE);
    if (Files.exists(tree)) {
      git.run("worktree", "remove", "--force", "--force", tree.toString());
    }
    removeTree(scratch);
    git.run("worktree", "prune");
  }

  private void removeTree(Path dir) {
    if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      deleteTree(dir.toFile());
    }
  }

  private static void deleteTree(File file) {
    File[] children = file.listFiles();
    if (children != null && !Files.isSymbolicLink(file.toPath())) {
      for (File child : children) {
        deleteTree(child);
      }
    }
    file.delete();
  }

  /**
   * Moves the target from {@code tip} to {@code candidate} with a compare-and-swap; fast-forwards a clean worktree
   * that has the target checked out, and refuses (entries stay queued) when that worktree is dirty. Right before the
   * ref moves, the lease is confirmed (a processor that lost it moves nothing) and the landing is recorded, so a
   * processor killed after the ref moved is finished by the next one ({@link #finishLanding}).
   */
  private Option<String> land(List<QueueEntry> entries, String candidate, String tip, String target,
      Option<String> note) throws IOException {
    Option<Path> checkedOut = worktreeOf(target);
    if (checkedOut.isDefined()) {
      Git.Result status = Git.in(checkedOut.get()).run("status", "--porcelain", "--untracked-files=no");
      if (!status.ok() || !status.out().isBlank()) {
        String why = target + " is checked out in " + checkedOut.get() + " with uncommitted changes; landing would make "
            + "them look reverted there. Commit or stash them, then run process again";
        requeue(entries, Option.some(why));
        return Option.some(why);
      }
    }
    Option<String> lease = confirmLease("landing " + names(entries), entries);
    if (lease.isDefined()) {
      return lease;
    }
    List<Long> seqs = new ArrayList<>();
    for (QueueEntry entry : entries) {
      seqs.add(entry.seq());
    }
    queue.beginLanding(new MergeQueue.Landing(target, tip, candidate, checkedOut, seqs));
    Git.Result swapped = git.run("update-ref", "-m", "merge queue: land " + names(entries), "refs/heads/" + target,
        candidate, tip);
    if (!swapped.ok()) {
      queue.endLanding();
      requeue(entries, Option.some(target + " moved during validation; validated again on its new tip"));
      progress.println(target + " moved during validation: validating again");
      return Option.none();
    }
    if (checkedOut.isDefined()) {
      Git.Result updated = Git.in(checkedOut.get()).with(Git.PROCESSOR_VARIABLE, "1")
          .run("read-tree", "-u", "-m", tip, candidate);
      if (!updated.ok()) {
        git.run("update-ref", "-m", "merge queue: undo, the checked-out worktree refused", "refs/heads/" + target, tip,
            candidate);
        queue.endLanding();
        String why = "cannot update " + checkedOut.get() + " (" + updated.problem() + "); " + target + " left as it was";
        requeue(entries, Option.some(why));
        return Option.some(why);
      }
    }
    for (QueueEntry entry : entries) {
      queue.save(entry.landed(candidate, note, clock.instant()));
      landed++;
      progress.println("landed #" + entry.seq() + " " + entry.branch() + " on " + target
          + note.map(n -> " (" + n + ")").getOrElse(""));
    }
    queue.endLanding();
    return Option.none();
  }

  private static String names(List<QueueEntry> entries) {
    List<String> names = new ArrayList<>();
    for (QueueEntry entry : entries) {
      names.add(entry.branch());
    }
    return String.join(", ", names);
  }

  /** The worktree that has {@code branch} checked out, if one does. */
  private Option<Path> worktreeOf(String branch) {
    Git.Result list = git.run("worktree", "list", "--porcelain");
    Path current = null;
    for (String line : list.out().split("\n")) {
      if (line.startsWith("worktree ")) {
        current = Path.of(line.substring("worktree ".length()));
      } else if (line.equals("branch refs/heads/" + branch) && current != null && !isScratch(current)) {
        return Option.some(current);
      }
    }
    return Option.none();
  }

  /** Rejects {@code entry} with {@code why}, unless another writer (a person's remove) changed it since it was read. */
  private void reject(QueueEntry entry, String why, Option<String> tail) throws IOException {
    if (queue.save(entry.rejected(why, tail, clock.instant())).isDefined()) {
      rejected++;
      progress.println("rejected #" + entry.seq() + " " + entry.branch() + ": " + why);
    }
  }
}
