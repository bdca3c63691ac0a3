// Issue 7 "Races": 8 containers created and force-deleted in parallel loops (every other one
// started first, so delete meets both created and running inits), then a
// count of everything that could leak: mounts (mountinfo), cgroup dirs, processes, state dirs
// and the caller's own fds. The normal suite runs a few cycles; `npm run stress` runs 1,000
// (OCIRUN_STRESS_CYCLES) and prints the numbers.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ownFds, processesOf } from '../../conformance/reliability/leaks.js';
import { baseSpec, Sandbox } from '../support/ocirun.js';
import { ocirunAsync } from './run-async.js';

const LOOPS = 8;
const CYCLES = Number(process.env['OCIRUN_STRESS_CYCLES'] ?? 10);
const sb = new Sandbox('stress');
afterAll(() => sb.destroy());

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

function leaked(prefix: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) if (line.includes(prefix)) out.push(`mount: ${line}`);
  const found = spawnSync('find', ['/sys/fs/cgroup', '-maxdepth', '6', '-type', 'd', '-name', `${prefix}*`], { encoding: 'utf8' });
  for (const p of found.stdout.split('\n').filter(Boolean)) out.push(`cgroup: ${p}`);
  for (const pid of processesOf(prefix, true)) out.push(`process: ${pid}`);
  if (existsSync(sb.root)) for (const name of readdirSync(sb.root)) out.push(`state dir: ${name}`);
  return out;
}

describe(`${LOOPS} parallel create/delete loops`, () => {
  it(`${CYCLES} cycles each leave no mount, cgroup, process, state dir or caller fd behind`, { timeout: 60_000 + CYCLES * LOOPS * 1_500 }, async () => {
    const prefix = `st${process.pid}`;
    const bundle = sb.bundle(baseSpec(['sleep', '1000']));
    const fdsBefore = ownFds();
    const cycleMs: number[] = [];
    const failures: string[] = [];
    const began = Date.now();

    const loop = async (n: number): Promise<void> => {
      for (let c = 0; c < CYCLES; c++) {
        const id = `${prefix}-${n}-${c}`;
        const t0 = Date.now();
        const steps = [['create', '--bundle', bundle, id], ...(c % 2 === 0 ? [['start', id]] : []), ['delete', '--force', id]];
        for (const args of steps) {
          const r = await ocirunAsync(sb.root, sb.dir, args);
          if (r.status !== 0) failures.push(`${args[0]} ${id}: exit ${r.status}: ${r.stderr.trim()}`);
        }
        cycleMs.push(Date.now() - t0);
        if (n === 0 && (c + 1) % 100 === 0) console.log(`stress: loop 0 at cycle ${c + 1}, ${failures.length} failures, ${Math.round((Date.now() - began) / 1000)} s`);
      }
    };
    await Promise.all(Array.from({ length: LOOPS }, (_, n) => loop(n)));

    const leftovers = leaked(prefix);
    const sorted = [...cycleMs].sort((a, b) => a - b);
    const summary = {
      loops: LOOPS,
      cyclesPerLoop: CYCLES,
      containers: LOOPS * CYCLES,
      failures: failures.length,
      seconds: Math.round((Date.now() - began) / 100) / 10,
      cycleMs: { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] },
      leaks: leftovers.length,
      callerFdsBefore: fdsBefore.length,
      callerFdsAfter: ownFds().length,
    };
    console.log(`stress: ${JSON.stringify(summary)}`);
    expect(failures.slice(0, 10)).toEqual([]);
    expect(leftovers.slice(0, 10)).toEqual([]);
    expect(ownFds()).toEqual(fdsBefore);
  });
});
