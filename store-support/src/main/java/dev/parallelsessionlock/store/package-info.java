/**
 * What the stores share, so that each depends on the core and this, never on another store.
 *
 * <ul>
 *   <li>{@link dev.parallelsessionlock.store.RecordCodec}: a lock record as JSON, the seed's format; the file store
 *       keeps it in a file, the database store in a column.</li>
 *   <li>{@link dev.parallelsessionlock.store.AtomicWrite}: the one way a file is replaced whole (temp file, fsync,
 *       atomic rename, fsync of the folder).</li>
 *   <li>{@link dev.parallelsessionlock.store.LockDirectory} and {@link dev.parallelsessionlock.store.StripedGuard}:
 *       a private folder of lock state, and mutual exclusion per key across threads and processes in it.</li>
 *   <li>{@link dev.parallelsessionlock.store.Documents}: persistent documents as a recipe over the lock store
 *       protocol (a key, its record's generation as the version, an immutable body per version), opened in a folder
 *       through {@link dev.parallelsessionlock.store.FolderStores}: the merge queue's entries, the snapshot
 *       baselines.</li>
 *   <li>{@link dev.parallelsessionlock.store.RegularFiles}: anything but a regular file at a record's path is
 *       refused before it is opened; {@link dev.parallelsessionlock.store.IoErrors}: I/O errors in words.</li>
 * </ul>
 */
package dev.parallelsessionlock.store;
