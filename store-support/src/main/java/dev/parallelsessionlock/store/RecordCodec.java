package dev.parallelsessionlock.store;

import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import com.grack.nanojson.JsonWriter;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.ProcessRef;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * JSON form of a {@link LockRecord}: the seed's {@code {schema_version, session_id, pid, acquired_at, ttl_ms}}
 * plus optional fields: {@code held_since}, {@code generation}, {@code path}, {@code taken_over_from}; for a plan
 * task's lock {@code holder_kind: "task"}, {@code task_id} and {@code bound_session}; {@code agent}; {@code doing}; {@code attempt}
 * (the multi-file acquire that took it) and {@code pending_since} (a grant still checking the other granularity),
 * see {@code FileLocks} and {@code WorkspaceLease}; and the
 * holder's {@code host}, {@code process_started_at}, {@code boot_id}, {@code pid_ns}, {@code start_ticks}. A
 * holder known by its session id alone has {@code pid} 0 and {@code "identity": "session"}. Instants are written
 * as epoch milliseconds; on read, ISO-8601 strings are accepted too. Unknown fields are ignored.
 */
public final class RecordCodec {

  /** Larger files are not lock records; they are reported unreadable without being parsed. */
  public static final int MAX_RECORD_BYTES = 64 * 1024;

  private RecordCodec() {}

  /** UTF-8 JSON, one line, with a trailing newline for people who {@code cat} it. */
  public static byte[] encode(LockRecord record) {
    var writer = JsonWriter.string().object()
        .value("schema_version", record.schemaVersion())
        .value("session_id", record.sessionId())
        .value("pid", record.pid())
        .value("acquired_at", record.acquiredAt().toEpochMilli())
        .value("ttl_ms", record.ttl().toMillis())
        .value("held_since", record.heldSince().toEpochMilli());
    if (record.holder().host().isDefined()) {
      writer.value("host", record.holder().host().get());
    }
    if (record.holder().startedAt().isDefined()) {
      writer.value("process_started_at", record.holder().startedAt().get().toEpochMilli());
    }
    if (record.holder().identity().isDefined()) {
      ProcessRef.Identity identity = record.holder().identity().get();
      writer.value("boot_id", identity.bootId())
          .value("pid_ns", identity.pidNamespace())
          .value("start_ticks", identity.startTicks());
    }
    if (!record.holder().isKnown()) {
      writer.value("identity", "session");
    }
    if (record.generation() != 0) {
      writer.value("generation", record.generation());
    }
    if (record.details().path().isDefined()) {
      writer.value("path", record.details().path().get());
    }
    if (record.details().takenOverFrom().isDefined()) {
      writer.value("taken_over_from", record.details().takenOverFrom().get());
    }
    if (record.details().task().isDefined()) {
      writer.value("holder_kind", "task").value("task_id", record.details().task().get());
    }
    if (record.details().boundSession().isDefined()) {
      writer.value("bound_session", record.details().boundSession().get());
    }
    if (record.details().agent().isDefined()) {
      writer.value("agent", record.details().agent().get());
    }
    if (record.details().attempt().isDefined()) {
      writer.value("attempt", record.details().attempt().get());
    }
    if (record.details().doing().isDefined()) {
      writer.value("doing", record.details().doing().get());
    }
    if (record.details().pendingSince().isDefined()) {
      writer.value("pending_since", record.details().pendingSince().get().toEpochMilli());
    }
    return (writer.end().done() + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** The record in {@code bytes}, or one line saying why they are not one. */
  public static Either<String, LockRecord> decode(byte[] bytes) {
    if (bytes.length == 0) {
      return Either.left("empty file");
    }
    if (bytes.length > MAX_RECORD_BYTES) {
      return Either.left("file is " + bytes.length + " bytes, more than a lock record's " + MAX_RECORD_BYTES);
    }
    String text;
    if (isAscii(bytes)) {
      text = new String(bytes, StandardCharsets.ISO_8859_1); // the common case, without a decoder
    } else {
      try {
        text = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes))
            .toString();
      } catch (CharacterCodingException e) {
        return Either.left("not UTF-8 text");
      }
    }
    JsonObject json;
    try {
      json = JsonParser.object().from(text);
    } catch (JsonParserException e) {
      return Either.left("not a JSON object: " + oneLine(e.getMessage()));
    }
    return fromJson(json);
  }

  /**
   * Decodes many records at once, as {@link #decode} would one by one. nanojson gives every parse a 64 KiB buffer,
   * which dominates listing thousands of small records; so the ASCII records are parsed together as one JSON
   * array, and only when that fails (a torn or foreign record among them) one by one.
   */
  public static java.util.List<Either<String, LockRecord>> decodeAll(java.util.List<byte[]> records) {
    java.util.List<Either<String, LockRecord>> decoded = new java.util.ArrayList<>(records.size());
    java.util.List<Integer> batch = new java.util.ArrayList<>();
    StringBuilder array = new StringBuilder(records.size() * 200).append('[');
    for (int i = 0; i < records.size(); i++) {
      byte[] bytes = records.get(i);
      decoded.add(null);
      if (bytes.length > 0 && bytes.length <= MAX_RECORD_BYTES && isAscii(bytes)) {
        array.append(batch.isEmpty() ? "" : ",").append(new String(bytes, StandardCharsets.ISO_8859_1));
        batch.add(i);
      } else {
        decoded.set(i, decode(bytes));
      }
    }
    com.grack.nanojson.JsonArray parsed = null;
    if (!batch.isEmpty()) {
      try {
        parsed = JsonParser.array().from(array.append(']').toString());
      } catch (JsonParserException tornRecordAmongThem) {
        parsed = null;
      }
    }
    boolean whole = parsed != null && parsed.size() == batch.size();
    for (int b = 0; b < batch.size(); b++) {
      int i = batch.get(b);
      decoded.set(i, whole && parsed.get(b) instanceof JsonObject json ? fromJson(json) : decode(records.get(i)));
    }
    return decoded;
  }

  private static Either<String, LockRecord> fromJson(JsonObject json) {
    if (!json.isNumber("schema_version") || json.getNumber("schema_version").doubleValue() != LockRecord.SCHEMA_VERSION) {
      return Either.left("unsupported schema_version " + json.get("schema_version"));
    }
    Object session = json.get("session_id");
    if (!(session instanceof String) || ((String) session).isEmpty()) {
      return Either.left("session_id missing or not a non-empty string");
    }
    if (!json.isNumber("pid")) {
      return Either.left("pid missing or not a number");
    }
    if (!json.isNumber("ttl_ms") || json.getNumber("ttl_ms").longValue() <= 0) {
      return Either.left("ttl_ms missing or not a positive number");
    }
    Option<Instant> acquiredAt = instant(json, "acquired_at");
    if (acquiredAt.isEmpty()) {
      return Either.left("acquired_at missing or not epoch milliseconds / ISO-8601");
    }
    Option<ProcessRef.Identity> identity = Option.none();
    if (json.isString("boot_id") && json.isString("pid_ns") && json.isNumber("start_ticks")) {
      identity = Option.some(new ProcessRef.Identity(
          json.getString("boot_id"), json.getString("pid_ns"), json.getNumber("start_ticks").longValue()));
    }
    ProcessRef holder = new ProcessRef(json.getNumber("pid").longValue(), text(json, "host"),
        instant(json, "process_started_at"), identity);
    long generation = json.isNumber("generation") ? json.getNumber("generation").longValue() : 0;
    return Either.right(new LockRecord(LockRecord.SCHEMA_VERSION, (String) session, holder, acquiredAt.get(),
        Duration.ofMillis(json.getNumber("ttl_ms").longValue()), instant(json, "held_since").getOrElse(acquiredAt.get()),
        generation, new LockRecord.Details(text(json, "path"), text(json, "taken_over_from"), text(json, "task_id"),
        text(json, "bound_session"), text(json, "agent"), text(json, "attempt"), instant(json, "pending_since"),
        Option.none(), text(json, "doing"))));
  }

  private static Option<String> text(JsonObject json, String field) {
    return json.isString(field) ? Option.some(json.getString(field)) : Option.none();
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  private static Option<Instant> instant(JsonObject json, String field) {
    Object value = json.get(field);
    if (value instanceof Number) {
      return Option.some(Instant.ofEpochMilli(((Number) value).longValue()));
    }
    if (value instanceof String) {
      try {
        return Option.some(Instant.parse((String) value));
      } catch (DateTimeParseException e) {
        return Option.none();
      }
    }
    return Option.none();
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.replace('\n', ' ').replace('\r', ' ');
  }
}
