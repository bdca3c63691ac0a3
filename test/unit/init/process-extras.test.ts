// Planning of process.scheduler, linux.memoryPolicy and the CPU/node lists: pure, no root.
import { describe, expect, it } from 'vitest';
import { planAffinity } from '../../../src/init/affinity-plan.js';
import { idMask, parseIdList } from '../../../src/init/id-list.js';
import { planMemoryPolicy, planScheduler } from '../../../src/init/process-extras.js';

describe('CPU and node lists', () => {
  it.each([
    ['0-3,7', [0, 1, 2, 3, 7]],
    [' 1 , 0 ', [0, 1]],
    ['', []],
    ['5-5,5', [5]],
  ])('%j is %j', (text, ids) => expect(parseIdList(text, 'f')).toEqual(ids));

  it.each([
    ['3-1', 'f: range "3-1" ends before it starts'],
    ['0,,1', 'f: "0,,1" has an empty element'],
    ['a', 'f: "a" is not a number or a range'],
    ['9000', 'f: 9000 is beyond the largest CPU or node number'],
  ])('%j is refused', (text, message) => expect(() => parseIdList(text, 'f')).toThrow(message));

  it('masks are whole 64-bit words, one bit per id', () => {
    expect(idMask([0, 9])).toEqual(Buffer.from([0x01, 0x02, 0, 0, 0, 0, 0, 0]));
    expect(idMask([64]).length).toBe(16);
    expect(idMask([]).length).toBe(0);
  });
});

describe('process.scheduler', () => {
  it('maps policy, flags and the deadline triple', () => {
    expect(planScheduler({ policy: 'SCHED_DEADLINE', runtime: 1e6, deadline: 2e6, period: 3e6, flags: ['SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_DL_OVERRUN'] }))
      .toMatchObject({ policy: 6, flags: 5n, runtime: 1000000n, deadline: 2000000n, period: 3000000n });
    expect(planScheduler({ policy: 'SCHED_BATCH', nice: -3 })).toMatchObject({ policy: 3, nice: -3, priority: 0, label: 'SCHED_BATCH nice -3' });
    expect(planScheduler({ policy: 'SCHED_RR', priority: 99 })).toMatchObject({ policy: 2, priority: 99 });
  });

  it.each([
    [{ policy: 'SCHED_OTHER', nice: 20 }, 'process.scheduler.nice: 20 is out of range'],
    [{ policy: 'SCHED_FIFO', priority: 100 }, 'process.scheduler.priority: SCHED_FIFO needs a priority from 1 to 99'],
    [{ policy: 'SCHED_IDLE', runtime: 5 }, 'runtime, deadline and period apply to SCHED_DEADLINE only'],
    [{ policy: 'SCHED_OTHER', flags: ['SCHED_FLAG_X'] }, 'process.scheduler.flags: unknown flag "SCHED_FLAG_X"'],
  ] as const)('%j is refused', (s, message) => {
    expect(() => planScheduler(s as Parameters<typeof planScheduler>[0])).toThrow(message);
  });
});

describe('linux.memoryPolicy', () => {
  const host = () => [0, 1];
  it('or\'s the flags into the mode and masks the nodes', () => {
    const p = planMemoryPolicy({ mode: 'MPOL_INTERLEAVE', nodes: '0-1', flags: ['MPOL_F_STATIC_NODES'] }, host);
    expect(p.mode).toBe(3 | (1 << 15));
    expect(p.mask[0]).toBe(3);
    expect(planMemoryPolicy({ mode: 'MPOL_LOCAL' }, host)).toMatchObject({ mode: 4, mask: Buffer.alloc(0) });
    expect(planMemoryPolicy({ mode: 'MPOL_PREFERRED', nodes: '' }, host).mode).toBe(1);
  });

  it('relative nodes are not node numbers: no host check', () => {
    expect(planMemoryPolicy({ mode: 'MPOL_BIND', nodes: '5', flags: ['MPOL_F_RELATIVE_NODES'] }, host).mode).toBe(2 | (1 << 14));
  });

  it.each([
    [{ mode: 'MPOL_BIND', nodes: '1-2' }, 'linux.memoryPolicy.nodes: this host has no memory node 2 (online nodes: 0,1)'],
    [{ nodes: '0' }, 'linux.memoryPolicy.mode: required'],
    [{ mode: 'MPOL_PREFERRED_MANY' }, 'MPOL_PREFERRED_MANY needs at least one node'],
    [{ mode: 'MPOL_DEFAULT', nodes: '0' }, 'MPOL_DEFAULT takes no nodes'],
    [{ mode: 'MPOL_LOCAL', flags: ['MPOL_F_NUMA_BALANCING', 'MPOL_F_X'] }, 'linux.memoryPolicy.flags: unknown flag "MPOL_F_X"'],
  ] as const)('%j is refused', (p, message) => {
    expect(() => planMemoryPolicy(p as Parameters<typeof planMemoryPolicy>[0], host)).toThrow(message);
  });
});

describe('process.execCPUAffinity', () => {
  it('empty lists are absent, and without either the affinity is reset', () => {
    expect(planAffinity(undefined)).toEqual({ reset: true });
    expect(planAffinity({ initial: '', final: ' ' })).toEqual({ reset: true });
    expect(planAffinity({ initial: '1' })).toEqual({ reset: false, initial: idMask([1]) });
    expect(planAffinity({ final: '0-1' })).toEqual({ reset: false, final: idMask([0, 1]) });
  });
});
