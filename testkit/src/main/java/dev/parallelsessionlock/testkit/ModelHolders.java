package dev.parallelsessionlock.testkit;

import dev.parallelsessionlock.core.Claimant;
import dev.parallelsessionlock.core.ProcessRef;
import io.vavr.control.Option;

/**
 * The four holders the file-lock models play, and the rules by which each meets a record (the README's): holders 0
 * and 1 are sessions, 2 is task A (bound to session 0 and run in its process), 3 is task B. A holder's process can
 * die and come back under a new pid. One copy for {@link FileLocksProperties} and {@link MixedModesProperties}.
 */
final class ModelHolders {

  /** How a holder meets a record: free, its own, its bound task's, its session's, to take over, or blocked. */
  enum State { FREE, OWN, BOUND, ADOPT, TAKE, BLOCK }

  private final FakeLiveness liveness;
  private final long[] pids = {1001, 2001, 0, 4001}; // task A runs in session 0's process

  ModelHolders(FakeLiveness liveness) {
    this.liveness = liveness;
  }

  /** A process with an identity (so the protocol can tell a reused pid). */
  static ProcessRef process(long pid) {
    return new ProcessRef(pid, Option.none(), Option.none(),
        Option.some(new ProcessRef.Identity("boot", "pid-ns", pid * 7)));
  }

  String id(int holder) {
    return switch (holder) {
      case 0 -> "session-0";
      case 1 -> "session-1";
      case 2 -> "task:A";
      default -> "task:B";
    };
  }

  long pid(int holder) {
    return holder == 2 ? pids[0] : pids[holder];
  }

  Claimant claimant(int holder) {
    ProcessRef process = process(pid(holder));
    return switch (holder) {
      case 0, 1 -> new Claimant(id(holder), process);
      case 2 -> Claimant.task("A", process, Option.some("session-0"));
      default -> Claimant.task("B", process, Option.none());
    };
  }

  /** The process of {@code holder} dies (task A's is session 0's) and it comes back under a new pid. */
  void kill(int holder) {
    int owner = holder == 2 ? 0 : holder;
    liveness.kill(pids[owner]);
    pids[owner] += 100;
  }

  /**
   * How {@code holder} meets a record of {@code recHolder}, written by {@code recPid}, whose lease has run out or
   * not: the same holder (its process, or a dead one; a task from any process) owns it; a session may use its bound
   * task's lock; a task may adopt its session's; a stale or dead foreign holder is taken over.
   */
  State state(int holder, String recHolder, long recPid, boolean expired) {
    boolean task = holder >= 2;
    if (recHolder.equals(id(holder)) && (task || recPid == pid(holder) || liveness.isDead(recPid))) {
      return State.OWN;
    }
    if (holder == 0 && recHolder.equals("task:A")) {
      return State.BOUND;
    }
    if (holder == 2 && recHolder.equals("session-0")) {
      return State.ADOPT;
    }
    return expired || liveness.isDead(recPid) ? State.TAKE : State.BLOCK;
  }

  /** The record was {@code holder}'s before in a way every rival respected: fresh, its process not dead. */
  boolean heldFresh(int holder, long recPid, boolean expired) {
    return !expired && (recPid == pid(holder) || !liveness.isDead(recPid));
  }
}
