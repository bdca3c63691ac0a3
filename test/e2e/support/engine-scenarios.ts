// Scenarios docker and podman answer alike: both take `run --rm [OPTS] IMAGE ARGS...`, exit with
// the process's code (127 for a missing executable) and know the same resource flags, so one
// body serves both engines' suites.
import { expect } from 'vitest';
import { show, type Result } from './host.js';
import type { Runtime, ScenarioBody } from './runtimes.js';

/** `<engine> run --runtime <rt> --rm OPTS... IMAGE ARGS...`. */
export type RunRm = (rt: Runtime, args: readonly string[], opts?: readonly string[]) => Promise<Result>;

export function runRmScenarios(scenario: (name: string, body: ScenarioBody) => void, runRm: RunRm): void {
  scenario('run --rm: output, exit code 42, a missing executable exits 127', async (rt) => {
    const r = await runRm(rt, ['echo', 'hello from busybox']);
    expect(r.status, show('run --rm echo', r)).toBe(0);
    expect(r.stdout).toBe('hello from busybox\n');
    expect((await runRm(rt, ['sh', '-c', 'exit 42'])).status).toBe(42);
    expect((await runRm(rt, ['/no/such/binary'])).status).toBe(127);
  });

  scenario('run -t: the container process gets a terminal', async (rt) => {
    const r = await runRm(rt, ['tty'], ['-t']);
    expect(r.status, show('run -t tty', r)).toBe(0);
    expect(r.stdout).toMatch(/^\/dev\/pts\/0\r?\n$/);
  });

  scenario('--memory: past the limit the process is OOM-killed; --pids-limit stops forks', async (rt) => {
    const r = await runRm(rt, ['sh', '-c', 'x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo survived'], ['--memory', '32m', '--memory-swap', '32m']);
    expect(r.stdout, show('run --memory 32m (allocating 100 MB)', r)).not.toContain('survived');
    const p = await runRm(rt, ['sh', '-c', 'for i in $(seq 20); do sleep 30 & done; echo all-forked'], ['--pids-limit', '10']);
    expect(p.stdout, show('run --pids-limit 10', p)).not.toContain('all-forked');
  });
}
