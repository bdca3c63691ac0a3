// The runtimes every end-to-end scenario runs against: runc first, as the reference, then ocirun.
// A scenario that fails under runc on this host says nothing about ocirun, so ocirun's run of
// it is skipped with that reason instead of reported as ocirun's failure.
import { describe, test } from 'vitest';
import { OCIRUN } from '../../support/ocirun.js';
import { which } from './host.js';

export interface Runtime {
  name: 'runc' | 'ocirun';
  /** Absolute path handed to the engine (podman --runtime, ctr --runc-binary). */
  path: string;
}

/** OCIRUN_E2E_BIN points the suite at another ocirun build (e.g. a private copy). */
export function runtimes(): Runtime[] {
  const out: Runtime[] = [];
  const runc = which('runc');
  if (runc) out.push({ name: 'runc', path: runc });
  out.push({ name: 'ocirun', path: process.env.OCIRUN_E2E_BIN ?? OCIRUN });
  return out;
}

export type ScenarioBody = (rt: Runtime) => void | Promise<void>;

/**
 * Returns `scenario(name, body)`, which registers one test per runtime under a describe named
 * for the scenario. Tests in a file run in order, so runc's verdict is known when ocirun's turn
 * comes.
 */
export function scenarioRunner(rts: readonly Runtime[], timeoutMs = 90_000): (name: string, body: ScenarioBody) => void {
  const runcFailed = new Set<string>();
  return (name, body) => {
    describe(name, () => {
      for (const rt of rts) {
        test(rt.name, async (ctx) => {
          if (rt.name === 'ocirun' && runcFailed.has(name)) ctx.skip(`runc fails "${name}" on this host too`);
          try {
            await body(rt);
          } catch (err) {
            if (rt.name === 'runc') runcFailed.add(name);
            throw err;
          }
        }, timeoutMs);
      }
    });
  };
}
