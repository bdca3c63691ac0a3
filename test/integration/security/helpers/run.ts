import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launcherFlags } from '../../../../scripts/launcher-flags.cjs';
import type { Scenario, ScenarioResult } from './scenario.js';

// The runner must be plain JavaScript started by a fresh `node --single-threaded` (Node 20 cannot
// strip types itself). esbuild — already here as vitest's bundler — turns runner.ts and the src/
// modules it imports into one file. It is written under node_modules/.cache so that its
// `import 'koffi'` (kept external: a native addon cannot be bundled) resolves to the project's copy.

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const OUT = `${ROOT}node_modules/.cache/ocirun-tests/security-runner.mjs`;

let built: Promise<string> | undefined;

export function bundleRunner(): Promise<string> {
  built ??= build({
    entryPoints: [fileURLToPath(new URL('./runner.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['koffi'],
    outfile: OUT,
    logLevel: 'error',
  }).then(() => OUT);
  return built;
}

export function runScenario(bundle: string, scenario: Scenario): ScenarioResult {
  // bin/ocirun's own flags: with Node's default young generation and no gc before fork, a forked
  // child that allocates can start a scavenge, which segfaults it (status 11, seen here).
  const r = spawnSync(process.execPath, [...launcherFlags(), bundle, JSON.stringify(scenario)], {
    encoding: 'utf8',
    timeout: 20_000,
    killSignal: 'SIGKILL',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
  });
  if (r.status !== 0) throw new Error(`runner failed (status ${r.status}, signal ${r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout) as ScenarioResult;
}

/** The hex masks of /proc/self/status lines such as "CapEff:\t00000000a80425fb". */
export function statusField(output: string, field: string): string | undefined {
  return new RegExp(`^${field}:\\s*(\\S+)`, 'm').exec(output)?.[1];
}

/** The /proc/self/status fields named in `expected`, as the output has them: compared whole, one failure shows them all. */
export function statusFields(output: string, expected: Readonly<Record<string, string>>): Record<string, string | undefined> {
  return Object.fromEntries(Object.keys(expected).map((f) => [f, statusField(output, f)]));
}
