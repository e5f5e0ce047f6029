package dev.parallelsessionlock.hook.commands;

import dev.parallelsessionlock.hook.ExitCodes;
import dev.parallelsessionlock.hook.install.Doctor;
import dev.parallelsessionlock.hook.install.GitHooks;
import dev.parallelsessionlock.hook.install.Installer;
import dev.parallelsessionlock.hook.runtime.Agent;
import dev.parallelsessionlock.hook.runtime.HookConfig;
import io.vavr.collection.List;
import io.vavr.control.Either;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Setting protection up and checking it: install, uninstall, doctor, demo. */
final class SetupCommands {

  private SetupCommands() {}

  static Installer installer(CommandContext context, String dir) {
    Path home = HookConfig.home(context.env);
    return new Installer(context.workspace(dir), home, Installer.defaultInstallHome(context.env, home, context.cwd),
        context.env).progressTo(context.err);
  }

  static io.vavr.control.Option<Path> runningJar() {
    try {
      Path location = Path.of(SetupCommands.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return location.toString().endsWith(".jar") ? io.vavr.control.Option.some(location) : io.vavr.control.Option.none();
    } catch (Exception e) {
      return io.vavr.control.Option.none();
    }
  }

  /** Options install and uninstall share. */
  abstract static class Registration extends DirectoryCommand {
    @Option(names = "--agent", paramLabel = "AGENT", description = "claude (default), copilot, codex or gemini")
    String agent = "claude";

    @Option(names = "--scope", paramLabel = "SCOPE", description = "project (default), local or user")
    String scope = "project";

    @Option(names = "--mode", paramLabel = "MODE",
        description = "workspace (default): one session edits the checkout at a time; files: sessions edit at once, "
            + "never the same file")
    String mode = "workspace";

    Registration(CommandContext context) {
      super(context);
    }

    /** The parsed agent, scope and mode, or the exit code of a usage error. */
    Either<Integer, Installer.Target> target() {
      io.vavr.control.Option<Agent> parsed = Agent.parse(agent);
      if (parsed.isEmpty()) {
        return Either.left(context.usage("--agent takes claude, copilot, codex or gemini"));
      }
      Installer.Scope parsedScope;
      try {
        parsedScope = Installer.Scope.valueOf(scope.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return Either.left(context.usage("--scope takes project, local or user"));
      }
      if (!mode.equals("workspace") && !mode.equals("files")) {
        return Either.left(context.usage("--mode takes workspace or files"));
      }
      return Either.right(new Installer.Target(parsed.get(), parsedScope, mode.equals("files")));
    }

    int report(Either<Installer.Failure, List<String>> result) {
      if (result.isLeft()) {
        context.err.println("session-lock: " + result.getLeft().message());
        return result.getLeft().exitCode();
      }
      result.get().forEach(context.out::println);
      return ExitCodes.OK;
    }
  }

  @Command(name = "install", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "Copy the executable to a stable place and register the hooks.")
  static final class Install extends Registration {
    @Option(names = "--trust", description = "codex: record the trust Codex asks for in /hooks")
    boolean trust;

    @Option(names = "--git-hooks", description = "instead: git hooks: pre-commit blocks an agent session's commit while "
        + "a file of its task changed outside it; reference-transaction keeps agent sessions off the queue's targets")
    boolean gitHooks;

    @Option(names = "--guard", paramLabel = "BRANCH", description = "with --git-hooks: keep agent sessions from "
        + "moving BRANCH too (the repository's main branch always is); repeatable")
    java.util.List<String> guards = new java.util.ArrayList<>();

    @Option(names = "--worktrees", description = "also Claude Code's WorktreeCreate/WorktreeRemove hooks "
        + "(session-lock worktree create/remove)")
    boolean worktrees;

    Install(CommandContext context) {
      super(context);
    }

    @Override
    int run() {
      Either<Integer, Installer.Target> target = target();
      if (target.isLeft()) {
        return target.getLeft();
      }
      if (trust && target.get().agent() != Agent.CODEX) {
        return context.usage("--trust is for --agent codex");
      }
      io.vavr.control.Option<Path> jar = runningJar();
      if (jar.isEmpty()) {
        context.err.println("session-lock: install runs from the packaged jar (adapters-hook/target/session-lock.jar)");
        return ExitCodes.UNAVAILABLE;
      }
      String chosenJava = context.env.get("SESSION_LOCK_JAVA");
      Path java = chosenJava != null && !chosenJava.isBlank()
          ? Path.of(chosenJava)
          : Path.of(System.getProperty("java.home"), "bin", "java");
      if (!guards.isEmpty() && !gitHooks) {
        return context.usage("--guard is for --git-hooks");
      }
      Installer installer = installer(context, dir);
      if (gitHooks) {
        io.vavr.control.Option<Installer.Failure> refused =
            GitHooks.refusal(context.workspace(dir), installer.launcher().toString());
        if (refused.isEmpty()) {
          refused = GitHooks.refuseGuards(context.workspace(dir), guards);
        }
        if (refused.isDefined()) {
          return report(Either.left(refused.get()));
        }
        try {
          List<String> lines = installer.installBinaries(jar.get(), java);
          Either<Installer.Failure, List<String>> hook =
              GitHooks.install(context.workspace(dir), installer.launcher().toString(), guards);
          return report(hook.map(lines::appendAll));
        } catch (java.io.IOException e) {
          return report(Either.left(new Installer.Failure(ExitCodes.UNAVAILABLE, "install failed: " + Installer.describe(e))));
        }
      }
      if (worktrees && target.get().agent() != Agent.CLAUDE) {
        return context.usage("--worktrees is for Claude Code (--agent claude)");
      }
      Either<Installer.Failure, List<String>> installed = installer.install(target.get(), jar.get(), java, trust);
      if (worktrees && installed.isRight()) {
        installed = installer.installWorktreeHooks(target.get().scope()).map(installed.get()::appendAll);
      }
      return report(installed);
    }
  }

  @Command(name = "uninstall", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "Remove exactly what install added.")
  static final class Uninstall extends Registration {
    @Option(names = "--purge", description = "also remove the installed copy when no settings file uses it")
    boolean purge;

    @Option(names = "--git-hooks", description = "instead: remove our blocks from the git pre-commit and reference-transaction hooks")
    boolean gitHooks;

    Uninstall(CommandContext context) {
      super(context);
    }

    @Override
    int run() {
      Either<Integer, Installer.Target> target = target();
      if (target.isLeft()) {
        return target.getLeft();
      }
      if (gitHooks) {
        return report(GitHooks.uninstall(context.workspace(dir)));
      }
      Installer installer = installer(context, dir);
      return report(installer.uninstall(target.get().agent(), target.get().scope(), purge));
    }
  }

  @Command(name = "doctor", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "Is protection really on here? One line per problem; exit 3 when there is one.")
  static final class DoctorCommand extends DirectoryCommand {
    DoctorCommand(CommandContext context) {
      super(context);
    }

    @Override
    int run() {
      return new Doctor(installer(context, dir), context.workspace(dir), context.env, context.out, context.program())
          .run();
    }
  }

  @Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = CommandText.VersionText.class,
      footer = CommandText.EXIT_CODES,
      description = "Two sessions contending, through the real hook.")
  static final class DemoCommand implements Callable<Integer> {
    private final CommandContext context;

    DemoCommand(CommandContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      return Demo.run(context.out, context.err, context.clock, context.program());
    }
  }
}
