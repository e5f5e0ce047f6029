package dev.parallelsessionlock.markdown;

import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.WorkspaceHash;
import dev.parallelsessionlock.store.AtomicWrite;
import dev.parallelsessionlock.store.LockDirectory;
import dev.parallelsessionlock.store.RecordCodec;
import dev.parallelsessionlock.store.RegularFiles;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Which agent process each session last claimed from: a work item names only the session, so a claim whose
 * session's process is gone is found here. One lock record per session in the claims folder,
 * {@code session-<12 hex digits of its MD5>.json}, written whole when a session with a known process claims. A
 * hint: two notes that race leave one of them, and a record that cannot be read is an unknown process.
 */
final class SessionPresence {

  private final Path dir;

  SessionPresence(LockDirectory claims) {
    this.dir = claims.path();
  }

  /** The process {@code session} last claimed from, or unknown. */
  ProcessRef of(String session) {
    Path file = fileOf(session);
    try {
      RegularFiles.requireRegular(file); // a FIFO would block the read
      if (Files.size(file) <= RecordCodec.MAX_RECORD_BYTES) {
        Either<String, LockRecord> record = RecordCodec.decode(Files.readAllBytes(file));
        if (record.isRight() && record.get().sessionId().equals(session)) {
          return record.get().holder();
        }
      }
    } catch (IOException absentOrUnreadable) {
      // unknown
    }
    return ProcessRef.unknown(Option.none());
  }

  /** Records the process of {@code claim}'s session, when known. */
  void note(LockRecord claim) {
    if (!claim.holder().isKnown()) {
      return;
    }
    LockRecord presence = new LockRecord(LockRecord.SCHEMA_VERSION, claim.sessionId(), claim.holder(),
        claim.acquiredAt(), Duration.ofDays(1), claim.acquiredAt());
    try {
      AtomicWrite.write(fileOf(claim.sessionId()), RecordCodec.encode(presence));
    } catch (IOException lost) {
      // a hint: the session's next claim notes it again
    }
  }

  private Path fileOf(String session) {
    return dir.resolve("session-" + WorkspaceHash.of(session).hex() + ".json");
  }
}
