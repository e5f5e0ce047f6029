package dev.parallelsessionlock.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class OverlapsTest {

  private static Plan plan(String json) {
    return PlanReader.read(json).get();
  }

  @Test
  void twoTasksOfOneWave_thatCanTouchOneFile_areACriticalOverlap_withTheirPatternsAndAnExample() {
    Plan plan = plan("{\"waves\":[{\"name\":\"api\",\"tasks\":["
        + "{\"id\":\"T1\",\"files\":[\"docs/api.md\",\"src/**/*.ts\"]},"
        + "{\"id\":\"T2\",\"files\":[\"src/api/*\"]},"
        + "{\"id\":\"T3\",\"files\":[\"src/*.css\"]}]},"
        + "{\"tasks\":[{\"id\":\"T4\",\"files\":[\"src/api/*\"]}]}]}");

    assertThat(Overlaps.of(plan)).containsExactly(
        new Overlaps.Critical("api", "T1", "T2", "src/**/*.ts", "src/api/*", "src/api/a.ts"));
  }

  @Test
  void overlapAcrossWaves_isFine() {
    assertThat(Overlaps.of(plan("{\"waves\":[{\"tasks\":[{\"id\":\"A\",\"files\":[\"**\"]}]},"
        + "{\"tasks\":[{\"id\":\"B\",\"files\":[\"**\"]}]}]}"))).isEmpty();
  }

  @Test
  void malformedPlans_sayWhatAndWhere() {
    assertThat(PlanReader.read("{\"waves\": [").getLeft()).startsWith("line 1, column");
    assertThat(PlanReader.read("{}").getLeft()).isEqualTo("waves: missing, or not an array");
    assertThat(PlanReader.read("{\"waves\":[{\"tasks\":[{\"id\":\"A\",\"files\":[\"a\"]},{\"id\":\"A\",\"files\":[\"b\"]}]}]}")
        .getLeft()).isEqualTo("waves[0].tasks[1].id: 'A' is the id of another task too");
    assertThat(PlanReader.read("{\"waves\":[{\"tasks\":[{\"id\":\"A\",\"files\":[\"/etc/x\"]}]}]}").getLeft())
        .startsWith("waves[0].tasks[0].files[0]: '/etc/x' is absolute");
    assertThat(PlanReader.read("{\"waves\":[{\"tasks\":[{\"id\":\"A\",\"files\":[]}]}]}").getLeft())
        .isEqualTo("waves[0].tasks[0].files: missing, empty, or not an array");
  }

  /** 200 tasks of 20 globs each in one wave, all disjoint: every pair is checked. Timed by BENCHMARKS.md, not here. */
  @Test
  void aLargeWave_isCheckedCompletely() {
    StringBuilder json = new StringBuilder("{\"waves\":[{\"tasks\":[");
    for (int t = 0; t < 200; t++) {
      List<String> globs = new ArrayList<>();
      for (int g = 0; g < 20; g++) {
        globs.add("\"src/module" + t + "/part" + g + "/**/*.{ts,tsx}\"");
      }
      json.append(t == 0 ? "" : ",").append("{\"id\":\"T").append(t).append("\",\"files\":[")
          .append(String.join(",", globs)).append("]}");
    }
    json.append(",{\"id\":\"late\",\"files\":[\"src/module7/part3/x/y.ts\"]}]}]}");

    List<Overlaps.Critical> critical = Overlaps.of(plan(json.toString()));

    assertThat(critical).containsExactly(new Overlaps.Critical("1", "T7", "late", "src/module7/part3/**/*.{ts,tsx}",
        "src/module7/part3/x/y.ts", "src/module7/part3/x/y.ts"));
  }
}
