/**
 * The resident helper of a database store: one process per user and store that keeps the driver loaded and the
 * connection open, and serves the store's conditional primitives to the hooks over a Unix socket in a directory
 * only its user may enter. The lock protocol still runs in each hook; the database stays the only truth; a hook
 * whose helper is not there (not started yet, stopped when idle, killed) opens the database itself, with the same
 * conditional writes, so the two paths mix safely.
 */
package dev.parallelsessionlock.hook.runtime.resident;
