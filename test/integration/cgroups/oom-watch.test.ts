// The OOM notification fd behind `events`: v1 eventfd on memory.oom_control (through
// cgroup.event_control), v2 inotify on memory.events. A real process is OOM-killed; the fd
// becomes readable and take() counts it; removing the cgroup ends the watch. Needs root.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectHierarchies } from '../../../src/cgroups/detect.js';
import { createCgroupManager, type CgroupManager } from '../../../src/cgroups/manager.js';
import { watchOom, type OomWatch } from '../../../src/cgroups/oom.js';
import { V2Manager } from '../../../src/cgroups/v2/manager.js';
import { POLLIN } from '../../../src/linux/constants.js';
import { poll } from '../../../src/linux/libc.js';

const h = detectHierarchies();
const isRoot = process.getuid?.() === 0;
const unified = h.unified?.mountpoint;
const v2Memory = unified !== undefined && readFileSync(join(unified, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('memory');

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A shell that waits for a line on stdin, then runs `script`; resolves with its exit signal. */
function held(script: string): { child: ChildProcess; release: () => void; done: Promise<string | null> } {
  const child = spawn('sh', ['-c', `read _ready; ${script}`], { stdio: ['pipe', 'ignore', 'ignore'] });
  cleanups.push(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
  return { child, release: () => child.stdin?.write('go\n'), done: new Promise((r) => child.on('exit', (_c, s) => r(s))) };
}

function readable(w: OomWatch, timeoutMs: number): boolean {
  return ((poll([w.fd], POLLIN, timeoutMs)[0] ?? 0) & POLLIN) !== 0;
}

async function oomThenRemove(m: CgroupManager): Promise<void> {
  const w = watchOom(m);
  if (!w) throw new Error('no memory controller for the watch');
  cleanups.push(() => w.close());
  expect(readable(w, 0)).toBe(false);
  expect(w.take()).toEqual({ ooms: 0, gone: false });
  const p = held('exec tail /dev/zero');
  m.addProcess(p.child.pid ?? -1);
  p.release();
  expect(await p.done).toBe('SIGKILL');
  expect(readable(w, 5000)).toBe(true);
  const news = w.take();
  expect(news.gone).toBe(false);
  expect(news.ooms).toBeGreaterThanOrEqual(1);
  m.destroy();
  // v1 signals the removal through the eventfd; v2 has no more memory.events to read.
  if (m.version === 1) expect(readable(w, 5000)).toBe(true);
  expect(w.take()).toEqual({ ooms: 0, gone: true });
}

describe.skipIf(!isRoot || !h.v1.has('memory'))('v1: eventfd on memory.oom_control', () => {
  it('wakes on an OOM kill, counts it, and ends when the cgroup is removed', async () => {
    const m = createCgroupManager({ cgroupsPath: `/ocirun-oomw-${process.pid}`, id: 'x' });
    m.create();
    cleanups.push(() => m.exists() && (m.killAll(9), m.destroy()));
    m.apply({ memory: { limit: 16 << 20, swap: 16 << 20 } });
    await oomThenRemove(m);
  });
});

describe.skipIf(!isRoot || !v2Memory)('v2: inotify on memory.events', () => {
  it('wakes on an OOM kill, counts it, and ends when the cgroup is removed', async () => {
    const mount = unified ?? '';
    const m = new V2Manager(`/ocirun-oomw2-${process.pid}`, join(mount, `ocirun-oomw2-${process.pid}`), mount);
    m.create();
    cleanups.push(() => m.exists() && (m.killAll(9), m.destroy()));
    m.apply({ memory: { limit: 16 << 20, swap: 16 << 20 } });
    await oomThenRemove(m);
  });
});
