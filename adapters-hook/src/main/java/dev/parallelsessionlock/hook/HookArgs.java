package dev.parallelsessionlock.hook;

import io.vavr.control.Option;

/**
 * The arguments of {@code session-lock hook [--agent NAME] [EVENT]}.
 *
 * @param event the event, for Copilot's camelCase hooks, whose payload names none
 * @param agent the agent the registration was written for
 */
record HookArgs(Option<String> event, Option<Agent> agent) {

  /** Parses the words after {@code hook}; unknown agent names are ignored (the hook must not fail on them). */
  static HookArgs parse(String[] args, int from) {
    Option<String> event = Option.none();
    Option<Agent> agent = Option.none();
    for (int i = from; i < args.length; i++) {
      if (args[i].equals("--agent") && i + 1 < args.length) {
        agent = Agent.parse(args[++i]);
      } else if (event.isEmpty()) {
        event = Option.some(args[i]);
      }
    }
    return new HookArgs(event, agent);
  }
}
