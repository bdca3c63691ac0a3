import { readOptional, sleepMs, writeCgroupFile } from '../fs.js';

// cgroup v1 freezer (kernel Documentation/admin-guide/cgroup-v1/freezer-subsystem.rst).
// Writing FROZEN can leave the cgroup in FREEZING while processes keep forking or joining;
// the write is repeated until the state settles, with an occasional thaw to let a racing
// fork finish (runc found the same empirically).

const ATTEMPTS = 1000;

export function freezeV1(dir: string): void {
  for (let i = 0; i < ATTEMPTS; i++) {
    if (i % 50 === 49) {
      writeCgroupFile(dir, 'freezer.state', 'THAWED');
      sleepMs(10);
    }
    writeCgroupFile(dir, 'freezer.state', 'FROZEN');
    const state = readOptional(dir, 'freezer.state');
    if (state === 'FROZEN') return;
    if (state !== 'FREEZING') throw new Error(`unexpected freezer.state ${JSON.stringify(state)} in ${dir} while freezing`);
  }
  writeCgroupFile(dir, 'freezer.state', 'THAWED');
  throw new Error(`unable to freeze ${dir}: its processes kept it in FREEZING`);
}

export function thawV1(dir: string): void {
  writeCgroupFile(dir, 'freezer.state', 'THAWED');
}

/** Frozen by itself, not only because an ancestor is (freezer.self_freezing). */
export function isFrozenV1(dir: string): boolean {
  for (let i = 0; i < 100; i++) {
    const state = readOptional(dir, 'freezer.state');
    if (state !== 'FREEZING') return state === 'FROZEN' && readOptional(dir, 'freezer.self_freezing') === '1';
    sleepMs(1);
  }
  return true;
}
