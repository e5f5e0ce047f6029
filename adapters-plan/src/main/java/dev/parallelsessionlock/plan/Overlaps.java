package dev.parallelsessionlock.plan;

import dk.brics.automaton.Automaton;
import java.util.ArrayList;
import java.util.List;

/**
 * The plan's critical overlaps: two tasks of one wave whose globs can match a common path. Exact, not a
 * heuristic: each task's globs become one automaton; two tasks overlap exactly when the intersection of theirs
 * is not empty; then the first pair of globs that overlaps is named with the shortest readable path both match.
 * Tasks of different waves never overlap critically (the waves run one after the other).
 */
public final class Overlaps {

  /** Two tasks of {@code wave} that may touch the same file, e.g. {@code example}. */
  public record Critical(String wave, String firstTask, String secondTask, String firstPattern, String secondPattern,
      String example) {}

  private Overlaps() {}

  public static List<Critical> of(Plan plan) {
    List<Critical> critical = new ArrayList<>();
    for (Plan.Wave wave : plan.waves()) {
      // Each task's globs as one automaton, built the first time a pair needs it.
      Automaton[] unions = new Automaton[wave.tasks().size()];
      for (int i = 0; i < wave.tasks().size(); i++) {
        for (int j = i + 1; j < wave.tasks().size(); j++) {
          if (!mayOverlap(wave.tasks().get(i), wave.tasks().get(j))
              || union(unions, i, wave.tasks().get(i)).intersection(union(unions, j, wave.tasks().get(j))).isEmpty()) {
            continue;
          }
          critical.add(namePair(wave.name(), wave.tasks().get(i), wave.tasks().get(j)));
        }
      }
    }
    return List.copyOf(critical);
  }

  private static Automaton union(Automaton[] unions, int index, Plan.Task task) {
    if (unions[index] == null) {
      List<Automaton> globs = new ArrayList<>();
      for (Glob glob : task.files()) {
        globs.add(glob.automaton());
      }
      Automaton union = Automaton.union(globs);
      union.minimize();
      unions[index] = union;
    }
    return unions[index];
  }

  /** Whether some pair of the tasks' globs has compatible literal prefixes (else they cannot overlap). */
  private static boolean mayOverlap(Plan.Task first, Plan.Task second) {
    for (Glob a : first.files()) {
      for (Glob b : second.files()) {
        if (a.mayOverlap(b)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Critical namePair(String wave, Plan.Task first, Plan.Task second) {
    for (Glob a : first.files()) {
      for (Glob b : second.files()) {
        io.vavr.control.Option<String> example = a.mayOverlap(b) ? a.commonExample(b) : io.vavr.control.Option.none();
        if (example.isDefined()) {
          return new Critical(wave, first.id(), second.id(), a.pattern(), b.pattern(), example.get());
        }
      }
    }
    throw new IllegalStateException("the unions of " + first.id() + " and " + second.id()
        + " intersect but no pair of their globs does");
  }
}
