/**
 * The {@code session-lock} executable's entry point and the constants every room shares.
 *
 * <p>{@link dev.parallelsessionlock.hook.SessionLockMain} is the only class that reads stdin, the environment or
 * calls {@code System.exit}/{@code halt}; everything else takes them as arguments, so tests drive it directly. It
 * sends {@code session-lock hook} to the hook runtime ({@code hook.runtime}) before any class of the commands
 * loads, and every other command line to the commands for people ({@code hook.commands}).
 * {@link dev.parallelsessionlock.hook.ExitCodes} and {@link dev.parallelsessionlock.hook.Version} are shared
 * constants that every room may use; nothing may use {@code SessionLockMain}.
 *
 * <p>The rooms and what each may use (RoomsTest checks it): {@code runtime} uses no other room; {@code install}
 * uses the runtime; {@code commands} uses the runtime and install; this package uses all of them.
 *
 * <p>Guarantee of the hook path ({@code hook.runtime.HookRunner}): it exits 2 only to deny a mutating tool call
 * that another live session's fresh lease blocks; on every other outcome, including any internal error, bad
 * input or a missed deadline, it exits 0 (with one line on stderr when something was wrong).
 */
package dev.parallelsessionlock.hook;
