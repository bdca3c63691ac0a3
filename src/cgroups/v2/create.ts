import { posix } from 'node:path';
import { dirExists, readOptional, writeCgroupFile } from '../fs.js';
import type { CgroupWrite } from '../plan.js';

// Creating a v2 cgroup: a controller's files appear in a cgroup only when its parent lists the
// controller in cgroup.subtree_control, so every ancestor from the mount point down enables
// what it can (cgroup-v2.rst "Enabling and Disabling").

/**
 * Enables `wanted` controllers (all available ones when undefined) in every ancestor of `dir`.
 * A refusal is left for apply() to report: it knows which setting needed the controller. The
 * kernel refuses, for instance, when an ancestor holds processes itself.
 */
export function enableControllersV2(mountpoint: string, dir: string, wanted?: readonly string[]): void {
  let current = mountpoint;
  for (const part of posix.relative(mountpoint, dir).split('/').filter((p) => p !== '')) {
    enableIn(current, wanted);
    current = posix.join(current, part);
  }
}

function words(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter((w) => w !== '');
}

function enableIn(dir: string, wanted: readonly string[] | undefined): void {
  const available = words(readOptional(dir, 'cgroup.controllers'));
  const enabled = new Set(words(readOptional(dir, 'cgroup.subtree_control')));
  const missing = available.filter((c) => !enabled.has(c) && (wanted === undefined || wanted.includes(c)));
  if (missing.length === 0) return;
  try {
    writeCgroupFile(dir, 'cgroup.subtree_control', missing.map((c) => `+${c}`).join(' '));
  } catch {
    // All at once failed: take what can be taken one by one.
    for (const c of missing) {
      try {
        writeCgroupFile(dir, 'cgroup.subtree_control', `+${c}`);
      } catch {
        // Reported by apply() when a setting needs it.
      }
    }
  }
}

/** The controllers a cgroup's own files exist for. */
export function controllersOf(dir: string): Set<string> {
  return new Set(words(readOptional(dir, 'cgroup.controllers')));
}

/** A v2 file is missing when its controller is not enabled here: say so rather than "no such file". */
export function explainMissingControllers(dir: string, writes: readonly CgroupWrite[]): CgroupWrite[] {
  const enabled = controllersOf(dir);
  return writes.map((w) => {
    const controller = w.file.slice(0, w.file.indexOf('.'));
    if (controller === 'cgroup' || enabled.has(controller) || !dirExists(dir)) return w;
    return { ...w, lacks: `the cgroup v2 "${controller}" controller is not enabled for ${dir}` };
  });
}
