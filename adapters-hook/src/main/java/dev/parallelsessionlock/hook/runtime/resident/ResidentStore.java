package dev.parallelsessionlock.hook.runtime.resident;

import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WriteOutcome;
import dev.parallelsessionlock.store.RecordCodec;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;

/**
 * The database store as the hook sees it when a resident helper serves it: each primitive is one request over the
 * helper's Unix socket, and the helper runs it on its open connection. The protocol still runs here; the database
 * is still the only truth, and the helper makes the very conditional writes this process would, so callers through
 * the helper and callers that open the database themselves can be mixed.
 *
 * <p>When the helper goes away (killed, stopped, a broken socket) a request's outcome is unknown: this store then
 * opens the database itself ({@link DirectPath}) and repeats the request there, and serves every later call from
 * there. A repeat is safe because every write is conditional: a create or a change that did take effect makes its
 * repeat a conflict; finding then exactly the record it wrote, this store reports the write as made.
 *
 * <p>On the hook path: plain loops, {@code java.util} lists, no lambdas.
 */
public final class ResidentStore implements LockStore, HolderIndex {

  /** Guarded by this: the connection to the helper, null once it broke. */
  private SocketChannel channel;
  private final DirectPath fallback;
  /** Guarded by this: the database opened here after the helper went away. */
  private DirectPath.Direct direct;
  private final String description;

  private ResidentStore(SocketChannel channel, DirectPath fallback, String description) {
    this.channel = channel;
    this.fallback = fallback;
    this.description = description;
  }

  /**
   * Connects to the helper at {@code socket}, or null when no helper answers there (no socket, or one that refuses:
   * a helper that died and left it).
   */
  public static ResidentStore connect(Path socket, DirectPath fallback, String description) {
    SocketChannel channel = null;
    try {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(socket));
      return new ResidentStore(channel, fallback, description);
    } catch (IOException | UnsupportedOperationException e) {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // not connected
        }
      }
      return null;
    }
  }

  /** Where the records are, for people. */
  public String description() {
    return description;
  }

  /** Whether the calls still go to the helper (false once it went away and this process opened the database). */
  public synchronized boolean throughHelper() {
    return channel != null;
  }

  /** Sends {@code request}; the answer, positioned after its {@link Wire#OK} status, or null when the helper broke. */
  private Wire.In call(Wire.Out request) {
    if (channel == null) {
      return null;
    }
    try {
      request.send(channel);
      return Wire.In.receive(channel);
    } catch (IOException broken) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // already broken
      }
      channel = null;
      return null;
    }
  }

  /** The database opened here, once; the failure when it cannot be. */
  private Either<StoreFailure, DirectPath.Direct> direct() {
    if (direct == null) {
      Either<StoreFailure, DirectPath.Direct> opened = fallback.open();
      if (opened.isLeft()) {
        return opened;
      }
      direct = opened.get();
    }
    return Either.right(direct);
  }

  @Override
  public synchronized Either<StoreFailure, Option<Slot>> read(LockKey key) {
    Wire.In answer = call(new Wire.Out(Wire.READ).putString(key.name()));
    if (answer != null) {
      try {
        if (answer.get() == Wire.FAILED) {
          return Either.left(answer.getFailure());
        }
        Slot slot = answer.getSlot();
        return Either.right(slot == null ? Option.<Slot>none() : Option.some(slot));
      } catch (IOException garbled) {
        broken();
      }
    }
    Either<StoreFailure, DirectPath.Direct> opened = direct();
    return opened.isLeft() ? Either.left(opened.getLeft()) : opened.get().store.read(key);
  }

  @Override
  public synchronized Either<StoreFailure, WriteOutcome> create(LockKey key, LockRecord record) {
    Either<StoreFailure, WriteOutcome> answer = outcome(
        call(new Wire.Out(Wire.CREATE).putString(key.name()).putRecord(record)));
    if (answer != null) {
      return answer;
    }
    Either<StoreFailure, DirectPath.Direct> opened = direct();
    return opened.isLeft() ? Either.left(opened.getLeft())
        : repeated(opened.get(), key, record, opened.get().store.create(key, record));
  }

  /**
   * A write repeated on the database after the helper went away mid-call: a conflict there may be this call's own
   * write, which the helper made before it died. When the key holds exactly the record this call wrote (the same
   * bytes: its session, its process, its instant), it did: {@link WriteOutcome#WRITTEN}. Otherwise what the
   * repeat says.
   */
  private static Either<StoreFailure, WriteOutcome> repeated(DirectPath.Direct direct, LockKey key, LockRecord mine,
      Either<StoreFailure, WriteOutcome> outcome) {
    if (outcome.isLeft() || outcome.get() != WriteOutcome.CONFLICT) {
      return outcome;
    }
    Either<StoreFailure, Option<Slot>> now = direct.store.read(key);
    if (now.isRight() && now.get().isDefined() && now.get().get() instanceof Slot.Held
        && java.util.Arrays.equals(RecordCodec.encode(((Slot.Held) now.get().get()).record()), RecordCodec.encode(mine))) {
      return Either.right(WriteOutcome.WRITTEN);
    }
    return outcome;
  }

  @Override
  public synchronized Either<StoreFailure, WriteOutcome> replace(Slot expected, LockRecord next) {
    Either<StoreFailure, WriteOutcome> answer = outcome(
        call(new Wire.Out(Wire.REPLACE).putSlot(expected).putRecord(next)));
    if (answer != null) {
      return answer;
    }
    Either<StoreFailure, DirectPath.Direct> opened = direct();
    return opened.isLeft() ? Either.left(opened.getLeft())
        : repeated(opened.get(), expected.key(), next, opened.get().store.replace(expected, next));
  }

  @Override
  public synchronized Either<StoreFailure, WriteOutcome> delete(Slot expected) {
    Either<StoreFailure, WriteOutcome> answer = outcome(call(new Wire.Out(Wire.DELETE).putSlot(expected)));
    if (answer != null) {
      return answer;
    }
    Either<StoreFailure, DirectPath.Direct> opened = direct();
    return opened.isLeft() ? Either.left(opened.getLeft()) : opened.get().store.delete(expected);
  }

  /** A write's answer, or null when the helper broke (the outcome is unknown: the caller repeats it directly). */
  private Either<StoreFailure, WriteOutcome> outcome(Wire.In answer) {
    if (answer == null) {
      return null;
    }
    try {
      if (answer.get() == Wire.FAILED) {
        return Either.left(answer.getFailure());
      }
      return Either.right(answer.get() == 1 ? WriteOutcome.WRITTEN : WriteOutcome.CONFLICT);
    } catch (IOException garbled) {
      broken();
      return null;
    }
  }

  private void broken() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing a garbled connection
      }
      channel = null;
    }
  }

  @Override
  public Either<StoreFailure, io.vavr.collection.List<Slot>> list() {
    return list("");
  }

  @Override
  public Either<StoreFailure, io.vavr.collection.List<Slot>> list(String keyPrefix) {
    Either<StoreFailure, java.util.List<Slot>> slots = slots(keyPrefix);
    return slots.isLeft() ? Either.left(slots.getLeft()) : Either.right(io.vavr.collection.List.ofAll(slots.get()));
  }

  @Override
  public synchronized Either<StoreFailure, java.util.List<Slot>> slots(String keyPrefix) {
    Wire.In answer = call(new Wire.Out(Wire.LIST).putString(keyPrefix));
    if (answer != null) {
      try {
        if (answer.get() == Wire.FAILED) {
          return Either.left(answer.getFailure());
        }
        int count = answer.getInt();
        java.util.List<Slot> slots = new ArrayList<>(Math.max(0, Math.min(count, 1024)));
        for (int i = 0; i < count; i++) {
          slots.add(answer.getSlot());
        }
        return Either.right(slots);
      } catch (IOException garbled) {
        broken();
      }
    }
    Either<StoreFailure, DirectPath.Direct> opened = direct();
    return opened.isLeft() ? Either.left(opened.getLeft()) : opened.get().store.slots(keyPrefix);
  }

  @Override
  public synchronized Either<StoreFailure, LockKey> add(String holder, LockKey key) {
    Either<StoreFailure, LockKey> answer = indexed(
        call(new Wire.Out(Wire.INDEX_ADD).putString(holder).putString(key.name())), key);
    if (answer != null) {
      return answer;
    }
    Either<StoreFailure, DirectPath.Direct> opened = direct();
    return opened.isLeft() ? Either.left(opened.getLeft()) : opened.get().index.add(holder, key);
  }

  @Override
  public synchronized Either<StoreFailure, LockKey> remove(String holder, LockKey key) {
    Either<StoreFailure, LockKey> answer = indexed(
        call(new Wire.Out(Wire.INDEX_REMOVE).putString(holder).putString(key.name())), key);
    if (answer != null) {
      return answer;
    }
    Either<StoreFailure, DirectPath.Direct> opened = direct();
    return opened.isLeft() ? Either.left(opened.getLeft()) : opened.get().index.remove(holder, key);
  }

  /** The helper's answer to an index change, or null when it broke (the change is then repeated: it is idempotent). */
  private Either<StoreFailure, LockKey> indexed(Wire.In answer, LockKey key) {
    if (answer == null) {
      return null;
    }
    try {
      return answer.get() == Wire.FAILED ? Either.left(answer.getFailure()) : Either.right(key);
    } catch (IOException garbled) {
      broken();
      return null;
    }
  }

  @Override
  public synchronized Either<StoreFailure, java.util.List<LockKey>> keys(String holder) {
    Wire.In answer = call(new Wire.Out(Wire.INDEX_KEYS).putString(holder));
    if (answer != null) {
      try {
        if (answer.get() == Wire.FAILED) {
          return Either.left(answer.getFailure());
        }
        int count = answer.getInt();
        java.util.List<LockKey> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          keys.add(answer.getKey());
        }
        return Either.right(keys);
      } catch (IOException garbled) {
        broken();
      }
    }
    Either<StoreFailure, DirectPath.Direct> opened = direct();
    return opened.isLeft() ? Either.left(opened.getLeft()) : opened.get().index.keys(holder);
  }

  /** The database's clock, read through the helper (or directly once it went away). */
  public Clock databaseClock() {
    return new Clock() {
      @Override
      public Instant instant() {
        return now();
      }

      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }
    };
  }

  private synchronized Instant now() {
    Wire.In answer = call(new Wire.Out(Wire.NOW));
    if (answer != null) {
      try {
        if (answer.get() == Wire.OK) {
          return Instant.ofEpochMilli(answer.getLong());
        }
        throw new IllegalStateException(description + ": " + answer.getFailure().describe());
      } catch (IOException garbled) {
        broken();
      }
    }
    Either<StoreFailure, DirectPath.Direct> opened = direct();
    if (opened.isLeft() || opened.get().clock == null) {
      throw new IllegalStateException(description + ": cannot read the database's time"
          + (opened.isLeft() ? ": " + opened.getLeft().describe() : ""));
    }
    return opened.get().clock.instant();
  }

  /** Closes the connection to the helper. */
  public synchronized void close() {
    broken();
  }
}
