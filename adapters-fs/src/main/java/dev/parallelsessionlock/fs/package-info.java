/**
 * Filesystem and process adapters for the core's ports.
 *
 * <p>{@link dev.parallelsessionlock.fs.FileLockStore} keeps one JSON file per lock key in one directory and
 * makes every conditional write atomic across threads and processes: the compare and the write happen under an
 * OS file lock on the directory's guard file (released by the kernel if the process dies) plus an in-process
 * lock, and the new record is written to a temp file and renamed over the old one, so a reader never sees a
 * torn record. Unreadable bytes are never dropped: replacing or deleting them first copies them aside.
 *
 * <p>{@link dev.parallelsessionlock.fs.ProcessTableLiveness} answers the core's liveness question from the
 * local process table, calling a holder dead only when its pid is gone or now belongs to a process with a
 * different start time.
 */
package dev.parallelsessionlock.fs;
