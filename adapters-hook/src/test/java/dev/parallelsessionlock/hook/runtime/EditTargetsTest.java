package dev.parallelsessionlock.hook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The files each agent's edit tools write, read from the real payloads and from patches of every shape. */
final class EditTargetsTest {

  private static JsonObject sample(String name) throws Exception {
    Path file = AgentSamplesTest.SAMPLES.resolve(name);
    return JsonParser.object().from(Files.readString(file)).getObject("payload");
  }

  private static List<String> targets(JsonObject payload) {
    String tool = payload.has("tool_name") ? payload.getString("tool_name") : payload.getString("toolName");
    EditTargets targets = EditTargets.of(payload, tool);
    assertThat(targets.unreadable()).as("readable").isFalse();
    return targets.paths();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "claude/PreToolUse-Edit.json, /home/dev/lab/ws1/f.txt",
      "claude/PreToolUse-Write.json, /home/dev/lab/ws1/a.txt",
      "copilot/preToolUse-edit.json, /home/dev/lab/ws1/f.txt",
      "copilot/preToolUse-create.json, /home/dev/lab/ws-untrusted/u.txt",
      "copilot/PreToolUse-Edit.json, /home/dev/lab/ws1/f.txt",
      "codex/PreToolUse-apply_patch.json, a.txt",
      "gemini/BeforeTool-write_file.json, /home/dev/lab/ws1/a.txt",
      "gemini/BeforeTool-replace.json, /home/dev/lab/ws1/f.txt"})
  void realPayload_namesTheFileItsToolWrites(String sample, String path) throws Exception {
    assertThat(targets(sample(sample))).containsExactly(path);
  }

  @Test
  void readsAndShellsOfTheRealClients_areNoEditTools() throws Exception {
    for (String name : List.of("claude/PreToolUse-Read.json", "claude/PreToolUse-Bash.json",
        "codex/PreToolUse-Bash.json", "copilot/preToolUse-view.json", "gemini/BeforeTool-read_file.json")) {
      JsonObject payload = sample(name);
      String tool = payload.has("tool_name") ? payload.getString("tool_name") : payload.getString("toolName");
      assertThat(EditTargets.isEditTool(tool)).as(name).isFalse();
    }
  }

  @Test
  void patch_withAddsUpdatesDeletesMovesAndSpaces_namesEveryPathOnce() {
    List<String> paths = new ArrayList<>();
    EditTargets.patchPaths("*** Begin Patch\r\n*** Add File: docs/new file.md\r\n+hello\r\n"
        + "*** Update File: src/a.java\n@@ class A\n-old\n+new\n*** Move to: src/b dir/b.java\n"
        + "*** Delete File: gone.txt\n*** Update File: src/a.java\n*** End Patch", paths);

    assertThat(paths).containsExactly("docs/new file.md", "src/a.java", "src/b dir/b.java", "gone.txt");
  }

  @Test
  void copilotApplyPatch_findsThePatchInWhicheverArgumentCarriesIt() throws Exception {
    JsonObject payload = JsonParser.object().from("{\"toolName\":\"apply_patch\",\"toolArgs\":{\"explanation\":\"x\","
        + "\"input\":\"*** Begin Patch\\n*** Update File: /w/a.txt\\n*** End Patch\"}}");

    assertThat(targets(payload)).containsExactly("/w/a.txt");
  }

  @Test
  void copilotApplyPatch_asARawStringArgument_isReadToo() throws Exception {
    JsonObject payload = JsonParser.object().from("{\"toolName\":\"apply_patch\","
        + "\"toolArgs\":\"*** Begin Patch\\n*** Delete File: b.txt\\n*** End Patch\"}");

    assertThat(targets(payload)).containsExactly("b.txt");
  }

  @Test
  void patchTheSkimEmptied_orAnEditWithoutPath_isUnreadable_notAnEditOfNothing() throws Exception {
    JsonObject emptied = JsonParser.object().from("{\"tool_name\":\"apply_patch\",\"tool_input\":{\"command\":\"\"}}");
    JsonObject noPath = JsonParser.object().from("{\"tool_name\":\"Write\",\"tool_input\":{\"content\":\"x\"}}");

    assertThat(EditTargets.of(emptied, "apply_patch").unreadable()).isTrue();
    assertThat(EditTargets.of(noPath, "Write").unreadable()).isTrue();
  }

  @Test
  void notebookEdit_namesTheNotebook() throws Exception {
    JsonObject payload = JsonParser.object().from(
        "{\"tool_name\":\"NotebookEdit\",\"tool_input\":{\"notebook_path\":\"/w/n.ipynb\",\"new_source\":\"x\"}}");

    assertThat(targets(payload)).containsExactly("/w/n.ipynb");
  }
}
