package dev.parallelsessionlock.markdown;

import dev.parallelsessionlock.core.LockFailure;
import java.nio.file.Path;
import java.util.List;

/** Why a claim, an unclaim or a read could not reach an outcome; each says one line to a person. */
public sealed interface ClaimFailure {

  String describe();

  /** No such file, or no item with that id. */
  record NotFound(String item, String why) implements ClaimFailure {
    @Override
    public String describe() {
      return item + ": " + why;
    }
  }

  /** More than one item has that id. */
  record Ambiguous(String id, List<Path> matches) implements ClaimFailure {
    @Override
    public String describe() {
      return id + " is the id of " + matches.size() + " items: " + matches;
    }
  }

  /** The item has no frontmatter that can hold a claim; it was left untouched. */
  record Unclaimable(Malformed malformed) implements ClaimFailure {
    @Override
    public String describe() {
      return malformed.describe();
    }
  }

  /** The lock directory or the item could not be used. */
  record Unavailable(LockFailure failure) implements ClaimFailure {
    @Override
    public String describe() {
      return failure.describe();
    }
  }
}
