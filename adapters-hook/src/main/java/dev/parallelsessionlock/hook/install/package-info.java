/**
 * Install, uninstall and doctor: the executable copied to a stable place with its launcher (LauncherBody) and
 * start-up archive (ClassDataArchive), each agent's hook registrations (HookRegistrations) edited into its
 * settings as text (SettingsEdit, JsonText, CodexTrust), the git hooks (GitHooks), and Doctor, which checks all of
 * it. TempTrees removes the temporary trees they make.
 *
 * <p>It may use the runtime (agents, hints, the store) and never the commands for people.
 */
package dev.parallelsessionlock.hook.install;
