package dev.parallelsessionlock.plan;

import java.util.List;

/**
 * A parallel plan: waves that run one after the other, each of tasks that run at the same time, each task with
 * the files it will touch, as globs relative to the repository root.
 */
public record Plan(List<Wave> waves) {

  public record Wave(String name, List<Task> tasks) {}

  public record Task(String id, List<Glob> files) {}
}
