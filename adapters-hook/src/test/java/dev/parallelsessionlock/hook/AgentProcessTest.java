package dev.parallelsessionlock.hook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parallelsessionlock.core.ProcessRef;
import dev.parallelsessionlock.process.fixture.ProcFixture;
import io.vavr.control.Option;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which process is the agent, over fixture process chains: hook (java) &lt;- launcher &lt;- sh -c &lt;- ... */
final class AgentProcessTest {

  @TempDir
  Path temp;

  private ProcFixture proc;

  @BeforeEach
  void setUp() {
    proc = new ProcFixture(temp).process(1, "systemd", 0, 1);
  }

  /** The hook's own part of the chain: java 900 under the launcher 890 under {@code sh -c} 880 under {@code parent}. */
  private long hookUnder(long parent) {
    proc.self(900, "java", 890, 900).process(890, "session-lock", 880, 890).process(880, "sh", parent, 880);
    return 900;
  }

  private ProcessRef agent(long hook, String claudePid) {
    return AgentProcess.of(proc.table(), hook, Option.of(claudePid));
  }

  @Test
  void claudeCode_isTheFirstAgentAboveTheShells() {
    proc.process(400, "claude", 300, 400).process(300, "bash", 200, 300).process(200, "tmux: server", 1, 200);

    assertThat(agent(hookUnder(400), null).pid()).isEqualTo(400);
  }

  @Test
  void claudePid_isTakenWhenItIsAnAncestor_evenUnderAnUnknownName() {
    proc.process(400, "2.1.330", 300, 400).process(300, "bash", 1, 300);

    ProcessRef found = agent(hookUnder(400), "400");

    assertThat(found.pid()).isEqualTo(400);
    assertThat(found.identity()).isNotEmpty();
  }

  @Test
  void claudePid_inheritedByANestedAgent_losesToTheNearerAgent() {
    // codex runs inside Claude Code's Bash tool and inherits CLAUDE_PID=400
    proc.process(600, "codex", 500, 600).process(500, "bash", 400, 500).process(400, "claude", 1, 400);

    assertThat(agent(hookUnder(600), "400").pid()).isEqualTo(600);
  }

  @Test
  void underASharedSupervisor_withOnlyShellsBelowIt_theHolderIsTheSessionAlone() {
    // Two sessions under one supervisor whose agent runs hooks through bash: the supervisor is never a holder.
    proc.process(300, "bash", 200, 300).process(200, "supervisord", 1, 200);

    ProcessRef found = agent(hookUnder(300), null);

    assertThat(found.isKnown()).isFalse();
    assertThat(found.host()).contains("fixture-host");
  }

  @Test
  void inAContainerWhosePid1IsAShell_theLauncherIsNeverRecorded() {
    proc.process(1, "sh", 0, 1);

    ProcessRef found = agent(hookUnder(1), null);

    assertThat(found.isKnown()).isFalse();
    assertThat(found.pid()).isNotEqualTo(890).isNotEqualTo(880);
  }

  @Test
  void anAgentOfUnknownName_isTheFirstAncestorThatIsNeitherWrapperNorShared() {
    proc.process(700, "python3", 600, 700).process(600, "sshd", 1, 600);

    assertThat(agent(hookUnder(700), null).pid()).isEqualTo(700);
  }

  @Test
  void withoutClaudePid_theWalkNeverGoesPastTheFirstProcessThatIsNoWrapper() {
    proc.process(710, "uv", 700, 710).process(700, "node", 600, 700).process(600, "bash", 1, 600);

    assertThat(agent(hookUnder(710), null).pid()).isEqualTo(710);
  }

  @Test
  void withClaudePid_theWalkGoesPastAnUnknownWrapperToIt() {
    proc.process(710, "uv", 700, 710).process(700, "claude", 600, 700).process(600, "bash", 1, 600);

    assertThat(agent(hookUnder(710), "700").pid()).isEqualTo(700);
  }
}
