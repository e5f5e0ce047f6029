package dev.parallelsessionlock.core;

import io.vavr.control.Option;

/** Whether a hook lets a tool call proceed; produced by {@link FailOpen#decide}. */
public sealed interface Decision {

  /** Proceed; {@code warning} says why, when something went wrong and the decision failed open. */
  record Allow(Option<String> warning) implements Decision {}

  /** Stop the tool call; {@code reason} is shown to the agent and names the holder. */
  record Block(String reason) implements Decision {}
}
