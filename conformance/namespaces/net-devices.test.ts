// config-linux.md "netDevices": one end of a host veth pair, with addresses, moved into the
// container's network namespace, renamed, its permanent global addresses kept, set up; the
// errors leave the device on the host as it was.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LinuxNetDevice, Spec } from '../../src/spec/types.js';
import { baseSpec, ROOTFS, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('netdev');
let serial = 0;
let dev = '';
let peer = '';

function ip(...args: string[]): { status: number; out: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return { status: r.status ?? 1, out: `${r.stdout}${r.stderr}` };
}

function must(...args: string[]): string {
  const r = ip(...args);
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.out.trim()}`);
  return r.out;
}

beforeEach(() => {
  serial += 1;
  dev = `ocv${process.pid}${serial}a`.slice(-15);
  peer = `ocv${process.pid}${serial}b`.slice(-15);
  must('link', 'add', dev, 'type', 'veth', 'peer', 'name', peer);
  must('addr', 'add', '10.213.7.2/24', 'dev', dev);
  must('-6', 'addr', 'add', 'fd42:7::2/64', 'dev', dev, 'nodad');
  must('link', 'set', dev, 'up');
});

afterEach(() => {
  expect(sb.cleanup()).toEqual([]);
  // A container's end goes with its namespace, the peer with it; after a refused create both are still here.
  ip('link', 'del', dev);
  ip('link', 'del', peer);
});
afterAll(() => sb.destroy());

function spec(devices: Record<string, LinuxNetDevice>, args = ['sleep', '100']): Spec {
  const s = baseSpec(args);
  s.linux = { ...s.linux, netDevices: devices };
  return s;
}

/** The device is back on the host (or never left) with its name, addresses and up flag. */
function expectOnHost(): void {
  const link = must('-o', 'link', 'show', dev);
  expect(link).toMatch(/[<,]UP[,>]/);
  const addrs = must('-o', 'addr', 'show', 'dev', dev);
  expect(addrs).toContain('inet 10.213.7.2/24');
  expect(addrs).toContain('inet6 fd42:7::2/64');
}


describe('linux.netDevices', () => {
  it('moves, renames, keeps the permanent global addresses and sets the device up', () => {
    const id = sb.create(spec({ [dev]: { name: 'ctr0' } }));
    expect(ip('link', 'show', dev).status).not.toBe(0);
    const inside = sb.ok(['exec', id, 'sh', '-c', 'ip -o link show ctr0; ip -o addr show dev ctr0']);
    expect(inside).toMatch(/^\d+: ctr0@\S+: <[^>]*\bUP\b[^>]*>/);
    expect(inside).toContain('inet 10.213.7.2/24');
    expect(inside).toContain('inet6 fd42:7::2/64');
    // It answers from the host through its peer.
    must('addr', 'add', '10.213.7.1/24', 'dev', peer);
    must('link', 'set', peer, 'up');
    // busybox's ping, the rootfs's static binary: the host has none.
    const ping = spawnSync(join(ROOTFS, 'bin/busybox'), ['ping', '-c', '1', '-W', '5', '10.213.7.2'], { encoding: 'utf8' });
    expect(ping.stdout).toMatch(/1 packets received/);
  });

  it('keeps the host name when no name is given; a %d template lets the kernel number it', () => {
    const id = sb.create(spec({ [dev]: {} }));
    expect(sb.ok(['exec', id, 'ip', '-o', 'link', 'show', dev])).toContain(`${dev}@`);
    must('link', 'del', peer); // the container's end goes with it
    serial += 1;
    const other = `ocv${process.pid}${serial}a`.slice(-15);
    must('link', 'add', other, 'type', 'veth', 'peer', 'name', `${other.slice(0, -1)}b`);
    try {
      const id2 = sb.create(spec({ [other]: { name: 'lo%d' } }));
      expect(sb.ok(['exec', id2, 'ip', '-o', 'link'])).toMatch(/^\d+: lo0@/m);
    } finally {
      ip('link', 'del', other);
    }
  });

  it('works for a container in a user namespace too (its network namespace belongs to that one)', () => {
    const s = spec({ [dev]: { name: 'eth0' } });
    const map = [{ containerID: 0, hostID: 100000, size: 65536 }];
    s.linux = { ...s.linux, namespaces: [...(s.linux?.namespaces ?? []), { type: 'user' }], uidMappings: map, gidMappings: map };
    const id = sb.create(s);
    expect(sb.ok(['exec', id, 'ip', '-o', 'addr', 'show', 'dev', 'eth0'])).toContain('inet 10.213.7.2/24');
  });

  it('a missing device is an error at create, naming it', () => {
    expect(sb.refusedCreate(spec({ [`nodev${process.pid}`]: {} }))).toMatch(new RegExp(`linux\\.netDevices\\[\\\\?"nodev${process.pid}\\\\?"\\]: no network device`));
  });

  it('a name already taken inside, without %d, is an error; the device stays on the host as it was', () => {
    expect(sb.refusedCreate(spec({ [dev]: { name: 'lo' } }))).toMatch(/\.name: \\?"lo\\?" already exists in the container's network namespace/);
    expectOnHost();
  });

  it('a create that fails after the move puts the device back, with its addresses and state', () => {
    const s = spec({ [dev]: { name: 'ctr0' } });
    s.hooks = { prestart: [{ path: '/bin/false' }] };
    expect(sb.refusedCreate(s)).toMatch(/prestart/);
    expectOnHost();
  });

  it('is refused without a network namespace of the container\'s own', () => {
    const s = spec({ [dev]: {} });
    s.linux = { ...s.linux, namespaces: (s.linux?.namespaces ?? []).filter((n) => n.type !== 'network') };
    expect(sb.refusedCreate(s)).toMatch(/linux\.netDevices: devices cannot be set in the host network namespace/);
  });
});

describe('features', () => {
  it('reports netDevices as enabled', () => {
    const f = JSON.parse(sb.ok(['features'])) as { linux: { netDevices?: { enabled: boolean } } };
    expect(f.linux.netDevices).toEqual({ enabled: true });
  });
});
