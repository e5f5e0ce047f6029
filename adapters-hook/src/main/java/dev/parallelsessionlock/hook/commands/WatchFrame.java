package dev.parallelsessionlock.hook.commands;

import dev.parallelsessionlock.core.Liveness;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStatus;
import dev.parallelsessionlock.core.ProcessLiveness;
import dev.parallelsessionlock.core.Ticket;
import dev.parallelsessionlock.git.QueueEntry;
import io.vavr.control.Option;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One frame of {@code watch}: what the store and the merge queue hold for one workspace, as values. Built by {@link
 * #of} from what was read, without reading anything itself; {@link WatchRender} turns it into text or JSON. Times are
 * instants, not ages, so two reads of an unchanged store give equal frames.
 *
 * @param workspace the work tree watched
 * @param sessions every session or task that holds something here or waits in a line here, by id
 * @param lines every line of a key of this workspace (its lease, its files, its work items), held or free
 * @param claims the work items under the items folder that are claimed
 * @param itemsRoot where the work items were looked for
 * @param queue the repository's merge queue, when it has one
 * @param problems what could not be read (an unreadable record), one line each
 */
record WatchFrame(Path workspace, List<Session> sessions, List<Line> lines, List<Claim> claims, Path itemsRoot,
    Option<Queue> queue, List<String> problems) {

  WatchFrame {
    sessions = List.copyOf(sessions);
    lines = List.copyOf(lines);
    claims = List.copyOf(claims);
    problems = List.copyOf(problems);
  }

  /** What a key stands for. */
  enum Kind {
    WORKSPACE, FILE, ITEM;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A session (or a plan task: {@code task:<id>}) with what it holds; none when it only waits.
   *
   * @param agent the agent's name when the records say it
   * @param pid 0 when no agent process is known
   */
  record Session(String id, Option<String> agent, long pid, Liveness liveness, List<Hold> holds) {
    Session {
      holds = List.copyOf(holds);
    }
  }

  /**
   * One key a session holds.
   *
   * @param what the workspace's path, a file's path relative to the workspace, or a work item's id
   * @param takeable another session may take it over (its lease ran out, or its holder is dead)
   */
  record Hold(Kind kind, String what, Instant since, Instant until, boolean takeable) {}

  /**
   * The line of one key, in order.
   *
   * @param holder the session holding the key, none when it is free
   */
  record Line(Kind kind, String what, Option<String> holder, List<Waiter> waiters) {
    Line {
      waiters = List.copyOf(waiters);
    }
  }

  /**
   * One ticket of a line.
   *
   * @param place 1 for the next to be served, 2 behind it, ...; 0 for a ticket that no longer keeps its place (its
   *     waiter died or stopped trying): the next attempt skips and deletes it
   * @param session the waiter, or {@code ?} for unreadable bytes
   * @param since when it joined the line; none for unreadable bytes
   */
  record Waiter(int place, String session, Option<String> agent, long pid, boolean live, Option<Instant> since) {}

  /** A claimed work item. {@code stale}: its claim may be taken over. */
  record Claim(String item, String session, long pid, Liveness liveness, Instant since, boolean stale) {}

  /** The merge queue: the processor holding its lease (its pid), and every entry in order. */
  record Queue(Option<Long> processorPid, List<QueueItem> entries) {
    Queue {
      entries = List.copyOf(entries);
    }
  }

  /** One entry of the merge queue; {@code state} is {@code queued}, {@code validating}, {@code landed}, ... */
  record QueueItem(long seq, String branch, String target, String state) {
    static QueueItem of(QueueEntry entry) {
      return new QueueItem(entry.seq(), entry.branch(), entry.target(), entry.state().name().toLowerCase(Locale.ROOT));
    }
  }

  /** The tickets of one key's line, as {@code FairLine.line} read them. */
  record LineRead(LockKey key, List<Ticket> tickets) {}

  /** A work item's claim as read: its name for people and its claim's status. */
  record ClaimRead(String item, LockStatus status) {}

  /**
   * The frame of what was read: the workspace's lease, the file locks of its work tree, the lines of its keys, the
   * claims of its work items and its queue. {@code liveness} judges waiters (holders come judged in their status).
   */
  static WatchFrame of(Path workspace, LockStatus lease, List<LockStatus> files, List<LineRead> lineReads,
      List<ClaimRead> claimReads, Path itemsRoot, Option<Queue> queue, ProcessLiveness liveness) {
    Map<String, Session> sessions = new TreeMap<>();
    Map<LockKey, String> names = new TreeMap<>();
    Map<LockKey, String> holders = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    names.put(lease.key(), workspace.toString());
    hold(sessions, holders, problems, lease, Kind.WORKSPACE, workspace.toString());
    for (LockStatus file : files) {
      String what = file instanceof LockStatus.Held held
          ? relative(workspace, held.record().details().path().getOrElse(file.key().name()))
          : file.key().name();
      names.put(file.key(), what);
      hold(sessions, holders, problems, file, Kind.FILE, what);
    }
    List<Claim> claims = new ArrayList<>();
    for (ClaimRead read : claimReads) {
      names.put(read.status().key(), read.item());
      hold(sessions, holders, problems, read.status(), Kind.ITEM, read.item());
      if (read.status() instanceof LockStatus.Held held) {
        LockRecord record = held.record();
        claims.add(new Claim(read.item(), record.sessionId(), record.pid(), held.liveness(), record.acquiredAt(),
            held.takeable()));
      }
    }
    List<Line> lines = new ArrayList<>();
    for (LineRead read : lineReads) {
      List<Waiter> waiters = new ArrayList<>();
      int place = 0;
      for (Ticket ticket : read.tickets()) {
        if (ticket.record().isEmpty()) {
          waiters.add(new Waiter(ticket.live() ? ++place : 0, "?", Option.none(), 0, ticket.live(), Option.none()));
          continue;
        }
        LockRecord record = ticket.record().get();
        waiters.add(new Waiter(ticket.live() ? ++place : 0, record.sessionId(), record.details().agent(),
            record.pid(), ticket.live(), Option.some(record.heldSince())));
        if (!sessions.containsKey(record.sessionId())) {
          sessions.put(record.sessionId(), new Session(record.sessionId(), record.details().agent(), record.pid(),
              liveness.of(record.holder()), List.of()));
        }
      }
      Kind kind = read.key().isWorkspace() ? Kind.WORKSPACE : read.key().isFile() ? Kind.FILE : Kind.ITEM;
      lines.add(new Line(kind, names.getOrDefault(read.key(), read.key().name()),
          Option.of(holders.get(read.key())), waiters));
    }
    lines.sort(Comparator.comparing(Line::kind).thenComparing(Line::what));
    return new WatchFrame(workspace, new ArrayList<>(sessions.values()), lines, claims, itemsRoot, queue, problems);
  }

  private static void hold(Map<String, Session> sessions, Map<LockKey, String> holders, List<String> problems,
      LockStatus status, Kind kind, String what) {
    if (status instanceof LockStatus.Unreadable unreadable) {
      problems.add(kind.label() + " " + what + ": unreadable record (" + unreadable.problem() + "), counted as held "
          + "until " + unreadable.freeAt());
      return;
    }
    if (!(status instanceof LockStatus.Held held)) {
      return;
    }
    LockRecord record = held.record();
    holders.put(status.key(), record.sessionId());
    Session session = sessions.get(record.sessionId());
    List<Hold> holds = new ArrayList<>(session == null ? List.of() : session.holds());
    holds.add(new Hold(kind, what, record.heldSince(), record.expiresAt(), held.takeable()));
    Option<String> agent = session != null && session.agent().isDefined() ? session.agent() : record.details().agent();
    sessions.put(record.sessionId(), new Session(record.sessionId(), agent, record.pid(),
        session == null || session.holds().isEmpty() ? held.liveness() : session.liveness(), holds));
  }

  /** {@code path} relative to the workspace when it is inside it. */
  static String relative(Path workspace, String path) {
    Path file = Path.of(path);
    return file.startsWith(workspace) && !file.equals(workspace) ? workspace.relativize(file).toString() : path;
  }
}
