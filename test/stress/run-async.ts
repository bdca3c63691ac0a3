// Runs bin/ocirun without blocking the test's event loop, so many calls can race. Output goes to
// files, not pipes: a created container inherits create's stdio and would hold a pipe open.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OCIRUN, type Result } from '../support/ocirun.js';

let calls = 0;

export function ocirunAsync(root: string, scratch: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  calls += 1;
  const outPath = join(scratch, `out.${process.pid}.${calls}`);
  const errPath = join(scratch, `err.${process.pid}.${calls}`);
  const out = openSync(outPath, 'w');
  const err = openSync(errPath, 'w');
  const childEnv = { ...process.env, ...env };
  delete childEnv['NODE_OPTIONS'];
  delete childEnv['NODE_EXTRA_CA_CERTS'];
  return new Promise((resolve, reject) => {
    const child = spawn(OCIRUN, ['--root', root, ...args], { stdio: ['ignore', out, err], env: childEnv });
    closeSync(out);
    closeSync(err);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const result = { status: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15), stdout: readFileSync(outPath, 'utf8'), stderr: readFileSync(errPath, 'utf8') };
      rmSync(outPath, { force: true });
      rmSync(errPath, { force: true });
      resolve(result);
    });
  });
}
