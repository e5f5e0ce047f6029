package dev.parallelsessionlock.hook.runtime.resident;

import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockRecord;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.store.RecordCodec;
import io.vavr.control.Either;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The helper's framing: each request and each answer is one frame, a 4-byte big-endian length and that many bytes.
 * A request is an operation byte and its arguments; an answer is a status byte ({@link #OK} or {@link #FAILED}, then
 * a {@link StoreFailure}'s key, operation and detail) and the result. Strings are a length and UTF-8 bytes; a record
 * is the JSON a lock file holds ({@link RecordCodec}), so every field crosses as it is stored.
 *
 * <p>On the hook path: plain loops and arrays, no lambdas, no records' generated methods.
 */
final class Wire {

  static final byte READ = 1;
  static final byte CREATE = 2;
  static final byte REPLACE = 3;
  static final byte DELETE = 4;
  static final byte LIST = 5;
  static final byte INDEX_ADD = 6;
  static final byte INDEX_REMOVE = 7;
  static final byte INDEX_KEYS = 8;
  static final byte NOW = 9;
  static final byte HELLO = 10;

  static final byte OK = 0;
  static final byte FAILED = 1;

  private static final byte NONE = 0;
  private static final byte HELD = 1;
  private static final byte UNREADABLE = 2;

  /** A frame longer than this is not one the other side wrote: a list of every lock is far below it. */
  static final int MAX_FRAME = 64 * 1024 * 1024;

  private Wire() {}

  /** A growing frame being written; {@link #send} prefixes its length. */
  static final class Out {
    private byte[] bytes = new byte[256];
    private int size = 4;

    Out(byte first) {
      put(first);
    }

    Out put(byte value) {
      room(1);
      bytes[size++] = value;
      return this;
    }

    Out putLong(long value) {
      room(8);
      for (int shift = 56; shift >= 0; shift -= 8) {
        bytes[size++] = (byte) (value >>> shift);
      }
      return this;
    }

    Out putInt(int value) {
      room(4);
      for (int shift = 24; shift >= 0; shift -= 8) {
        bytes[size++] = (byte) (value >>> shift);
      }
      return this;
    }

    Out putString(String value) {
      byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
      putInt(utf8.length);
      room(utf8.length);
      System.arraycopy(utf8, 0, bytes, size, utf8.length);
      size += utf8.length;
      return this;
    }

    Out putRecord(LockRecord record) {
      return putString(new String(RecordCodec.encode(record), StandardCharsets.UTF_8));
    }

    /** A slot, or none when {@code slot} is null. */
    Out putSlot(Slot slot) {
      if (slot == null) {
        return put(NONE);
      }
      if (slot instanceof Slot.Held) {
        Slot.Held held = (Slot.Held) slot;
        return put(HELD).putString(held.key().name()).putLong(held.version()).putRecord(held.record());
      }
      Slot.Unreadable unreadable = (Slot.Unreadable) slot;
      return put(UNREADABLE).putString(unreadable.key().name()).putLong(unreadable.version())
          .putLong(unreadable.modifiedAt().toEpochMilli()).putString(unreadable.problem()).putLong(unreadable.size());
    }

    /** A failure's fields, after a {@link #FAILED} status. */
    Out putFailure(StoreFailure failure) {
      return putString(failure.key() == null ? "" : failure.key().name()).putString(failure.operation())
          .putString(failure.detail());
    }

    private void room(int more) {
      if (size + more > bytes.length) {
        byte[] bigger = new byte[Math.max(bytes.length * 2, size + more)];
        System.arraycopy(bytes, 0, bigger, 0, size);
        bytes = bigger;
      }
    }

    /** Writes the frame whole. */
    void send(SocketChannel channel) throws IOException {
      int length = size - 4;
      bytes[0] = (byte) (length >>> 24);
      bytes[1] = (byte) (length >>> 16);
      bytes[2] = (byte) (length >>> 8);
      bytes[3] = (byte) length;
      ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, size);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }
  }

  /** One frame as read. */
  static final class In {
    private final ByteBuffer buffer;

    private In(ByteBuffer buffer) {
      this.buffer = buffer;
    }

    /** The next frame; an {@link EOFException} when the other side closed before a whole frame. */
    static In receive(SocketChannel channel) throws IOException {
      ByteBuffer head = ByteBuffer.allocate(4);
      fill(channel, head);
      int length = head.getInt(0);
      if (length < 0 || length > MAX_FRAME) {
        throw new IOException("a frame of " + length + " bytes is not one the helper writes");
      }
      ByteBuffer body = ByteBuffer.allocate(length);
      fill(channel, body);
      body.flip();
      return new In(body);
    }

    private static void fill(SocketChannel channel, ByteBuffer buffer) throws IOException {
      while (buffer.hasRemaining()) {
        if (channel.read(buffer) < 0) {
          throw new EOFException("the helper closed the connection");
        }
      }
    }

    byte get() throws IOException {
      need(1);
      return buffer.get();
    }

    long getLong() throws IOException {
      need(8);
      return buffer.getLong();
    }

    int getInt() throws IOException {
      need(4);
      return buffer.getInt();
    }

    String getString() throws IOException {
      int length = getInt();
      if (length < 0) {
        throw new IOException("a string of " + length + " bytes");
      }
      need(length);
      byte[] utf8 = new byte[length];
      buffer.get(utf8);
      return new String(utf8, StandardCharsets.UTF_8);
    }

    LockKey getKey() throws IOException {
      String name = getString();
      try {
        return new LockKey(name);
      } catch (IllegalArgumentException e) {
        throw new IOException("not a lock key: " + name);
      }
    }

    LockRecord getRecord() throws IOException {
      Either<String, LockRecord> decoded = RecordCodec.decode(getString().getBytes(StandardCharsets.UTF_8));
      if (decoded.isLeft()) {
        throw new IOException("a record the helper sent does not decode: " + decoded.getLeft());
      }
      return decoded.get();
    }

    /** A slot, or null for none. */
    Slot getSlot() throws IOException {
      byte kind = get();
      if (kind == NONE) {
        return null;
      }
      LockKey key = getKey();
      long version = getLong();
      if (kind == HELD) {
        return new Slot.Held(key, version, getRecord());
      }
      if (kind == UNREADABLE) {
        Instant modifiedAt = Instant.ofEpochMilli(getLong());
        String problem = getString();
        return new Slot.Unreadable(key, version, modifiedAt, problem, getLong());
      }
      throw new IOException("slot kind " + kind);
    }

    /** The failure after a {@link #FAILED} status. */
    StoreFailure getFailure() throws IOException {
      String key = getString();
      String operation = getString();
      String detail = getString();
      return new StoreFailure(key.isEmpty() ? null : new LockKey(key), operation, detail);
    }

    private void need(int bytes) throws IOException {
      if (buffer.remaining() < bytes) {
        throw new EOFException("a frame shorter than its fields");
      }
    }
  }
}
