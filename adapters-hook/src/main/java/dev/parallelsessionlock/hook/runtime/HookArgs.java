package dev.parallelsessionlock.hook.runtime;

import io.vavr.control.Option;

/**
 * The arguments of {@code session-lock hook [--agent NAME] [EVENT]}.
 *
 * @param event the event, for Copilot's camelCase hooks, whose payload names none
 * @param agent the agent the registration was written for
 * @param filesMode {@code --mode files}: lock the files a tool writes instead of the whole workspace
 */
public record HookArgs(Option<String> event, Option<Agent> agent, boolean filesMode) {

  HookArgs(Option<String> event, Option<Agent> agent) {
    this(event, agent, false);
  }

  /** Parses the words after {@code hook}; unknown agent names and modes are ignored (the hook must not fail on them). */
  public static HookArgs parse(String[] args, int from) {
    Option<String> event = Option.none();
    Option<Agent> agent = Option.none();
    boolean files = false;
    for (int i = from; i < args.length; i++) {
      if (args[i].equals("--agent") && i + 1 < args.length) {
        agent = Agent.parse(args[++i]);
      } else if (args[i].equals("--mode") && i + 1 < args.length) {
        files = args[++i].equals("files");
      } else if (event.isEmpty()) {
        event = Option.some(args[i]);
      }
    }
    return new HookArgs(event, agent, files);
  }
}
