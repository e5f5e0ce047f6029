package dev.parallelsessionlock.hook.runtime;

import java.util.List;

/**
 * What the hook process prints and how it exits.
 *
 * @param exitCode 0 to let the tool call proceed, 2 to deny it
 * @param stdout the JSON decision for the agent, or empty
 * @param stderr lines for the agent's log (the deny reason, warnings)
 */
public record HookResult(int exitCode, String stdout, List<String> stderr) {

  static final int ALLOW = 0;
  static final int DENY = 2;

  static HookResult allow() {
    return new HookResult(ALLOW, "", List.of());
  }

  static HookResult allow(List<String> stderr) {
    return new HookResult(ALLOW, "", stderr);
  }
}
