package dev.parallelsessionlock.hook.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class WorkspacesTest {

  @TempDir
  Path temp;

  @Test
  void gitWorkTreesOf_filesOfTwoTreesAWorktreeAndNone_givesEachItsTree() throws Exception {
    Path one = Files.createDirectories(temp.resolve("one/.git")).getParent();
    Path linked = Files.createDirectories(temp.resolve("linked"));
    Files.writeString(linked.resolve(".git"), "gitdir: " + one.resolve(".git/worktrees/linked") + "\n");
    Path outside = Files.createDirectories(temp.resolve("outside"));
    String a = one.resolve("src/a.txt").toString();
    String b = one.resolve("src/b.txt").toString();
    String c = one.resolve("c.txt").toString();
    String d = linked.resolve("deep/er/d.txt").toString();
    String e = outside.resolve("e.txt").toString();

    Map<String, Path> trees = Workspaces.gitWorkTreesOf(List.of(a, b, c, d, e));

    assertThat(trees).containsOnlyKeys(a, b, c, d).containsEntry(a, one).containsEntry(b, one).containsEntry(c, one)
        .containsEntry(d, linked);
  }

  @Test
  void gitWorkTree_fromAFolderInsideATree_isItsTop_andOutsideNone() throws Exception {
    Path tree = Files.createDirectories(temp.resolve("repo/.git")).getParent();

    assertThat(Workspaces.gitWorkTree(Files.createDirectories(tree.resolve("a/b")))).isEqualTo(tree);
    assertThat(Workspaces.gitWorkTree(temp)).isNull();
  }
}
