package dev.parallelsessionlock.markdown;

import java.nio.file.Path;

/**
 * A work item that cannot be claimed as it is: no frontmatter, YAML that does not parse, a claim field that is
 * not a one-line string. The file is left byte for byte as it was.
 *
 * @param file the item
 * @param line 1-based line of the file where the problem is (1 when it is the file as a whole)
 * @param problem what is wrong, for a person
 */
public record Malformed(Path file, int line, String problem) {

  /** {@code file:line: problem}, one line. */
  public String describe() {
    return file + ":" + line + ": " + problem;
  }
}
