/**
 * Process identity on this host, the answer to the core's liveness question.
 *
 * <p>{@link dev.parallelsessionlock.process.LocalProcesses} reads who a process is: its pid and an exact identity
 * (the kernel's boot id, the pid namespace, the start time in clock ticks, from {@code /proc}; {@code ProcessHandle}
 * where there is no {@code /proc}), which no clock step moves and no reused pid shares.
 * {@link dev.parallelsessionlock.process.ProcessTableLiveness} calls a lock's holder dead only when its pid is gone,
 * a zombie, or now another process; a holder counted in another pid space (another machine, a container, a boot
 * since) is unknown and judged by its lease alone.
 */
package dev.parallelsessionlock.process;
