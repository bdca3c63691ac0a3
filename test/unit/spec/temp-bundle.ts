// Throwaway bundle directories for tests that go through loadConfig.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Spec } from '../../../src/spec/types.js';

const created: string[] = [];

afterEach(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A bundle with an empty rootfs/ and the given config.json content (an object is serialised). */
export function tempBundle(config: unknown, { rootfs = true }: { rootfs?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'ocirun-spec-'));
  created.push(dir);
  if (rootfs) mkdirSync(join(dir, 'rootfs'));
  if (config !== undefined) {
    writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  }
  return dir;
}

/** The smallest config loadConfig accepts. */
export function minimalConfig(): Spec {
  return { ociVersion: '1.2.0', root: { path: 'rootfs' }, process: { cwd: '/', args: ['sh'] } };
}
