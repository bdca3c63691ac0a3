import { readOptional, sleepMs, writeCgroupFile } from '../fs.js';

// cgroup v2 freezer (cgroup-v2.rst "Core Interface Files": cgroup.freeze, cgroup.events).
// Writing 1 starts freezing; "frozen 1" in cgroup.events says every process has stopped.

const FREEZE_TIMEOUT_MS = 2000;

export function freezeV2(dir: string): void {
  writeCgroupFile(dir, 'cgroup.freeze', '1');
  const deadline = Date.now() + FREEZE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (/^frozen 1$/m.test(readOptional(dir, 'cgroup.events') ?? '')) return;
    sleepMs(1);
  }
  writeCgroupFile(dir, 'cgroup.freeze', '0');
  throw new Error(`unable to freeze ${dir}: not frozen after ${FREEZE_TIMEOUT_MS} ms`);
}

export function thawV2(dir: string): void {
  writeCgroupFile(dir, 'cgroup.freeze', '0');
}

export function isFrozenV2(dir: string): boolean {
  return readOptional(dir, 'cgroup.freeze') === '1';
}
