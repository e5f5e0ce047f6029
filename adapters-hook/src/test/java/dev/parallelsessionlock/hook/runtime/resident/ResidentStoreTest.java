package dev.parallelsessionlock.hook.runtime.resident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.Acquisition;
import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.HolderIndex;
import dev.parallelsessionlock.core.LockKey;
import dev.parallelsessionlock.core.LockStore;
import dev.parallelsessionlock.core.ParallelSessionLock;
import dev.parallelsessionlock.core.ProcessLiveness;
import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.core.Slot;
import dev.parallelsessionlock.core.StoreFailure;
import dev.parallelsessionlock.core.WriteOutcome;
import dev.parallelsessionlock.jdbc.JdbcLockStore;
import dev.parallelsessionlock.jdbc.JdbcStores;
import dev.parallelsessionlock.testkit.HolderIndexContract;
import dev.parallelsessionlock.testkit.LockStoreContract;
import io.vavr.control.Either;
import io.vavr.control.Option;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store through the helper is the database store: the testkit's contracts run through a real helper server on a
 * real Unix socket over SQLite, and a helper that goes away mid-call leaves the caller on the direct path with no
 * lease lost or doubled.
 */
final class ResidentStoreTest {

  /** A helper server in this JVM on {@code socket}, serving {@code store}. */
  static final class Served implements AutoCloseable {
    final HelperServer server;
    final Thread thread;
    final JdbcLockStore store;

    Served(Path socket, JdbcLockStore store) throws IOException {
      this.store = store.readingThrough();
      server = HelperServer.bind(socket, new HelperServer.Backend() {
        @Override
        public LockStore store() {
          return store;
        }

        @Override
        public HolderIndex index() {
          return store;
        }

        @Override
        public io.vavr.control.Either<dev.parallelsessionlock.core.StoreFailure, Clock> clock() {
          return store.databaseClock(Clock.systemUTC());
        }

        @Override
        public String description() {
          return store.description();
        }

        @Override
        public void failed() {}
      }, Duration.ofMinutes(5));
      thread = new Thread(server::serve);
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() {
      server.stop();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      store.close();
    }
  }

  static JdbcLockStore sqlite(Path file) {
    return JdbcStores.open("jdbc:sqlite:" + file, Map.of(), Duration.ofSeconds(5))
        .getOrElseThrow(f -> new IllegalStateException(f.describe()));
  }

  /** A direct path that must not be taken. */
  static final DirectPath NO_FALLBACK = new DirectPath() {
    @Override
    public Either<StoreFailure, Direct> open() {
      throw new AssertionError("the helper was there: no direct path expected");
    }
  };

  @Nested
  final class Contract extends LockStoreContract {
    @TempDir
    Path temp;

    private final List<Served> served = new ArrayList<>();

    @Override
    protected LockStore newStore() {
      try {
        Path socket = temp.resolve("h" + served.size() + ".sock");
        served.add(new Served(socket, sqlite(temp.resolve("locks-" + served.size() + ".db"))));
        return ResidentStore.connect(socket, NO_FALLBACK, "test");
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    protected int contentionRounds() {
      return 100;
    }

    @AfterEach
    void stop() {
      for (Served one : served) {
        one.close();
      }
    }
  }

  @Nested
  final class IndexContract extends HolderIndexContract {
    @TempDir
    Path temp;

    private final List<Served> served = new ArrayList<>();

    @Override
    protected HolderIndex newIndex() {
      try {
        Path socket = temp.resolve("i" + served.size() + ".sock");
        served.add(new Served(socket, sqlite(temp.resolve("index-" + served.size() + ".db"))));
        return ResidentStore.connect(socket, NO_FALLBACK, "test");
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    @AfterEach
    void stop() {
      for (Served one : served) {
        one.close();
      }
    }
  }

  @TempDir
  Path temp;

  private static final LockKey KEY = new LockKey("session-lock-0123456789ab");

  @Test
  void connect_whenNoHelperListens_isNone() throws IOException {
    assertThat(ResidentStore.connect(temp.resolve("none.sock"), NO_FALLBACK, "test")).isNull();
    // a socket file a killed helper left: refused
    try (ServerSocketChannel left = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      left.bind(UnixDomainSocketAddress.of(temp.resolve("left.sock")));
    }
    assertThat(temp.resolve("left.sock")).exists();
    assertThat(ResidentStore.connect(temp.resolve("left.sock"), NO_FALLBACK, "test")).isNull();
  }

  @Test
  void databaseClock_throughTheHelper_isTheDatabasesTime() throws Exception {
    Path socket = temp.resolve("clock.sock");
    try (Served unused = new Served(socket, sqlite(temp.resolve("clock.db")))) {
      ResidentStore store = ResidentStore.connect(socket, NO_FALLBACK, "test");
      Instant before = Instant.now().minusSeconds(5);

      assertThat(store.databaseClock().instant()).isBetween(before, Instant.now().plusSeconds(5));
    }
  }

  /**
   * A helper that makes the write it is asked for and dies before it answers (as under {@code kill -9}): the
   * caller cannot know whether it took effect, repeats it on the database directly, and the protocol ends up
   * holding the lease once.
   */
  @Test
  void acquire_whenTheHelperDiesAfterItsWriteBeforeItsAnswer_holdsTheLeaseOnceThroughTheDirectPath() throws Exception {
    Path db = temp.resolve("dies.db");
    JdbcLockStore helperSide = sqlite(db).readingThrough();
    Path socket = temp.resolve("dies.sock");
    ServerSocketChannel dying = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    dying.bind(UnixDomainSocketAddress.of(socket));
    List<Byte> served = new ArrayList<>();
    Thread helper = new Thread(() -> {
      try (SocketChannel client = dying.accept()) {
        while (true) {
          Wire.In request = Wire.In.receive(client);
          byte operation = request.get();
          served.add(operation);
          if (operation == Wire.READ) {
            Option<Slot> slot = helperSide.read(request.getKey()).get();
            new Wire.Out(Wire.OK).putSlot(slot.getOrNull()).send(client);
          } else if (operation == Wire.CREATE) {
            LockKey key = request.getKey();
            assertThat(helperSide.create(key, request.getRecord()).get()).isEqualTo(WriteOutcome.WRITTEN);
            return; // dies: the connection closes without an answer
          } else {
            throw new AssertionError("operation " + operation);
          }
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    helper.start();
    List<JdbcLockStore> direct = new ArrayList<>();
    ResidentStore store = ResidentStore.connect(socket, new DirectPath() {
      @Override
      public Either<StoreFailure, Direct> open() {
        JdbcLockStore opened = sqlite(db);
        direct.add(opened);
        return Either.right(new Direct(opened, opened, null));
      }
    }, "test");
    Clock clock = Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC);
    ParallelSessionLock lock = ParallelSessionLock.of(store, ProcessLiveness.unknown(), clock);

    Either<?, Acquisition> acquired = lock.acquire(KEY, new Claimant("s1", ProcessRef.ofPid(4242)));
    helper.join(5_000);
    dying.close();

    assertThat(served).containsExactly(Wire.READ, Wire.CREATE);
    assertThat(direct).as("the direct path opened once").hasSize(1);
    assertThat(store.throughHelper()).isFalse();
    assertThat(acquired.isRight()).as(String.valueOf(acquired)).isTrue();
    assertThat(acquired.get()).isInstanceOf(Acquisition.Acquired.class);
    List<Slot> rows = helperSide.slots("").get();
    assertThat(rows).hasSize(1);
    assertThat(((Slot.Held) rows.get(0)).record().sessionId()).isEqualTo("s1");
    helperSide.close();
    direct.get(0).close();
  }

  /**
   * The same death during a create: the repeat on the database finds the very record this call sent, so the create
   * took effect and is reported so, not as a conflict (which a two-phase grant would read as another call of its
   * session still checking, and give up on).
   */
  @Test
  void create_whenTheHelperDiesAfterItsWriteBeforeItsAnswer_isWritten() throws Exception {
    Path db = temp.resolve("dies-create.db");
    JdbcLockStore helperSide = sqlite(db).readingThrough();
    Path socket = temp.resolve("dies-create.sock");
    ServerSocketChannel dying = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    dying.bind(UnixDomainSocketAddress.of(socket));
    Thread helper = new Thread(() -> {
      try (SocketChannel client = dying.accept()) {
        Wire.In request = Wire.In.receive(client);
        assertThat(request.get()).isEqualTo(Wire.CREATE);
        LockKey key = request.getKey();
        helperSide.create(key, request.getRecord());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    helper.start();
    List<JdbcLockStore> direct = new ArrayList<>();
    ResidentStore store = ResidentStore.connect(socket, new DirectPath() {
      @Override
      public Either<StoreFailure, Direct> open() {
        JdbcLockStore opened = sqlite(db).readingThrough();
        direct.add(opened);
        return Either.right(new Direct(opened, opened, null));
      }
    }, "test");
    Instant now = Instant.parse("2026-12-06T10:00:00Z");
    dev.parallelsessionlock.core.LockRecord record = new dev.parallelsessionlock.core.LockRecord(1, "s1",
        ProcessRef.ofPid(4242), now, Duration.ofMinutes(5), now);

    Either<StoreFailure, WriteOutcome> created = store.create(KEY, record);
    helper.join(5_000);
    dying.close();

    assertThat(created.get()).isEqualTo(WriteOutcome.WRITTEN);
    dev.parallelsessionlock.core.LockRecord other = new dev.parallelsessionlock.core.LockRecord(1, "s2",
        ProcessRef.ofPid(4243), now, Duration.ofMinutes(5), now);
    assertThat(store.create(KEY, other).get()).as("another's create still conflicts").isEqualTo(WriteOutcome.CONFLICT);
    helperSide.close();
    direct.get(0).close();
  }

  @Test
  void helperServer_socketAndDirectory_areTheUsersOnly() throws Exception {
    HelperPaths paths = HelperPaths.of(Map.of("XDG_RUNTIME_DIR", temp.toString()), "jdbc:sqlite:/x.db");

    assertThat(paths.secure()).isNull();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(paths.directory()))).isEqualTo("rwx------");
    try (Served unused = new Served(paths.socket(), sqlite(temp.resolve("mode.db")))) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(paths.socket()))).isEqualTo("rw-------");
    }
    Files.setPosixFilePermissions(paths.directory(), PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(paths.secure()).contains("can be entered by others");
  }

  @Test
  void helperPaths_oneStoreOneLogin_oneSocket() {
    Map<String, String> env = Map.of("HOME", "/home/u");
    HelperPaths a = HelperPaths.of(env, "jdbc:sqlite:/a.db");

    assertThat(a.socket()).isEqualTo(HelperPaths.of(env, "jdbc:sqlite:/a.db").socket());
    assertThat(a.socket().getParent()).isEqualTo(Path.of("/home/u/.session-lock/run"));
    assertThat(a.socket()).isNotEqualTo(HelperPaths.of(env, "jdbc:sqlite:/b.db").socket());
    assertThat(a.socket()).isNotEqualTo(HelperPaths.of(Map.of("HOME", "/home/u", "SESSION_LOCK_STORE_USER", "v"),
        "jdbc:sqlite:/a.db").socket());
    assertThat(HelperPaths.enabled(Map.of("SESSION_LOCK_HELPER", "off"))).isFalse();
    assertThat(HelperPaths.enabled(Map.of())).isTrue();
    assertThat(HelperPaths.idle(Map.of("SESSION_LOCK_HELPER_IDLE_SECONDS", "3"))).isEqualTo(Duration.ofSeconds(3));
    assertThat(HelperPaths.idle(Map.of("SESSION_LOCK_HELPER_IDLE_SECONDS", "x"))).isEqualTo(HelperPaths.DEFAULT_IDLE);
  }
}
