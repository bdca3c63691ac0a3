// process.scheduler, linux.memoryPolicy and process.execCPUAffinity, read back from /proc inside
// the container (init and exec), and their error paths: one line naming the field, exit 1,
// nothing left behind.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Process, Spec } from '../../src/spec/types.js';
import { baseSpec, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('scheduling');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

// /proc/self/sched: "policy : 3"; /proc/self/stat field 19 is the nice value.
const SHOW = 'grep -E "^policy" /proc/self/sched | tr -s " "; cut -d" " -f19 /proc/self/stat; grep Cpus_allowed_list /proc/self/status';

function withProcess(extra: Partial<Process>, args = ['sh', '-c', SHOW]): Spec {
  const spec = baseSpec(args);
  spec.process = { ...spec.process!, ...extra, args };
  return spec;
}

function running(spec: Spec): string {
  const id = sb.create(spec);
  sb.ok(['start', id]);
  return id;
}

function expectRefused(spec: Spec, message: string | RegExp, command: 'create' | 'run' = 'create'): void {
  const id = uniqueId();
  const r = sb.run([command, '--bundle', sb.bundle(spec), id]);
  expect(r.status, r.stdout).toBe(1);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  // The log line quotes its message: \" inside it is a quote of the message's own.
  expect(r.stderr.replaceAll('\\"', '"')).toMatch(message);
  expect(sb.run(['state', id]).status).toBe(1);
}

describe('process.scheduler', () => {
  it('SCHED_BATCH with nice 7 is the init\'s policy and nice', () => {
    const r = sb.run(['run', '--bundle', sb.bundle(withProcess({ scheduler: { policy: 'SCHED_BATCH', nice: 7 } })), uniqueId()]);
    expect(r.status, r.stderr).toBe(0);
    const [policy, nice] = r.stdout.split('\n');
    expect(policy).toBe('policy : 3');
    expect(nice).toBe('7');
  });

  it('SCHED_FIFO priority 10 runs real-time under the cgroup\'s rt budget', () => {
    const spec = withProcess({ scheduler: { policy: 'SCHED_FIFO', priority: 10 } }, ['sh', '-c', 'grep -E "^policy" /proc/self/sched | tr -s " "; cut -d" " -f18 /proc/self/stat']);
    spec.linux = { ...spec.linux, resources: { ...spec.linux?.resources, cpu: { realtimeRuntime: 10000, realtimePeriod: 1000000 } } };
    const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
    expect(r.status, r.stderr).toBe(0);
    // stat's priority field for a real-time task is -1 - rt_priority.
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['policy : 1', '-11']);
  });

  it('SCHED_IDLE from config.json applies to exec, and exec --process brings its own policy', () => {
    const id = running(withProcess({ scheduler: { policy: 'SCHED_IDLE' } }, ['sleep', '60']));
    expect(sb.ok(['exec', id, 'sh', '-c', SHOW]).split('\n')[0]).toBe('policy : 5');
    const file = join(sb.dir, `${id}.process.json`);
    writeFileSync(file, JSON.stringify({ cwd: '/', env: ['PATH=/bin'], args: ['sh', '-c', SHOW], scheduler: { policy: 'SCHED_BATCH', nice: 3 } }));
    const [policy, nice] = sb.ok(['exec', '--process', file, id]).split('\n');
    expect([policy, nice]).toEqual(['policy : 3', '3']);
  });

  it.each([
    [{ policy: 'SCHED_ISO' }, /process\.scheduler\.policy: "SCHED_ISO" does not exist in Linux/],
    [{ policy: 'SCHED_OTHER', priority: 5 }, /process\.scheduler\.priority: only SCHED_FIFO and SCHED_RR take a priority/],
    [{ policy: 'SCHED_RR' }, /process\.scheduler\.priority: SCHED_RR needs a priority from 1 to 99/],
    [{ policy: 'SCHED_DEADLINE' }, /process\.scheduler: SCHED_DEADLINE needs runtime and deadline/],
  ] as const)('%j is refused by name and leaves nothing', (scheduler, message) => {
    expectRefused(withProcess({ scheduler: scheduler as Process['scheduler'] }), message);
  });

  it('a policy the kernel refuses fails create with the field and the kernel\'s reason', () => {
    // Without an rt budget in its cpu cgroup the kernel refuses a real-time policy.
    expectRefused(withProcess({ scheduler: { policy: 'SCHED_RR', priority: 1 } }), /process\.scheduler \(SCHED_RR priority 1\): sched_setattr\(.*\): operation not permitted/);
  });
});

describe('linux.memoryPolicy', () => {
  it('MPOL_BIND to node 0 is the policy of every mapping, in the init and in exec', () => {
    const spec = withProcess({}, ['sleep', '60']);
    spec.linux = { ...spec.linux, memoryPolicy: { mode: 'MPOL_BIND', nodes: '0' } };
    const id = sb.create(spec);
    // The waiting init (at the start gate) has its policy already.
    expect(readFileSync(`/proc/${sb.state(id).pid}/numa_maps`, 'utf8')).toContain(' bind:0');
    sb.ok(['start', id]);
    const exec = sb.ok(['exec', id, 'sh', '-c', 'grep -c " bind:0" /proc/self/numa_maps; grep -vc " bind:0" /proc/self/numa_maps || true']);
    expect(exec.split('\n').slice(0, 2).map(Number)).toEqual([expect.any(Number), 0]);
    expect(Number(exec.split('\n')[0])).toBeGreaterThan(0);
  });

  it('MPOL_INTERLEAVE with MPOL_F_STATIC_NODES shows as interleave=static:0', () => {
    const spec = withProcess({}, ['cat', '/proc/self/numa_maps']);
    spec.linux = { ...spec.linux, memoryPolicy: { mode: 'MPOL_INTERLEAVE', nodes: '0', flags: ['MPOL_F_STATIC_NODES'] } };
    const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).toMatch(/^[0-9a-f]+ interleave=static:0( |$)/);
  });

  it.each([
    [{ mode: 'MPOL_BIND', nodes: '7' }, /linux\.memoryPolicy\.nodes: this host has no memory node 7 \(online nodes: 0\)/],
    [{ mode: 'MPOL_BIND' }, /linux\.memoryPolicy\.nodes: MPOL_BIND needs at least one node/],
    [{ mode: 'MPOL_LOCAL', nodes: '0' }, /linux\.memoryPolicy\.nodes: MPOL_LOCAL takes no nodes/],
    [{ mode: 'MPOL_BIND', nodes: '0', flags: ['MPOL_F_STATIC_NODES', 'MPOL_F_RELATIVE_NODES'] }, /exclude each other/],
    [{ mode: 'MPOL_BIND', nodes: '0-x' }, /linux\.memoryPolicy\.nodes: "0-x" is not a number or a range/],
  ] as const)('%j is refused by name and leaves nothing', (policy, message) => {
    const spec = baseSpec();
    spec.linux = { ...spec.linux, memoryPolicy: policy as NonNullable<Spec['linux']>['memoryPolicy'] };
    expectRefused(spec, message);
  });
});

describe('process.execCPUAffinity', () => {
  it('initial is the exec\'d process\'s affinity when final is not given', () => {
    const id = running(withProcess({ execCPUAffinity: { initial: '1' } }, ['sleep', '60']));
    expect(sb.ok(['exec', id, 'grep', 'Cpus_allowed_list', '/proc/self/status'])).toBe('Cpus_allowed_list:\t1\n');
  });

  it('final replaces initial after the move into the cgroup; the init keeps every CPU', () => {
    const id = running(withProcess({ execCPUAffinity: { initial: '1', final: '0' } }, ['sleep', '60']));
    expect(sb.ok(['exec', id, 'grep', 'Cpus_allowed_list', '/proc/self/status'])).toBe('Cpus_allowed_list:\t0\n');
    const init = readFileSync(`/proc/${sb.state(id).pid}/status`, 'utf8');
    expect(init).toMatch(/Cpus_allowed_list:\t0-1\n/);
  });

  it('exec --process with its own execCPUAffinity overrides the container\'s', () => {
    const id = running(withProcess({ execCPUAffinity: { final: '0' } }, ['sleep', '60']));
    const file = join(sb.dir, `${id}.process.json`);
    writeFileSync(file, JSON.stringify({ cwd: '/', env: ['PATH=/bin'], args: ['grep', 'Cpus_allowed_list', '/proc/self/status'], execCPUAffinity: { final: '1' } }));
    expect(sb.ok(['exec', '--process', file, id])).toBe('Cpus_allowed_list:\t1\n');
  });

  it('a CPU list that is not one fails create by name and leaves nothing', () => {
    expectRefused(withProcess({ execCPUAffinity: { initial: '3-1' } }), /process\.execCPUAffinity\.initial: range "3-1" ends before it starts/);
  });

  it('a CPU the host lacks fails exec by name; the container runs on', () => {
    const id = running(withProcess({}, ['sleep', '60']));
    const file = join(sb.dir, `${id}.process.json`);
    writeFileSync(file, JSON.stringify({ cwd: '/', env: ['PATH=/bin'], args: ['true'], execCPUAffinity: { final: '63' } }));
    const r = sb.run(['exec', '--process', file, id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/process\.execCPUAffinity\.final: sched_setaffinity\(.*\): invalid argument/);
    expect(sb.state(id).status).toBe('running');
  });
});

describe('process.scheduler, deadline and flags', () => {
  it('SCHED_DEADLINE takes runtime, deadline and period; SCHED_FLAG_RESET_ON_FORK gives children SCHED_OTHER', () => {
    // A deadline task may not fork; with reset-on-fork its children start as SCHED_OTHER.
    const spec = withProcess(
      { scheduler: { policy: 'SCHED_DEADLINE', runtime: 2_000_000, deadline: 10_000_000, period: 20_000_000, flags: ['SCHED_FLAG_RESET_ON_FORK'] } },
      ['sh', '-c', 'grep -E "^policy" /proc/$$/sched | tr -s " "; grep -E "^policy" /proc/self/sched | tr -s " "'],
    );
    const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['policy : 6', 'policy : 0']);
  });

  it('a deadline triple the kernel refuses (runtime beyond deadline) reaches it and fails create by name', () => {
    // /proc shows only the remaining budget: the kernel's own check proves the values arrive.
    const scheduler = { policy: 'SCHED_DEADLINE', runtime: 30_000_000, deadline: 10_000_000, period: 40_000_000 } as const;
    expectRefused(withProcess({ scheduler }), /process\.scheduler \(SCHED_DEADLINE\): sched_setattr\(.*\): invalid argument/);
  });
});
