/**
 * The commands for people, on picocli: one class per group (SetupCommands, LockCommands, FilesCommands,
 * ClaimCommands, PlanCommands, QueueCommands), each built on CommandContext (environment, streams, clock, the
 * steps they share). Commands only assembles the one group a command line asks for; the groups do not use it or
 * each other.
 *
 * <p>It may use the runtime (the store, the hints, the hook itself for {@code demo}) and install (the
 * {@code install}, {@code uninstall} and {@code doctor} commands); neither of them uses it.
 */
package dev.parallelsessionlock.hook.commands;
