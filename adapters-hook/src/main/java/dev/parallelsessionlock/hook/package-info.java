/**
 * The {@code session-lock} executable: agent hook protocols (Claude Code, Copilot CLI), the installer, and
 * commands for people.
 *
 * <p>{@link dev.parallelsessionlock.hook.SessionLockMain} is the only class that reads stdin, the environment or
 * calls {@code System.exit}/{@code halt}; everything else takes them as arguments, so tests drive it directly.
 * Guarantee of the hook path ({@link dev.parallelsessionlock.hook.HookRunner}): it exits 2 only to deny a
 * mutating tool call that another live session's fresh lease blocks; on every other outcome, including any
 * internal error, bad input or a missed deadline, it exits 0 (with one line on stderr when something was wrong).
 */
package dev.parallelsessionlock.hook;
