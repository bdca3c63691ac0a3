/**
 * Undo steps registered as a multi-step operation makes progress; on failure they run in
 * reverse so a failed create leaves no state dir, cgroup, process or fd behind. A failing undo
 * step does not stop the others.
 */
export class UndoStack {
  private readonly steps: Array<() => void | Promise<void>> = [];

  push(step: () => void | Promise<void>): void {
    this.steps.push(step);
  }

  /** For stacks whose steps are all synchronous: a step's promise is not waited for. */
  run(): void {
    for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) {
      try {
        step()?.catch(() => undefined);
      } catch {
        // Keep undoing: one leftover is better than all of them.
      }
    }
  }

  /** Waits for each step that returns a promise (stopping a systemd unit) before the next. */
  async runAsync(): Promise<void> {
    for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) {
      try {
        await step();
      } catch {
        // Keep undoing: one leftover is better than all of them.
      }
    }
  }

  clear(): void {
    this.steps.length = 0;
  }
}
