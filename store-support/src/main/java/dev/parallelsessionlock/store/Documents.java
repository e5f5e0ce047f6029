package dev.parallelsessionlock.store;

import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WriteOutcome;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Persistent documents as a recipe over the one {@link LockStore} protocol, the way Curator builds its recipes on
 * one {@code LockInternals}: the merge queue's entries and the plans' snapshot baselines are documents.
 *
 * <p>A document's identity is a protocol key; its version is the generation of the record under that key, which
 * counts up from 1 with every replace. Its body (any bytes) is an immutable file {@code bodies/<key>.<generation>.<
 * writer>}, written whole ({@link AtomicWrite}) <em>before</em> the conditional create or replace that publishes it,
 * and named by the record ({@link LockRecord.Details#path}). So:
 * <ul>
 *   <li>{@link #create} is a conditional create: of any number of writers of one key, exactly one publishes;</li>
 *   <li>{@link #replace} is a conditional replace at the slot read: a writer that lost to another changes nothing
 *       and reads again, so no update is ever lost;</li>
 *   <li>a reader reads the record, then the body it names; a body replaced and removed under it is read again from
 *       the new record;</li>
 *   <li>a writer killed between its body and its publish leaves the old version readable and its body unnamed: a
 *       loser's body is removed at once, a dead writer's by {@link #sweep} once a minute old.</li>
 * </ul>
 *
 * <p>Documents are persistent, as Curator's PERSISTENT nodes are, not leases: no process holds them and they never
 * run out. Their records say so ({@code session_id} {@value #SESSION}, no process, a ttl of a day that means
 * nothing), and they live in a store of their own, a folder that no lease operation (acquire, {@code prune},
 * {@code status}) opens, so the lease rules (stale, dead holder, takeover) never judge them. The lease rules are not
 * changed for them: a record that says "persistent" in a lock store is still a lease there, which nobody can forge
 * into a lock held forever.
 *
 * <p>Every path of this class runs in the hook (a task's baseline moved by its session's edit): plain loops, no
 * lambda.
 */
public final class Documents {

  /** The session id of every document's record: no session holds it. */
  public static final String SESSION = "persistent";
  /** A record's ttl: lease rules never read it, so it only keeps a record well-formed for people who do. */
  static final Duration TTL = Duration.ofDays(1);
  /** The folder of the bodies, inside the records' folder. */
  static final String BODIES = "bodies";
  /** How often a read follows a body that a later write replaced meanwhile before it gives up. */
  private static final int READ_ATTEMPTS = 8;
  private static final AtomicLong WRITES = new AtomicLong();
  /** Names this process's bodies apart from every other writer's (a loser deletes its own body by its name). */
  private static final String WRITER = processName() + "-" + Long.toHexString(System.nanoTime()
      ^ System.identityHashCode(WRITES) * 0x9E3779B97F4A7C15L);

  /**
   * This process's pid, read from {@code /proc/self} where there is one, else "0" (the time and salt beside it then
   * tell writers apart). Not {@code ProcessHandle}: it loads lambda classes into every hook process that writes.
   */
  private static String processName() {
    try {
      return Files.readSymbolicLink(Path.of("/proc/self")).getFileName().toString();
    } catch (IOException | UnsupportedOperationException | SecurityException none) {
      return "0";
    }
  }

  /** One document as read: its record's slot (what a conditional write compares), generation and body. */
  public static final class Document {
    private final Slot slot;
    private final long generation;
    private final byte[] body;

    Document(Slot slot, long generation, byte[] body) {
      this.slot = slot;
      this.generation = generation;
      this.body = body;
    }

    public LockKey key() {
      return slot.key();
    }

    /** The slot as read: a {@link #replace} or {@link #delete} writes only while the key still holds it. */
    public Slot slot() {
      return slot;
    }

    /** The version: 1 when created, one more with every replace. */
    public long generation() {
      return generation;
    }

    public byte[] body() {
      return body;
    }
  }

  private final LockStore records;
  private final Path bodies;
  private final Clock clock;

  private Documents(LockStore records, Path bodies, Clock clock) {
    this.records = records;
    this.bodies = bodies;
    this.clock = clock;
  }

  /**
   * The documents kept in {@code dir}: their records in the store {@code stores} opens there, their bodies in a
   * private folder {@code bodies/} inside it.
   */
  public static Either<StoreFailure, Documents> open(Path dir, FolderStores stores, Clock clock) {
    Either<StoreFailure, LockStore> store = stores.open(dir);
    if (store.isLeft()) {
      return Either.left(store.getLeft());
    }
    Either<StoreFailure, LockDirectory> bodies = LockDirectory.open(dir.resolve(BODIES));
    if (bodies.isLeft()) {
      return Either.left(bodies.getLeft());
    }
    return Either.right(new Documents(store.get(), bodies.get().path(), clock));
  }

  /** The documents whose records are in {@code records} and bodies in {@code bodies} (a folder that exists). */
  public static Documents of(LockStore records, Path bodies, Clock clock) {
    return new Documents(records, bodies, clock);
  }

  /** The document under {@code key}, or none. */
  public Either<StoreFailure, Option<Document>> read(LockKey key) {
    for (int attempt = 1; ; attempt++) {
      Either<StoreFailure, Option<Slot>> slot = records.read(key);
      if (slot.isLeft()) {
        return Either.left(slot.getLeft());
      }
      if (slot.get().isEmpty()) {
        return Either.right(Option.none());
      }
      Either<StoreFailure, Option<Document>> read = bodyOf(slot.get().get(), "read");
      if (read.isLeft() || read.get().isDefined() || attempt == READ_ATTEMPTS) {
        return read.isRight() && read.get().isEmpty()
            ? Either.left(new StoreFailure(key, "read", "its body changed under " + READ_ATTEMPTS + " reads running"))
            : read;
      }
      // a later write replaced the body named by what was read: read the record again
    }
  }

  /** Every document whose key starts with {@code keyPrefix}, by key; one removed while listed is left out. */
  public Either<StoreFailure, List<Document>> list(String keyPrefix) {
    Either<StoreFailure, List<Slot>> slots = records.slots(keyPrefix);
    if (slots.isLeft()) {
      return Either.left(slots.getLeft());
    }
    List<Document> documents = new ArrayList<>();
    for (Slot slot : slots.get()) {
      Either<StoreFailure, Option<Document>> read = bodyOf(slot, "list");
      if (read.isRight() && read.get().isEmpty()) {
        read = read(slot.key()); // replaced while listed: its newer version
      }
      if (read.isLeft()) {
        return Either.left(read.getLeft());
      }
      if (read.get().isDefined()) {
        documents.add(read.get().get());
      }
    }
    return Either.right(documents);
  }

  /** Publishes {@code body} under {@code key} at generation 1 only if the key holds nothing. */
  public Either<StoreFailure, WriteOutcome> create(LockKey key, byte[] body) {
    return create(key, body, 1);
  }

  /**
   * Publishes {@code body} under {@code key} at {@code generation} only if the key holds nothing (a document written
   * back as it was known keeps its generation).
   */
  public Either<StoreFailure, WriteOutcome> create(LockKey key, byte[] body, long generation) {
    Either<StoreFailure, String> written = writeBody(key, generation, body, "create");
    if (written.isLeft()) {
      return Either.left(written.getLeft());
    }
    return published(records.create(key, record(written.get(), generation)), written.get(), null);
  }

  /**
   * Publishes {@code body} as the next version of {@code expected} only if its key still holds the version read;
   * {@link WriteOutcome#CONFLICT} when another writer changed or removed it since, and then nothing changed.
   */
  public Either<StoreFailure, WriteOutcome> replace(Document expected, byte[] body) {
    long next = expected.generation + 1;
    Either<StoreFailure, String> written = writeBody(expected.key(), next, body, "replace");
    if (written.isLeft()) {
      return Either.left(written.getLeft());
    }
    return published(records.replace(expected.slot, record(written.get(), next)), written.get(), expected);
  }

  /** Removes {@code expected} only if its key still holds the version read. */
  public Either<StoreFailure, WriteOutcome> delete(Document expected) {
    Either<StoreFailure, WriteOutcome> deleted = records.delete(expected.slot);
    if (deleted.isRight() && deleted.get() == WriteOutcome.WRITTEN) {
      deleteBody(bodyName(expected.slot));
    }
    return deleted;
  }

  /**
   * Removes the bodies no record names that are more than a minute old: those of writers killed between their body
   * and their publish. Returns how many it removed.
   */
  public Either<StoreFailure, Integer> sweep() {
    Either<StoreFailure, List<Slot>> slots = records.slots("");
    if (slots.isLeft()) {
      return Either.left(slots.getLeft());
    }
    Set<String> named = new HashSet<>();
    for (Slot slot : slots.get()) {
      named.add(bodyName(slot));
    }
    long cutoff = AtomicWrite.orphanCutoff();
    int removed = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(bodies)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!named.contains(name) && Files.getLastModifiedTime(entry).toMillis() < cutoff) {
          Files.deleteIfExists(entry);
          removed++;
        }
      }
    } catch (IOException e) {
      return Either.left(new StoreFailure(null, "sweep bodies", IoErrors.describe(e)));
    }
    return Either.right(removed);
  }

  /** The folder of the bodies. */
  public Path bodies() {
    return bodies;
  }

  private LockRecord record(String body, long generation) {
    Instant now = clock.instant();
    return new LockRecord(LockRecord.SCHEMA_VERSION, SESSION, ProcessRef.unknown(Option.none()), now, TTL, now,
        generation, new LockRecord.Details(Option.some(body), Option.none()));
  }

  /** After a conditional write: the old body goes when it won, its own body when it lost. */
  private Either<StoreFailure, WriteOutcome> published(Either<StoreFailure, WriteOutcome> outcome, String body,
      Document replaced) {
    if (outcome.isRight() && outcome.get() == WriteOutcome.WRITTEN) {
      if (replaced != null) {
        deleteBody(bodyName(replaced.slot));
      }
    } else {
      deleteBody(body); // a loser's body, or one whose publish failed: nobody names it
    }
    return outcome;
  }

  private Either<StoreFailure, String> writeBody(LockKey key, long generation, byte[] body, String operation) {
    String name = key.name() + "." + generation + "." + WRITER + "-" + WRITES.incrementAndGet();
    try {
      AtomicWrite.write(bodies.resolve(name), body);
      return Either.right(name);
    } catch (IOException e) {
      return Either.left(new StoreFailure(key, operation, IoErrors.describe(e)));
    }
  }

  /**
   * The document of {@code slot}: the body its record names. None when that body is gone (a later write replaced it
   * meanwhile: the caller reads the record again).
   */
  private Either<StoreFailure, Option<Document>> bodyOf(Slot slot, String operation) {
    if (!(slot instanceof Slot.Held)) {
      return Either.left(new StoreFailure(slot.key(), operation, "its record is unreadable ("
          + ((Slot.Unreadable) slot).problem() + ")"));
    }
    LockRecord record = ((Slot.Held) slot).record();
    String name = bodyName(slot);
    if (!SESSION.equals(record.sessionId()) || !isBodyOf(slot.key(), name)) {
      return Either.left(new StoreFailure(slot.key(), operation, "its record is no document (session "
          + record.sessionId() + ")"));
    }
    try {
      Path path = bodies.resolve(name);
      RegularFiles.requireRegular(path); // a FIFO there would block the read
      return Either.right(Option.some(new Document(slot, record.generation(), Files.readAllBytes(path))));
    } catch (NoSuchFileException replaced) {
      return Either.right(Option.none());
    } catch (IOException e) {
      return Either.left(new StoreFailure(slot.key(), operation, IoErrors.describe(e)));
    }
  }

  /** The body file a record names ("" for a record that names none). */
  private static String bodyName(Slot slot) {
    if (slot instanceof Slot.Held) {
      Option<String> path = ((Slot.Held) slot).record().details().path();
      return path.isDefined() ? path.get() : "";
    }
    return "";
  }

  /** Whether {@code name} is a body of {@code key}'s: in the bodies' folder itself, never a path elsewhere. */
  private static boolean isBodyOf(LockKey key, String name) {
    return name.startsWith(key.name() + ".") && name.indexOf('/') < 0 && name.indexOf('\\') < 0;
  }

  private void deleteBody(String name) {
    if (name.isEmpty() || name.indexOf('/') >= 0) {
      return;
    }
    try {
      Files.deleteIfExists(bodies.resolve(name));
    } catch (IOException left) {
      // a body nobody names: sweep removes it later
    }
  }
}
