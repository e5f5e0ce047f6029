package dev.parallelsessionlock.hook.commands;

import dev.parallelsessionlock.hook.runtime.Durations;
import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import dev.parallelsessionlock.core.Liveness;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@link WatchFrame} for people (lines of text, ages and times left as of {@code now}) and for scripts (one JSON
 * object, times as ISO instants). The terminal view draws the same lines.
 */
final class WatchRender {

  private WatchRender() {}

  /** The frame as lines of text: headings at the left margin, their rows indented. */
  static List<String> lines(WatchFrame frame, Instant now) {
    List<String> lines = new ArrayList<>();
    lines.add("workspace  " + frame.workspace());
    lines.add("sessions");
    if (frame.sessions().isEmpty()) {
      lines.add("  none");
    }
    for (WatchFrame.Session session : frame.sessions()) {
      lines.add("  " + who(session.id(), session.agent(), session.pid()) + "  " + liveness(session.liveness()));
      if (session.holds().isEmpty()) {
        lines.add("    holds nothing");
      }
      for (WatchFrame.Hold hold : session.holds()) {
        lines.add("    " + (hold.kind() == WatchFrame.Kind.WORKSPACE ? "workspace lease" : hold.kind().label() + " "
            + hold.what()) + "  for " + Durations.human(since(hold.since(), now)) + ", "
            + (now.isBefore(hold.until()) ? Durations.human(Duration.between(now, hold.until())) + " left"
                : "lease expired") + (hold.takeable() ? ", may be taken over" : ""));
      }
    }
    lines.add("lines");
    if (frame.lines().isEmpty()) {
      lines.add("  nobody waits");
    }
    for (WatchFrame.Line line : frame.lines()) {
      lines.add("  " + line.kind().label() + " " + line.what() + "  "
          + (line.holder().isDefined() ? "held by " + line.holder().get() : "free"));
      for (WatchFrame.Waiter waiter : line.waiters()) {
        String who = waiter.session().equals("?") ? "unreadable ticket"
            : who(waiter.session(), waiter.agent(), waiter.pid());
        String waiting = waiter.since().isDefined() ? "  waiting " + Durations.human(since(waiter.since().get(), now))
            : "";
        lines.add("    " + (waiter.live() ? waiter.place() + ". " + who + waiting : "-  " + who + "  gone: skipped"));
      }
    }
    lines.add("claims  (work items under " + frame.itemsRoot() + ")");
    if (frame.claims().isEmpty()) {
      lines.add("  none claimed");
    }
    for (WatchFrame.Claim claim : frame.claims()) {
      lines.add("  " + claim.item() + "  claimed by " + claim.session() + (claim.pid() > 0 ? " (pid " + claim.pid()
          + ", " + liveness(claim.liveness()) + ")" : "") + " for " + Durations.human(since(claim.since(), now))
          + (claim.stale() ? ", may be taken over" : ""));
    }
    lines.add("merge queue");
    if (frame.queue().isEmpty()) {
      lines.add("  no queue in this repository");
    } else {
      WatchFrame.Queue queue = frame.queue().get();
      lines.add("  processor: " + (queue.processorPid().isDefined() ? "pid " + queue.processorPid().get()
          : "none running"));
      if (queue.entries().isEmpty()) {
        lines.add("  the queue is empty");
      }
      for (WatchFrame.QueueItem entry : queue.entries()) {
        lines.add("  #" + entry.seq() + "  " + entry.state() + "  " + entry.branch() + " -> " + entry.target());
      }
    }
    for (String problem : frame.problems()) {
      lines.add("problem: " + problem);
    }
    return lines;
  }

  /** The frame as one JSON object. */
  static JsonObject json(WatchFrame frame, Instant now) {
    JsonObject json = new JsonObject();
    json.put("workspace", frame.workspace().toString());
    json.put("at", now.toString());
    JsonArray sessions = new JsonArray();
    for (WatchFrame.Session session : frame.sessions()) {
      JsonObject object = new JsonObject();
      object.put("id", session.id());
      session.agent().forEach(agent -> object.put("agent", agent));
      object.put("pid", session.pid());
      object.put("liveness", session.liveness().name().toLowerCase(Locale.ROOT));
      JsonArray holds = new JsonArray();
      for (WatchFrame.Hold hold : session.holds()) {
        JsonObject held = new JsonObject();
        held.put("kind", hold.kind().label());
        held.put("what", hold.what());
        held.put("since", hold.since().toString());
        held.put("until", hold.until().toString());
        held.put("takeable", hold.takeable());
        holds.add(held);
      }
      object.put("holds", holds);
      sessions.add(object);
    }
    json.put("sessions", sessions);
    JsonArray lines = new JsonArray();
    for (WatchFrame.Line line : frame.lines()) {
      JsonObject object = new JsonObject();
      object.put("kind", line.kind().label());
      object.put("what", line.what());
      line.holder().forEach(holder -> object.put("holder", holder));
      JsonArray waiters = new JsonArray();
      for (WatchFrame.Waiter waiter : line.waiters()) {
        JsonObject ticket = new JsonObject();
        ticket.put("place", waiter.place());
        ticket.put("session", waiter.session());
        waiter.agent().forEach(agent -> ticket.put("agent", agent));
        ticket.put("pid", waiter.pid());
        ticket.put("live", waiter.live());
        waiter.since().forEach(since -> ticket.put("since", since.toString()));
        waiters.add(ticket);
      }
      object.put("waiters", waiters);
      lines.add(object);
    }
    json.put("lines", lines);
    JsonArray claims = new JsonArray();
    for (WatchFrame.Claim claim : frame.claims()) {
      JsonObject object = new JsonObject();
      object.put("item", claim.item());
      object.put("session", claim.session());
      object.put("pid", claim.pid());
      object.put("liveness", claim.liveness().name().toLowerCase(Locale.ROOT));
      object.put("since", claim.since().toString());
      object.put("stale", claim.stale());
      claims.add(object);
    }
    json.put("items", frame.itemsRoot().toString());
    json.put("claims", claims);
    if (frame.queue().isDefined()) {
      JsonObject queue = new JsonObject();
      frame.queue().get().processorPid().forEach(pid -> queue.put("processor_pid", pid));
      JsonArray entries = new JsonArray();
      for (WatchFrame.QueueItem entry : frame.queue().get().entries()) {
        JsonObject object = new JsonObject();
        object.put("seq", entry.seq());
        object.put("branch", entry.branch());
        object.put("target", entry.target());
        object.put("state", entry.state());
        entries.add(object);
      }
      queue.put("entries", entries);
      json.put("queue", queue);
    }
    JsonArray problems = new JsonArray();
    problems.addAll(frame.problems());
    json.put("problems", problems);
    return json;
  }

  private static String who(String id, io.vavr.control.Option<String> agent, long pid) {
    String process = (agent.isDefined() ? agent.get() : "") + (pid > 0 ? (agent.isDefined() ? ", " : "") + "pid " + pid
        : "");
    return id + (process.isEmpty() ? "" : " (" + process + ")");
  }

  private static String liveness(Liveness liveness) {
    return liveness == Liveness.DEAD ? "DEAD" : liveness == Liveness.ALIVE ? "alive" : "liveness unknown";
  }

  private static Duration since(Instant since, Instant now) {
    return since.isBefore(now) ? Duration.between(since, now) : Duration.ZERO;
  }
}
