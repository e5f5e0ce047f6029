package dev.parallelsessionlock.hook.runtime;

import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The files an edit tool is about to write, as the payload names them (absolute, or relative to the payload's
 * {@code cwd}):
 *
 * <pre>
 * Claude Code   Edit Write MultiEdit         tool_input.file_path
 *               NotebookEdit                 tool_input.notebook_path
 * Copilot CLI   edit create str_replace_editor toolArgs.path (also under Claude's tool names, from .claude/settings.json)
 *               apply_patch                  the patch among toolArgs' strings (its argument name is not documented)
 * Codex CLI     apply_patch                  the patch in tool_input.command
 * Gemini CLI    write_file replace           tool_input.file_path
 * </pre>
 *
 * A patch names its files on {@code *** Add File:}, {@code *** Update File:}, {@code *** Delete File:} and
 * {@code *** Move to:} lines; the rest of the line is the path, spaces and all.
 *
 * @param paths the paths, in the order named, without repeats
 * @param unreadable an edit tool whose files cannot be told (a patch too large to keep, no path argument): the
 *     hook fails open on it and says so
 */
record EditTargets(List<String> paths, boolean unreadable) {

  static final Set<String> PATH_TOOLS = Set.of(
      "Edit", "Write", "MultiEdit", "NotebookEdit", "edit", "create", "str_replace_editor", "write_file", "replace");
  static final String PATCH_TOOL = "apply_patch";
  private static final String[] PATCH_MARKERS = {
      "*** Add File: ", "*** Update File: ", "*** Delete File: ", "*** Move to: "};

  static final EditTargets NONE = new EditTargets(List.of(), false);

  /** Whether {@code tool} writes files this reads paths for. */
  static boolean isEditTool(String tool) {
    return PATH_TOOLS.contains(tool) || tool.equals(PATCH_TOOL);
  }

  /** The targets of {@code tool} in {@code payload}; {@link #NONE} for tools that are no edit tool. */
  static EditTargets of(JsonObject payload, String tool) {
    if (!isEditTool(tool)) {
      return NONE;
    }
    Object rawArgs = payload.get("tool_input");
    if (!(rawArgs instanceof JsonObject)) {
      rawArgs = payload.get("toolArgs");
    }
    List<String> paths = new ArrayList<>();
    if (rawArgs instanceof String text) {
      if (isPatch(text)) {
        patchPaths(text, paths);
        return result(paths);
      }
      try {
        rawArgs = JsonParser.object().from(text);
      } catch (JsonParserException notJson) {
        return new EditTargets(List.of(), true);
      }
    }
    if (!(rawArgs instanceof JsonObject)) {
      return new EditTargets(List.of(), true);
    }
    JsonObject args = (JsonObject) rawArgs;
    if (tool.equals(PATCH_TOOL)) {
      for (Object value : args.values()) {
        if (value instanceof String text && isPatch(text)) {
          patchPaths(text, paths);
        }
      }
      return result(paths);
    }
    addText(args.get("file_path"), paths);
    addText(args.get("notebook_path"), paths);
    addText(args.get("path"), paths);
    Object edits = args.get("edits"); // MultiEdit names one file, but be safe with per-edit paths
    if (edits instanceof JsonArray array) {
      for (Object edit : array) {
        if (edit instanceof JsonObject one) {
          addText(one.get("file_path"), paths);
        }
      }
    }
    return result(paths);
  }

  private static EditTargets result(List<String> paths) {
    return paths.isEmpty() ? new EditTargets(List.of(), true) : new EditTargets(List.copyOf(paths), false);
  }

  private static void addText(Object value, List<String> paths) {
    if (value instanceof String text && !text.isBlank() && !paths.contains(text)) {
      paths.add(text);
    }
  }

  static boolean isPatch(String text) {
    return text.contains("*** Begin Patch");
  }

  /** The paths a patch names, in order, each once. */
  static void patchPaths(String patch, List<String> paths) {
    int start = 0;
    int n = patch.length();
    while (start < n) {
      int end = patch.indexOf('\n', start);
      if (end < 0) {
        end = n;
      }
      String line = patch.substring(start, end);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      for (String marker : PATCH_MARKERS) {
        if (line.startsWith(marker)) {
          String path = line.substring(marker.length()).strip();
          if (!path.isEmpty() && !paths.contains(path)) {
            paths.add(path);
          }
        }
      }
      start = end + 1;
    }
  }
}
