/**
 * The file store: the default store of the hook and the commands.
 *
 * <p>{@link dev.parallelsessionlock.fs.FileLockStore} keeps one JSON file per lock key in one directory and
 * makes every conditional write atomic across threads and processes: the compare and the write happen under the
 * key's striped guard (an OS file lock, released by the kernel if the process dies, plus an in-process lock), and
 * the new record replaces the old one by an atomic rename, so a reader never sees a torn record. Unreadable bytes
 * are never dropped: replacing or deleting them first copies them aside. {@link dev.parallelsessionlock.fs.FileHolderIndex}
 * finds a holder's keys; {@link dev.parallelsessionlock.fs.LocalLocks} wires the store, this host's liveness and
 * the system clock for a tool that embeds the library.
 */
package dev.parallelsessionlock.fs;
