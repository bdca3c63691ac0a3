// The systemd cgroup driver (--systemd-cgroup) in the cgroup v2 + systemd guest: each container is
// a transient scope with Delegate=yes and the properties systemd knows, its limits are in the
// scope's cgroup files, update/pause/resume/events/ps/kill/delete go through the same unit, a
// container keeps its driver without the flag, and runc, the reference, makes the same unit.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LinuxResources, Spec } from '../../../src/spec/types.js';
import { baseSpec, Sandbox, uniqueId, waitFor, writeBundle, type Result, type RunOptions } from '../../support/ocirun.js';
import { cgroupFile, cgroupOf, systemctl, unitKnown, unitProps } from './support.js';

const MiB = 1024 * 1024;

/** Under emulation, on a loaded machine, one ocirun command can take far longer than the host suite's 20 s. */
class GuestSandbox extends Sandbox {
  override run(args: string[], opts: RunOptions = {}): Result {
    return super.run(args, { timeoutMs: 240_000, ...opts });
  }
}

const sb = new GuestSandbox('guest-systemd');
const extraUnits: string[] = [];
afterEach(() => {
  expect(sb.cleanup()).toEqual([]);
});
afterAll(() => {
  for (const u of extraUnits.splice(0)) spawnSync('systemctl', ['stop', u]);
  sb.destroy();
});

function spec(resources: LinuxResources = {}, cgroupsPath?: string, args = ['sleep', '1000']): Spec {
  const s = baseSpec(args);
  s.linux = { ...s.linux, resources: { ...s.linux?.resources, ...resources }, ...(cgroupsPath !== undefined ? { cgroupsPath } : {}) };
  return s;
}

/** Creates with --systemd-cgroup in system.slice under a unique unit; returns the id, the unit and the init's pid. */
function created(s: Spec, id = uniqueId()): { id: string; unit: string; pid: number } {
  if (s.linux?.cgroupsPath === undefined) s.linux = { ...s.linux, cgroupsPath: `system.slice:ocirun-test:${id}` };
  sb.ok(['--systemd-cgroup', 'create', '--bundle', sb.bundle(s), id]);
  const [, prefix, name] = (s.linux.cgroupsPath as string).split(':');
  return { id, unit: `${prefix}-${name}.scope`, pid: sb.state(id).pid };
}

function stateRecord(id: string): { systemdUnit?: string; cgroupPath?: string } {
  return JSON.parse(readFileSync(join(sb.root, id, 'state.json'), 'utf8')) as { systemdUnit?: string };
}

describe('create', () => {
  it('makes prefix-name.scope in the slice, delegated, with the init in it and the limits systemd knows', () => {
    const resources: LinuxResources = {
      memory: { limit: 64 * MiB, reservation: 32 * MiB, swap: 96 * MiB },
      pids: { limit: 50 },
      cpu: { shares: 1024, quota: 50000, period: 100000, cpus: '0' },
      blockIO: { weight: 500 },
    };
    const { id, unit, pid } = created(spec(resources));
    const p = unitProps(unit, [
      'LoadState', 'ActiveState', 'Delegate', 'Slice', 'ControlGroup', 'MemoryMax', 'MemoryLow', 'MemorySwapMax', 'TasksMax',
      'CPUWeight', 'CPUQuotaPerSecUSec', 'CPUQuotaPeriodUSec', 'AllowedCPUs', 'IOWeight', 'DevicePolicy', 'DefaultDependencies', 'Description',
    ]);
    expect(p).toMatchObject({
      LoadState: 'loaded',
      ActiveState: 'active',
      Delegate: 'yes',
      Slice: 'system.slice',
      ControlGroup: `/system.slice/${unit}`,
      MemoryMax: String(64 * MiB),
      MemoryLow: String(32 * MiB),
      MemorySwapMax: String(32 * MiB),
      TasksMax: '50',
      CPUWeight: '39',
      CPUQuotaPerSecUSec: '500ms',
      CPUQuotaPeriodUSec: '100ms',
      AllowedCPUs: '0',
      IOWeight: '4950',
      DevicePolicy: 'strict',
      DefaultDependencies: 'no',
      Description: `ocirun container ${id}`,
    });
    expect(cgroupOf(pid)).toBe(`/system.slice/${unit}`);
    const dir = `/system.slice/${unit}`;
    expect(cgroupFile(dir, 'memory.max')).toBe(String(64 * MiB));
    expect(cgroupFile(dir, 'memory.swap.max')).toBe(String(32 * MiB));
    expect(cgroupFile(dir, 'pids.max')).toBe('50');
    expect(cgroupFile(dir, 'cpu.max')).toBe('50000 100000');
    expect(cgroupFile(dir, 'cpuset.cpus')).toBe('0');
    expect(stateRecord(id)).toMatchObject({ systemdUnit: unit, cgroupPath: dir });
    // The container sees its own limits at its cgroup namespace's root.
    sb.ok(['start', id]);
    expect(sb.ok(['exec', id, 'cat', '/sys/fs/cgroup/memory.max', '/proc/self/cgroup']).split('\n')).toEqual([String(64 * MiB), '0::/', '']);
  });

  it('defaults an empty cgroupsPath to system.slice/ocirun-<id>.scope', () => {
    const id = uniqueId();
    sb.ok(['--systemd-cgroup', 'create', '--bundle', sb.bundle(spec()), id]);
    expect(cgroupOf(sb.state(id).pid)).toBe(`/system.slice/ocirun-${id}.scope`);
    expect(unitProps(`ocirun-${id}.scope`, ['Delegate']).Delegate).toBe('yes');
  });

  it('expands a nested slice as systemd does', () => {
    const top = `ocirunt${process.pid}`;
    extraUnits.push(`${top}.slice`);
    const { pid, unit } = created(spec({}, `${top}-pods.slice:p:${uniqueId()}`));
    expect(cgroupOf(pid)).toBe(`/${top}.slice/${top}-pods.slice/${unit}`);
    expect(unitProps(unit, ['Slice']).Slice).toBe(`${top}-pods.slice`);
  });

  it('passes org.systemd.property.* annotations as unit properties, Sec converted to USec', () => {
    const s = spec();
    s.annotations = { 'org.systemd.property.TimeoutStopSec': '17', 'org.systemd.property.CollectMode': "'inactive-or-failed'", 'org.systemd.property.CPUWeight': 'uint64 77' };
    const { unit } = created(s);
    expect(unitProps(unit, ['TimeoutStopUSec', 'CollectMode', 'CPUWeight'])).toEqual({ TimeoutStopUSec: '17s', CollectMode: 'inactive-or-failed', CPUWeight: '77' });
  });

  it('makes the same unit as runc for the same config', { timeout: 600_000 }, () => {
    const dir = join(sb.dir, uniqueId('runc'));
    const root = join(dir, 'state');
    const bundle = writeBundle(dir, spec({ memory: { limit: 48 * MiB }, pids: { limit: 30 } }, `system.slice:runc-ref:${process.pid}`));
    const runcId = uniqueId('runc');
    // stderr to a file: the created container's init keeps it open, a pipe would never end.
    const errFile = join(dir, 'runc.stderr');
    const errFd = openSync(errFile, 'w');
    const r = spawnSync('runc', ['--root', root, '--systemd-cgroup', 'create', '--bundle', bundle, runcId], { stdio: ['ignore', 'ignore', errFd], timeout: 240_000 });
    closeSync(errFd);
    try {
      expect(r.status, readFileSync(errFile, 'utf8')).toBe(0);
      const { unit } = created(spec({ memory: { limit: 48 * MiB }, pids: { limit: 30 } }));
      const props = ['Delegate', 'Slice', 'MemoryMax', 'TasksMax', 'DefaultDependencies', 'MemoryAccounting', 'TasksAccounting', 'CPUAccounting', 'IOAccounting'];
      expect(unitProps(unit, props)).toEqual(unitProps(`runc-ref-${process.pid}.scope`, props));
    } finally {
      spawnSync('runc', ['--root', root, 'delete', '--force', runcId]);
      rmSync(dir, { recursive: true, force: true });
    }
    expect(unitKnown(`runc-ref-${process.pid}.scope`)).toBe(false);
  });
});

describe('errors', () => {
  function refused(s: Spec): string {
    const id = uniqueId();
    const r = sb.run(['--systemd-cgroup', 'create', '--bundle', sb.bundle(s), id]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(sb.run(['state', id]).stderr).toMatch(/does not exist/);
    // The message as written, without the log line's quoting.
    return r.stderr.replace(/\\"/g, '"');
  }

  it('refuses a cgroupsPath that is not slice:prefix:name, and a bad annotation, before any unit exists', () => {
    expect(refused(spec({}, '/ocirun/x'))).toMatch(/linux\.cgroupsPath "\/ocirun\/x": with --systemd-cgroup it must be "slice:prefix:name"/);
    expect(refused(spec({}, 'a/b.slice:p:n'))).toMatch(/linux\.cgroupsPath .*invalid slice name/);
    const s = spec();
    s.annotations = { 'org.systemd.property.TimeoutStopSec': "'soon'" };
    expect(refused(s)).toMatch(/annotation org\.systemd\.property\.TimeoutStopSec: a number of seconds expected/);
  });

  it('names the unit when systemd refuses a property, and leaves no unit', () => {
    const s = spec({}, `system.slice:ocirun-test:${uniqueId()}`);
    s.annotations = { 'org.systemd.property.NoSuchProperty': '1' };
    const unit = `ocirun-test-${(s.linux?.cgroupsPath as string).split(':')[2]}.scope`;
    expect(refused(s)).toMatch(new RegExp(`systemd refused to create ${unit.replace(/\./g, '\\.')}: `));
    expect(unitKnown(unit)).toBe(false);
  });

  it('names the unit when its start job fails, and leaves no unit', () => {
    const dep = `ocirun-fail-${process.pid}.service`;
    mkdirSync('/run/systemd/system', { recursive: true });
    writeFileSync(`/run/systemd/system/${dep}`, '[Service]\nType=oneshot\nExecStart=/bin/false\n');
    systemctl('daemon-reload');
    try {
      const s = spec({}, `system.slice:ocirun-test:${uniqueId()}`);
      s.annotations = { 'org.systemd.property.Requires': `['${dep}']`, 'org.systemd.property.After': `['${dep}']` };
      const unit = `ocirun-test-${(s.linux?.cgroupsPath as string).split(':')[2]}.scope`;
      expect(refused(s)).toMatch(new RegExp(`systemd could not start ${unit.replace(/\./g, '\\.')}: its job ended "dependency"`));
      expect(unitKnown(unit)).toBe(false);
    } finally {
      rmSync(`/run/systemd/system/${dep}`, { force: true });
      spawnSync('systemctl', ['reset-failed', dep]);
      systemctl('daemon-reload');
    }
  });
});

describe('commands on a systemd container', () => {
  it('update changes the unit and the files, and systemd keeps the new limits', () => {
    const { id, unit } = created(spec({ memory: { limit: 64 * MiB }, pids: { limit: 50 } }));
    sb.ok(['start', id]);
    sb.ok(['--systemd-cgroup', 'update', '--memory', '128m', '--pids-limit', '20', '--cpu-quota', '20000', id]);
    expect(unitProps(unit, ['MemoryMax', 'TasksMax', 'CPUQuotaPerSecUSec'])).toEqual({ MemoryMax: String(128 * MiB), TasksMax: '20', CPUQuotaPerSecUSec: '200ms' });
    // Without the flag too: the container was created with it.
    sb.ok(['update', '--memory', '96m', id]);
    expect(unitProps(unit, ['MemoryMax']).MemoryMax).toBe(String(96 * MiB));
    // systemd re-applies what it knows on a reload: the files must keep the updated values.
    systemctl('daemon-reload');
    const dir = `/system.slice/${unit}`;
    expect(cgroupFile(dir, 'memory.max')).toBe(String(96 * MiB));
    expect(cgroupFile(dir, 'pids.max')).toBe('20');
    expect(cgroupFile(dir, 'cpu.max')).toBe('20000 100000');
  });

  it('pause, resume, ps, events and kill --all work on the scope; delete stops the unit and removes it', async () => {
    const { id, unit, pid } = created(spec());
    sb.ok(['start', id]);
    const dir = `/system.slice/${unit}`;
    sb.ok(['pause', id]);
    expect(sb.state(id).status).toBe('paused');
    expect(cgroupFile(dir, 'cgroup.freeze')).toBe('1');
    sb.ok(['resume', id]);
    expect(sb.state(id).status).toBe('running');
    expect(sb.ok(['ps', '--format', 'json', id]).trim()).toBe(`[${pid}]`);
    const stats = JSON.parse(sb.ok(['events', '--stats', id])) as { type: string; data: { pids: { current: number } } };
    expect(stats.type).toBe('stats');
    expect(stats.data.pids.current).toBe(1);
    sb.ok(['kill', '--all', id, 'KILL']);
    expect(await waitFor(() => sb.state(id).status === 'stopped', 180_000, 100)).toBe(true);
    sb.ok(['delete', id]);
    expect(unitKnown(unit)).toBe(false);
    expect(cgroupFile(dir, 'cgroup.procs')).toBeUndefined();
  });

  it('state, kill and delete without the flag keep using the unit; a paused container deletes', () => {
    const { id, unit } = created(spec());
    sb.ok(['start', id]);
    sb.ok(['pause', id]);
    expect(sb.state(id).status).toBe('paused');
    sb.ok(['delete', '--force', id]);
    expect(unitKnown(unit)).toBe(false);
  });

  it('run in the foreground exits with the process code and leaves no unit', () => {
    const id = uniqueId();
    const r = sb.run(['--systemd-cgroup', 'run', '--bundle', sb.bundle(spec({}, `system.slice:ocirun-test:${id}`, ['sh', '-c', 'cat /proc/self/cgroup; exit 7'])), id]);
    expect(r.status).toBe(7);
    expect(r.stdout).toBe('0::/\n');
    expect(unitKnown(`ocirun-test-${id}.scope`)).toBe(false);
  });

  it('an OOM-killed container (a failed scope) is deleted with its unit', () => {
    const id = uniqueId();
    const s = spec({ memory: { limit: 16 * MiB, swap: 16 * MiB } }, `system.slice:ocirun-test:${id}`, ['sh', '-c', 'tail /dev/zero']);
    const r = sb.run(['--systemd-cgroup', 'run', '--bundle', sb.bundle(s), id]);
    expect(r.status).toBe(137);
    expect(unitKnown(`ocirun-test-${id}.scope`)).toBe(false);
  });
});
