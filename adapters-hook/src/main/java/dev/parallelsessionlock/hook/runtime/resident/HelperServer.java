package dev.parallelsessionlock.hook.runtime.resident;

import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WriteOutcome;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The helper's side of the socket: it answers each request ({@link Wire}) with the store it holds open, one thread
 * per connection (one hook process), and stops when no call came for its idle time.
 */
public final class HelperServer {

  /** What the helper serves: the database's records, its holder index, its clock (or why it cannot tell its time). */
  public interface Backend {
    LockStore store();

    HolderIndex index();

    Either<StoreFailure, Clock> clock();

    /** Where the records are, for people. */
    String description();

    /** A call failed: the backend may check its connection and open a new one for the next call. */
    void failed();
  }

  private final Path socket;
  private final Backend backend;
  private final long idleNanos;
  private final ServerSocketChannel server;
  private final Object activity = new Object();
  /** Guarded by activity. */
  private int connections;
  private long lastCall = System.nanoTime();
  private boolean stopped;

  private HelperServer(Path socket, Backend backend, Duration idle, ServerSocketChannel server) {
    this.socket = socket;
    this.backend = backend;
    this.idleNanos = idle.toNanos();
    this.server = server;
  }

  /**
   * Listens at {@code socket} (a socket file left by a helper that died is replaced: the caller holds the helper's
   * lock, so no live helper listens there), only its user may connect ({@code 0600}).
   */
  public static HelperServer bind(Path socket, Backend backend, Duration idle) throws IOException {
    Files.deleteIfExists(socket);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    return new HelperServer(socket, backend, idle, server);
  }

  /** Serves until idle for the idle time, or {@link #stop}; then removes the socket. */
  public void serve() {
    Thread idleWatch = new Thread(() -> {
      try {
        while (true) {
          Thread.sleep(Math.max(10, Math.min(1000, idleNanos / 1_000_000 / 4)));
          synchronized (activity) {
            if (stopped) {
              return;
            }
            if (connections == 0 && System.nanoTime() - lastCall > idleNanos) {
              break;
            }
          }
        }
      } catch (InterruptedException e) {
        return;
      }
      stop();
    }, "session-lock-helper-idle");
    idleWatch.setDaemon(true);
    idleWatch.start();
    try {
      while (true) {
        SocketChannel client = server.accept();
        synchronized (activity) {
          connections++;
          lastCall = System.nanoTime();
        }
        Thread serving = new Thread(() -> serve(client), "session-lock-helper-call");
        serving.setDaemon(true);
        serving.start();
      }
    } catch (ClosedChannelException stoppedListening) {
      // stop() closed it
    } catch (IOException e) {
      System.err.println("session-lock store-helper: stops: " + e);
    } finally {
      stop();
    }
  }

  /** Stops listening and removes the socket; calls under way finish on their connections. */
  public void stop() {
    synchronized (activity) {
      if (stopped) {
        return;
      }
      stopped = true;
    }
    try {
      Files.deleteIfExists(socket);
      server.close();
    } catch (IOException e) {
      // stopping anyway
    }
  }

  private void serve(SocketChannel client) {
    try (client) {
      while (true) {
        Wire.In request;
        try {
          request = Wire.In.receive(client);
        } catch (EOFException done) {
          return;
        }
        Wire.Out answer = answer(request);
        synchronized (activity) {
          lastCall = System.nanoTime();
        }
        answer.send(client);
      }
    } catch (IOException | RuntimeException e) {
      // the hook went away, or sent what no hook sends: its connection ends, the helper serves on
    } finally {
      synchronized (activity) {
        connections--;
        lastCall = System.nanoTime();
      }
    }
  }

  private Wire.Out answer(Wire.In request) throws IOException {
    byte operation = request.get();
    switch (operation) {
      case Wire.READ: {
        Either<StoreFailure, Option<Slot>> read = backend.store().read(request.getKey());
        return read.isLeft() ? failure(read.getLeft()) : new Wire.Out(Wire.OK).putSlot(read.get().getOrNull());
      }
      case Wire.CREATE: {
        LockKey key = request.getKey();
        return written(backend.store().create(key, request.getRecord()));
      }
      case Wire.REPLACE: {
        Slot expected = request.getSlot();
        if (expected == null) {
          throw new IOException("a replace without a slot");
        }
        return written(backend.store().replace(expected, request.getRecord()));
      }
      case Wire.DELETE: {
        Slot expected = request.getSlot();
        if (expected == null) {
          throw new IOException("a delete without a slot");
        }
        return written(backend.store().delete(expected));
      }
      case Wire.LIST: {
        Either<StoreFailure, List<Slot>> slots = backend.store().slots(request.getString());
        if (slots.isLeft()) {
          return failure(slots.getLeft());
        }
        Wire.Out out = new Wire.Out(Wire.OK).putInt(slots.get().size());
        for (Slot slot : slots.get()) {
          out.putSlot(slot);
        }
        return out;
      }
      case Wire.INDEX_ADD: {
        String holder = request.getString();
        return indexed(backend.index().add(holder, request.getKey()));
      }
      case Wire.INDEX_REMOVE: {
        String holder = request.getString();
        return indexed(backend.index().remove(holder, request.getKey()));
      }
      case Wire.INDEX_KEYS: {
        Either<StoreFailure, List<LockKey>> keys = backend.index().keys(request.getString());
        if (keys.isLeft()) {
          return failure(keys.getLeft());
        }
        Wire.Out out = new Wire.Out(Wire.OK).putInt(keys.get().size());
        for (LockKey key : keys.get()) {
          out.putString(key.name());
        }
        return out;
      }
      case Wire.NOW: {
        Either<StoreFailure, Clock> clock = backend.clock();
        if (clock.isLeft()) {
          backend.failed();
          return failure(clock.getLeft());
        }
        try {
          return new Wire.Out(Wire.OK).putLong(clock.get().millis());
        } catch (IllegalStateException e) {
          backend.failed();
          return failure(new StoreFailure(null, "read the database's time", String.valueOf(e.getMessage())));
        }
      }
      case Wire.HELLO:
        return new Wire.Out(Wire.OK).putLong(ProcessHandle.current().pid()).putString(backend.description());
      default:
        throw new IOException("operation " + operation);
    }
  }

  private Wire.Out written(Either<StoreFailure, WriteOutcome> outcome) {
    if (outcome.isLeft()) {
      return failure(outcome.getLeft());
    }
    return new Wire.Out(Wire.OK).put(outcome.get() == WriteOutcome.WRITTEN ? (byte) 1 : (byte) 0);
  }

  private Wire.Out indexed(Either<StoreFailure, LockKey> outcome) {
    return outcome.isLeft() ? failure(outcome.getLeft()) : new Wire.Out(Wire.OK);
  }

  private Wire.Out failure(StoreFailure failure) {
    backend.failed();
    return new Wire.Out(Wire.FAILED).putFailure(failure);
  }
}
