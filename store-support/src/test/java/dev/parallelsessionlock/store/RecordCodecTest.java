package dev.parallelsessionlock.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.ProcessRef;
import io.vavr.control.Option;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

final class RecordCodecTest {

  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  private static String decodeProblem(String json) {
    return RecordCodec.decode(json.getBytes(StandardCharsets.UTF_8)).getLeft();
  }

  @Test
  void roundTrip_keepsEveryField() {
    LockRecord record = new LockRecord(1, "sess-é-1", new ProcessRef(4242, Option.some("box"),
        Option.some(Instant.parse("2026-11-22T09:59:58.123Z"))), T0, Duration.ofMillis(300_000), T0.minusSeconds(90));

    assertThat(RecordCodec.decode(RecordCodec.encode(record)).get()).isEqualTo(record);
  }

  @Test
  void roundTrip_ofATaskFileLock_keepsThePathTheTaskTheBoundSessionAndTheAgent() {
    LockRecord record = new LockRecord(1, "task:T-7", ProcessRef.ofPid(77), T0, Duration.ofHours(1), T0, 12,
        new LockRecord.Details(Option.some("/repo/src/a b.java"), Option.none(), Option.some("T-7"),
            Option.some("sess-1"), Option.some("claude")));

    byte[] bytes = RecordCodec.encode(record);

    assertThat(RecordCodec.decode(bytes).get()).isEqualTo(record);
    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .contains("\"holder_kind\":\"task\",\"task_id\":\"T-7\",\"bound_session\":\"sess-1\",\"agent\":\"claude\"");
  }

  @Test
  void roundTrip_ofAPendingLockOfAMultiFileAcquire_keepsItsAttemptAndPendingMark() {
    LockRecord record = new LockRecord(1, "task:T-7", ProcessRef.ofPid(77), T0, Duration.ofHours(1), T0, 12,
        new LockRecord.Details(Option.some("/repo/a"), Option.none(), Option.some("T-7"), Option.none(),
            Option.none(), Option.some("0123456789abcdef0123"), Option.some(T0.plusMillis(5))));

    byte[] bytes = RecordCodec.encode(record);

    assertThat(RecordCodec.decode(bytes).get()).isEqualTo(record);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"attempt\":\"0123456789abcdef0123\",\"pending_since\":1795341600005");
  }

  @Test
  void roundTrip_ofALeaseThatSaysWhatItsHolderIsDoing_keepsIt() {
    LockRecord record = new LockRecord(1, "sess-1", ProcessRef.ofPid(77), T0, Duration.ofMinutes(5), T0, 3,
        new LockRecord.Details(Option.some("/repo"), Option.none()).withDoing(Option.some("Edit src/A.java")));

    byte[] bytes = RecordCodec.encode(record);

    assertThat(RecordCodec.decode(bytes).get()).isEqualTo(record);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"doing\":\"Edit src/A.java\"");
  }

  @Test
  void decode_ofARecordWrittenBeforeDoingWasKept_readsNothingDoing() {
    LockRecord record = RecordCodec.decode(("{\"schema_version\":1,\"session_id\":\"abc\",\"pid\":5678,"
        + "\"acquired_at\":1795341600000,\"ttl_ms\":300000,\"agent\":\"codex\"}").getBytes(StandardCharsets.UTF_8)).get();

    assertThat(record.details().doing()).isEqualTo(Option.none());
    assertThat(record.details().agent()).isEqualTo(Option.some("codex"));
  }

  @Test
  void encode_writesTheSeedFieldsAsEpochMillis() {
    LockRecord record = new LockRecord(1, "abc", ProcessRef.ofPid(5678), T0, Duration.ofMinutes(5), T0);

    assertThat(new String(RecordCodec.encode(record), StandardCharsets.UTF_8)).isEqualTo(
        "{\"schema_version\":1,\"session_id\":\"abc\",\"pid\":5678,\"acquired_at\":1795341600000,"
            + "\"ttl_ms\":300000,\"held_since\":1795341600000}\n");
  }

  @Test
  void decode_readsTheSeedsFiveFieldRecord() {
    LockRecord record = RecordCodec.decode(
        "{\"schema_version\":1,\"session_id\":\"abc\",\"pid\":5678,\"acquired_at\":1795341600000,\"ttl_ms\":300000}"
            .getBytes(StandardCharsets.UTF_8)).get();

    assertThat(record).isEqualTo(new LockRecord(1, "abc", ProcessRef.ofPid(5678), T0, Duration.ofMinutes(5), T0));
  }

  @Test
  void decode_acceptsIsoInstantsAndIgnoresUnknownFields() {
    LockRecord record = RecordCodec.decode(("{\"schema_version\":1,\"session_id\":\"abc\",\"pid\":1,"
        + "\"acquired_at\":\"2026-11-22T10:00:00Z\",\"ttl_ms\":1000,\"future_field\":{\"x\":[1,2]}}")
        .getBytes(StandardCharsets.UTF_8)).get();

    assertThat(record.acquiredAt()).isEqualTo(T0);
  }

  @Test
  void decode_rejectsWhatIsNotARecord_withOneLine() {
    assertThat(RecordCodec.decode(new byte[0]).getLeft()).isEqualTo("empty file");
    assertThat(decodeProblem("{\"schema_version\":1,\"session_id\":\"a")).startsWith("not a JSON object:");
    assertThat(decodeProblem("[1,2]")).startsWith("not a JSON object:");
    assertThat(decodeProblem("{\"schema_version\":2,\"session_id\":\"a\",\"pid\":1,\"acquired_at\":1,\"ttl_ms\":1}"))
        .isEqualTo("unsupported schema_version 2");
    assertThat(decodeProblem("{\"schema_version\":1,\"session_id\":\"\",\"pid\":1,\"acquired_at\":1,\"ttl_ms\":1}"))
        .isEqualTo("session_id missing or not a non-empty string");
    assertThat(decodeProblem("{\"schema_version\":1,\"session_id\":\"a\",\"pid\":\"x\",\"acquired_at\":1,\"ttl_ms\":1}"))
        .isEqualTo("pid missing or not a number");
    assertThat(decodeProblem("{\"schema_version\":1,\"session_id\":\"a\",\"pid\":1,\"acquired_at\":1,\"ttl_ms\":0}"))
        .isEqualTo("ttl_ms missing or not a positive number");
    assertThat(decodeProblem("{\"schema_version\":1,\"session_id\":\"a\",\"pid\":1,\"acquired_at\":\"yesterday\",\"ttl_ms\":1}"))
        .isEqualTo("acquired_at missing or not epoch milliseconds / ISO-8601");
    assertThat(RecordCodec.decode(new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'}).getLeft()).isEqualTo("not UTF-8 text");
    assertThat(RecordCodec.decode(new byte[RecordCodec.MAX_RECORD_BYTES + 1]).getLeft()).startsWith("file is 65537 bytes");
  }

  @Test
  void encodeThenDecode_keepsIdentityGenerationPathAndTakeover() {
    dev.parallelsessionlock.core.ProcessRef holder = new dev.parallelsessionlock.core.ProcessRef(4242,
        io.vavr.control.Option.some("h"), io.vavr.control.Option.some(java.time.Instant.ofEpochMilli(1_000)),
        io.vavr.control.Option.some(new dev.parallelsessionlock.core.ProcessRef.Identity("boot", "pid:[1]", 5000)));
    dev.parallelsessionlock.core.LockRecord record = new dev.parallelsessionlock.core.LockRecord(1, "s", holder,
        java.time.Instant.ofEpochMilli(2_000), java.time.Duration.ofMinutes(5), java.time.Instant.ofEpochMilli(1_500),
        1_763_000_000_123L, new dev.parallelsessionlock.core.LockRecord.Details(
            io.vavr.control.Option.some("/repo/ü"), io.vavr.control.Option.some("older")));

    byte[] bytes = RecordCodec.encode(record);

    assertThat(RecordCodec.decode(bytes).get()).isEqualTo(record);
    assertThat(new String(bytes, java.nio.charset.StandardCharsets.UTF_8)).contains("\"generation\":1763000000123",
        "\"boot_id\":\"boot\"", "\"pid_ns\":\"pid:[1]\"", "\"start_ticks\":5000", "\"path\":\"/repo/ü\"",
        "\"taken_over_from\":\"older\"");
  }

  @Test
  void encode_aHolderKnownBySessionAlone_saysSo() {
    dev.parallelsessionlock.core.LockRecord record = new dev.parallelsessionlock.core.LockRecord(1, "s",
        dev.parallelsessionlock.core.ProcessRef.unknown(io.vavr.control.Option.some("h")),
        java.time.Instant.ofEpochMilli(2_000), java.time.Duration.ofMinutes(5), java.time.Instant.ofEpochMilli(2_000));

    assertThat(new String(RecordCodec.encode(record), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"pid\":0", "\"identity\":\"session\"");
  }

  @Test
  void decodeAll_agreesWithDecodeOneByOne_whateverIsAmongTheRecords() {
    byte[] good = "{\"schema_version\":1,\"session_id\":\"a\",\"pid\":1,\"acquired_at\":1000,\"ttl_ms\":5000}\n"
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] unicode = "{\"schema_version\":1,\"session_id\":\"ä\",\"pid\":1,\"acquired_at\":1000,\"ttl_ms\":5000}"
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.util.List<java.util.List<byte[]>> cases = java.util.List.of(
        java.util.List.of(good, good),
        java.util.List.of(good, "{\"schema_version\":1,\"sess".getBytes(), good),
        java.util.List.of(good, "1".getBytes(), good, new byte[0], unicode),
        java.util.List.of("{\"a\":1},{\"b\":2}".getBytes(), good),
        java.util.List.of("[".getBytes(), good),
        java.util.List.of(new byte[] {(byte) 0xc3, (byte) 0x28}, good));
    for (java.util.List<byte[]> records : cases) {
      java.util.List<io.vavr.control.Either<String, dev.parallelsessionlock.core.LockRecord>> oneByOne =
          new java.util.ArrayList<>();
      for (byte[] record : records) {
        oneByOne.add(RecordCodec.decode(record));
      }

      assertThat(RecordCodec.decodeAll(records)).isEqualTo(oneByOne);
    }
  }
}
