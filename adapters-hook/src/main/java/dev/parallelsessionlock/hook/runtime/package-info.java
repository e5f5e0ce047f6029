/**
 * The hook runtime: the hot path run once for every agent event. Reads the event (HookEvent, JsonSkim), knows
 * each agent's protocol and answer forms (Agent, AgentProcess), decides (HookRunner for workspace mode; FilesHook,
 * EditTargets, GitGuard, GitCommands and the shell tokenizer for files mode) and opens the store the configuration
 * names (HookConfig, OpenStore, DatabaseStore). The small pieces both other rooms reuse live here too: Hints (a
 * command a person can run as printed), Durations, BackOff, Workspaces, LockDirectoryStores.
 *
 * <p>It depends on no other room of the executable (only on the shared constants of {@code hook}), so the hook
 * never loads a class of the commands or of install; and it is written lean: no lambdas, regexes, vavr
 * collections or record {@code equals}/{@code hashCode}/{@code toString} on the hook path (HookStartupIT).
 */
package dev.parallelsessionlock.hook.runtime;
