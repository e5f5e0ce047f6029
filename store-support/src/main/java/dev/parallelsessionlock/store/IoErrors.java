package dev.parallelsessionlock.store;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/** I/O errors in words for people: one line, what failed and on which file, no stack trace, no class name. */
public final class IoErrors {

  private IoErrors() {}

  /** One line: what failed and on which file, in words, without a stack trace or an exception's class name. */
  public static String describe(Exception e) {
    if (e instanceof FileSystemException fs) {
      return fs.getFile() + ": " + (fs.getReason() != null ? fs.getReason() : reason(fs));
    }
    return e.getMessage() == null ? "input/output error" : e.getMessage();
  }

  /** What the JDK's file exceptions that carry no reason mean, for a person. */
  private static String reason(FileSystemException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file or folder";
    }
    if (e instanceof java.nio.file.FileAlreadyExistsException) {
      return e.getFile() != null && !Files.isDirectory(Path.of(e.getFile()))
          ? "exists and is not a folder" : "already exists";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.NotDirectoryException) {
      return "not a folder";
    }
    if (e instanceof java.nio.file.DirectoryNotEmptyException) {
      return "folder not empty";
    }
    if (e instanceof java.nio.file.FileSystemLoopException) {
      return "a loop of symbolic links";
    }
    if (e instanceof java.nio.file.AtomicMoveNotSupportedException) {
      return "cannot be renamed atomically on this file system";
    }
    return "cannot be used";
  }
}
