package dev.parallelsessionlock.core;

/**
 * A store could not do what was asked (I/O error, permission, refused directory). Never used for a lost
 * race, which is {@link WriteOutcome#CONFLICT}.
 *
 * @param key the key being read or written, or {@code null} for store-wide operations such as listing
 * @param operation what was attempted, e.g. {@code "read"}, {@code "replace"}
 * @param detail one line for a person
 */
public record StoreFailure(LockKey key, String operation, String detail) {

  /** One line: {@code "cannot <operation> a lock record: <detail>"}; the key is for logs and tests, not people. */
  public String describe() {
    // People never see a key (file-<hash>...): the detail names the path where there is one.
    return "cannot " + operation + (key == null ? "" : " a lock record") + ": " + detail;
  }
}
