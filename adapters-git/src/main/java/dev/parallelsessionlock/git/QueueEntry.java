package dev.parallelsessionlock.git;

import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import com.grack.nanojson.JsonWriter;
import io.vavr.control.Option;
import java.time.Instant;
import java.util.Locale;

/**
 * One branch waiting to land.
 *
 * @param seq its place in the queue (first in, first out)
 * @param branch the branch, as {@code refs/heads/<branch>}
 * @param head the branch's commit when it was enqueued: a branch that moved since is rejected
 * @param target the branch it lands on
 * @param enqueuedBy the agent session that enqueued it, when one did
 * @param state where it is
 * @param reason why it was rejected, or what happened to it, for people
 * @param logTail the last lines of its validation's output, when it failed
 * @param attempts validations run for it (a failing single entry is retried once)
 * @param landedAs the commit the target moved to when it landed
 * @param version how many times the entry was written: every write is conditional on the version it was read at
 *     ({@link MergeQueue#save}), so two writers never lose each other's update; 0 for an entry not yet stored
 */
public record QueueEntry(long seq, String branch, String head, String target, Option<String> enqueuedBy,
    Instant enqueuedAt, State state, Option<String> reason, Option<String> logTail, int attempts,
    Option<String> landedAs, Instant updatedAt, long version) {

  public enum State { QUEUED, VALIDATING, LANDED, REJECTED }

  /** The withers keep the version: the entry they make is written conditional on the one it was made from. */
  public QueueEntry with(State newState, Option<String> newReason, Instant now) {
    return new QueueEntry(seq, branch, head, target, enqueuedBy, enqueuedAt, newState, newReason, logTail, attempts,
        landedAs, now, version);
  }

  public QueueEntry rejected(String why, Option<String> tail, Instant now) {
    return new QueueEntry(seq, branch, head, target, enqueuedBy, enqueuedAt, State.REJECTED, Option.some(why), tail,
        attempts, landedAs, now, version);
  }

  public QueueEntry landed(String commit, Option<String> note, Instant now) {
    return new QueueEntry(seq, branch, head, target, enqueuedBy, enqueuedAt, State.LANDED, note, logTail, attempts,
        Option.some(commit), now, version);
  }

  public QueueEntry attempted() {
    return new QueueEntry(seq, branch, head, target, enqueuedBy, enqueuedAt, state, reason, logTail, attempts + 1,
        landedAs, updatedAt, version);
  }

  /** The same entry at {@code newVersion}: how the store hands back what it wrote. */
  QueueEntry atVersion(long newVersion) {
    return new QueueEntry(seq, branch, head, target, enqueuedBy, enqueuedAt, state, reason, logTail, attempts,
        landedAs, updatedAt, newVersion);
  }

  public boolean waiting() {
    return state == State.QUEUED || state == State.VALIDATING;
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject();
    json.put("seq", seq);
    json.put("branch", branch);
    json.put("head", head);
    json.put("target", target);
    enqueuedBy.forEach(s -> json.put("enqueued_by", s));
    json.put("enqueued_at", enqueuedAt.toString());
    json.put("state", state.name().toLowerCase(Locale.ROOT));
    reason.forEach(r -> json.put("reason", r));
    logTail.forEach(t -> json.put("log_tail", t));
    json.put("attempts", attempts);
    landedAs.forEach(c -> json.put("landed_as", c));
    json.put("updated_at", updatedAt.toString());
    json.put("version", version);
    return json;
  }

  String encode() {
    return JsonWriter.string(toJson()) + "\n";
  }

  static QueueEntry decode(String text) throws JsonParserException {
    JsonObject json = JsonParser.object().from(text);
    return new QueueEntry(json.getLong("seq"), json.getString("branch"), json.getString("head"),
        json.getString("target"), Option.of(json.getString("enqueued_by", null)),
        Instant.parse(json.getString("enqueued_at")), State.valueOf(json.getString("state").toUpperCase(Locale.ROOT)),
        Option.of(json.getString("reason", null)), Option.of(json.getString("log_tail", null)), json.getInt("attempts"),
        Option.of(json.getString("landed_as", null)), Instant.parse(json.getString("updated_at")),
        json.getLong("version", 0));
  }
}
