import type { CgroupWrite } from '../plan.js';
import { CgroupResourceError } from '../plan.js';

// config-linux.md "Unified": each key is a file of the cgroup's directory, written as given.
// A multi-line value (io.max for several devices) is written one line per write, since the
// kernel parses one entry per write.

export function planUnified(unified: Readonly<Record<string, string>> | undefined): CgroupWrite[] {
  const writes: CgroupWrite[] = [];
  for (const [key, value] of Object.entries(unified ?? {})) {
    const field = `linux.resources.unified.${key}`;
    if (key.includes('/') || key === '.' || key === '..') {
      throw new CgroupResourceError(field, 'must be a file name in the cgroup directory (no slashes)');
    }
    if (!/^[^.]+\..+/.test(key)) throw new CgroupResourceError(field, 'must have the form <controller>.<file>');
    const lines = value.split('\n').filter((l) => l !== '');
    for (const line of lines.length > 0 ? lines : ['']) writes.push({ field, file: key, value: line });
  }
  return writes;
}

/** The controller a unified key belongs to: "memory" for "memory.high", "cgroup" for core files. */
export function unifiedKeyController(key: string): string {
  return key.slice(0, key.indexOf('.'));
}
