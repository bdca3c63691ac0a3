// exec's plan: the process part is the init's (one builder, init/process-plan.ts), plus the
// CPU affinity exec applies around its fork. Pure, no root.
import { describe, expect, it } from 'vitest';
import { buildExecPlan } from '../../../src/exec/plan.js';
import { idMask } from '../../../src/init/id-list.js';
import { buildInitPlan } from '../../../src/init/plan.js';
import type { Process } from '../../../src/spec/types.js';

const proc: Process = {
  cwd: '/srv',
  args: ['sleep', '1'],
  env: ['PATH=/bin'],
  user: { uid: 5, gid: 6, additionalGids: [7], umask: 0o27 },
  noNewPrivileges: true,
  oomScoreAdj: 10,
  rlimits: [{ type: 'RLIMIT_NOFILE', soft: 10, hard: 20 }],
  ioPriority: { class: 'IOPRIO_CLASS_IDLE' },
};

describe('buildExecPlan', () => {
  it('plans the process exactly as the init plans its own', () => {
    const init = buildInitPlan(
      { ociVersion: '1.2.0', root: { path: 'rootfs' }, process: proc, linux: { namespaces: [{ type: 'mount' }], personality: { domain: 'LINUX32' } } },
      { bundle: '/b', noPivot: false, noNewKeyring: false, preserveFds: 2, isDirectory: () => true },
    );
    const { affinity, ...exec } = buildExecPlan(proc, 2, { linux: { personality: { domain: 'LINUX32' } } });
    expect(exec).toEqual({
      uid: init.uid, gid: init.gid, additionalGids: init.additionalGids, umask: init.umask, cwd: init.cwd, args: init.args, env: init.env,
      noNewPrivileges: init.noNewPrivileges, rlimits: init.rlimits, oomScoreAdj: init.oomScoreAdj, preserveFds: init.preserveFds, extras: init.extras,
    });
    expect(exec).toMatchObject({ uid: 5, gid: 6, umask: 0o27, cwd: '/srv', rlimits: [{ soft: 10n, hard: 20n }], extras: { personality: 8, ioPriority: { ioClass: 3, level: 0 } } });
    expect(affinity).toEqual({ reset: true });
  });

  it('wants args and an absolute cwd (runc\'s validateProcessSpec)', () => {
    expect(() => buildExecPlan({ cwd: '/' }, 0)).toThrow(/^process\.args: must name the program to run/);
    expect(() => buildExecPlan({ cwd: 'x', args: ['a'] }, 0)).toThrow(/^process\.cwd: must be an absolute path, got "x"$/);
    expect(() => buildExecPlan({ cwd: '', args: ['a'] }, 0)).toThrow(/^process\.cwd: must be an absolute path, got ""$/);
  });

  it('refuses ids a set*id call would take for "unchanged"', () => {
    expect(() => buildExecPlan({ cwd: '/', args: ['a'], user: { uid: 4294967295, gid: 0 } }, 0)).toThrow(
      /^process\.user\.uid: 4294967295 is out of range: user and group ids must be from 0 to 2147483647$/,
    );
    expect(() => buildExecPlan({ cwd: '/', args: ['a'], user: { uid: 0, gid: 0, additionalGids: [1, 4294967295] } }, 0)).toThrow(/^process\.user\.additionalGids\[1\]: /);
  });

  it('refuses what create refuses in a process: duplicate rlimits and Windows-only fields', () => {
    const nofile = { type: 'RLIMIT_NOFILE', soft: 1, hard: 1 };
    expect(() => buildExecPlan({ cwd: '/', args: ['a'], rlimits: [nofile, nofile] }, 0)).toThrow(/^process\.rlimits\[1\]\.type: duplicate rlimit "RLIMIT_NOFILE"/);
    expect(() => buildExecPlan({ cwd: '/', args: ['a'], commandLine: 'a' }, 0)).toThrow(/^process\.commandLine: is Windows-only/);
  });

  it('plans execCPUAffinity as masks and refuses a bad list naming the field', () => {
    expect(buildExecPlan({ cwd: '/', args: ['a'], execCPUAffinity: { initial: '1', final: '0-1' } }, 0).affinity).toEqual({ reset: false, initial: idMask([1]), final: idMask([0, 1]) });
    expect(() => buildExecPlan({ cwd: '/', args: ['a'], execCPUAffinity: { final: '3-1' } }, 0)).toThrow(/^process\.execCPUAffinity\.final: range "3-1" ends before it starts$/);
  });
});
