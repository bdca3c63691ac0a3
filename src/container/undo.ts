/**
 * Undo steps registered as a multi-step operation makes progress; on failure they run in
 * reverse so a failed create leaves no state dir, cgroup, process or fd behind. A failing undo
 * step does not stop the others.
 */
export class UndoStack {
  private readonly steps: Array<() => void> = [];

  push(step: () => void): void {
    this.steps.push(step);
  }

  run(): void {
    for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) {
      try {
        step();
      } catch {
        // Keep undoing: one leftover is better than all of them.
      }
    }
  }

  clear(): void {
    this.steps.length = 0;
  }
}
