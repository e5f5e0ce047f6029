package dev.parallelsessionlock.testkit;

import dev.parallelsessionlock.core.Liveness;
import dev.parallelsessionlock.core.ProcessLiveness;
import dev.parallelsessionlock.core.ProcessRef;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Liveness by decree: a pid is dead once {@link #kill} was called for it, alive otherwise. */
public final class FakeLiveness implements ProcessLiveness {

  private final Set<Long> dead = ConcurrentHashMap.newKeySet();

  public void kill(long pid) {
    dead.add(pid);
  }

  public boolean isDead(long pid) {
    return dead.contains(pid);
  }

  @Override
  public Liveness of(ProcessRef process) {
    return dead.contains(process.pid()) ? Liveness.DEAD : Liveness.ALIVE;
  }
}
