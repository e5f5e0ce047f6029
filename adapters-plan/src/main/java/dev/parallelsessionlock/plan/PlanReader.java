package dev.parallelsessionlock.plan;

import com.grack.nanojson.JsonArray;
import com.grack.nanojson.JsonObject;
import com.grack.nanojson.JsonParser;
import com.grack.nanojson.JsonParserException;
import io.vavr.control.Either;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a plan from JSON:
 *
 * <pre>
 * {"waves": [
 *   {"name": "api", "tasks": [
 *     {"id": "T1", "files": ["src/api/**", "docs/api.md"]},
 *     {"id": "T2", "files": ["src/ui/*.ts"]}]},
 *   {"name": "docs", "tasks": [{"id": "T3", "files": ["docs/"]}]}]}
 * </pre>
 *
 * A wave's {@code name} is optional (its position, from 1, otherwise); task ids are unique in the plan; every task
 * names at least one glob. Anything else is one line saying what is wrong and where ({@code waves[0].tasks[1].id}
 * or, for JSON that does not parse, line and column), which the command reports with exit 65.
 */
public final class PlanReader {

  private PlanReader() {}

  public static Either<String, Plan> read(String json) {
    JsonObject root;
    try {
      root = JsonParser.object().from(json);
    } catch (JsonParserException e) {
      return Either.left("line " + e.getLinePosition() + ", column " + e.getCharPosition() + ": not JSON ("
          + e.getMessage().replace('\n', ' ') + ")");
    }
    if (!(root.get("waves") instanceof JsonArray waves)) {
      return Either.left("waves: missing, or not an array");
    }
    List<Plan.Wave> result = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int w = 0; w < waves.size(); w++) {
      String where = "waves[" + w + "]";
      if (!(waves.get(w) instanceof JsonObject wave)) {
        return Either.left(where + ": not an object");
      }
      Object name = wave.get("name");
      if (name != null && !(name instanceof String) && !(name instanceof Number)) {
        return Either.left(where + ".name: not a string");
      }
      if (!(wave.get("tasks") instanceof JsonArray tasks)) {
        return Either.left(where + ".tasks: missing, or not an array");
      }
      List<Plan.Task> parsed = new ArrayList<>();
      for (int t = 0; t < tasks.size(); t++) {
        String at = where + ".tasks[" + t + "]";
        if (!(tasks.get(t) instanceof JsonObject task)) {
          return Either.left(at + ": not an object");
        }
        if (!(task.get("id") instanceof String id) || id.isBlank()) {
          return Either.left(at + ".id: missing, or not a non-empty string");
        }
        if (!ids.add(id)) {
          return Either.left(at + ".id: '" + id + "' is the id of another task too");
        }
        if (!(task.get("files") instanceof JsonArray files) || files.isEmpty()) {
          return Either.left(at + ".files: missing, empty, or not an array");
        }
        List<Glob> globs = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
          if (!(files.get(f) instanceof String pattern)) {
            return Either.left(at + ".files[" + f + "]: not a string");
          }
          Either<String, Glob> glob = Glob.parse(pattern);
          if (glob.isLeft()) {
            return Either.left(at + ".files[" + f + "]: " + glob.getLeft());
          }
          globs.add(glob.get());
        }
        parsed.add(new Plan.Task(id, List.copyOf(globs)));
      }
      result.add(new Plan.Wave(name == null ? String.valueOf(w + 1) : String.valueOf(name), List.copyOf(parsed)));
    }
    return Either.right(new Plan(List.copyOf(result)));
  }
}
