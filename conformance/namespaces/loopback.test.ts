// A new network namespace gets its loopback up, as runc (its "loopback" network for a netns
// without a path) and crun set it; a namespace joined by path is left as its owner made it.
// Checked from inside (/sys/class/net/lo/flags: IFF_UP is 0x1) with runc beside it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../src/spec/types.js';
import { baseSpec, Sandbox, uniqueId, withUserNamespace } from '../../test/support/ocirun.js';

const sb = new Sandbox('loopback');
const hasRunc = spawnSync('runc', ['--version']).status === 0;
const netnsNames: string[] = [];
/** Whether /run/netns is a mount point: `ip netns add` makes it one (a shared bind of itself) and leaves it. */
const netnsDirMounted = (): boolean => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === '/run/netns');
const netnsDirWasMounted = netnsDirMounted();
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => {
  for (const n of netnsNames) spawnSync('ip', ['netns', 'del', n]);
  // Ours to undo only if we made it; umount refuses while anyone else's namespace is mounted below.
  if (netnsNames.length > 0 && !netnsDirWasMounted && netnsDirMounted()) spawnSync('umount', ['/run/netns']);
  sb.destroy();
});

// A TCP round trip over 127.0.0.1 inside (ping would need CAP_NET_RAW); busybox nc reads the
// answer only while its stdin is open, which sleep keeps.
const ROUND_TRIP = 'nc -l -p 5000 -e echo answers & for i in 1 2 3 4 5 6 7 8 9 10; do r=$(sleep 1 | nc 127.0.0.1 5000 2>/dev/null); [ "$r" = answers ] && break; done; echo ${r:-silent}';
const PROBE = ['sh', '-c', `cat /sys/class/net/lo/flags; ${ROUND_TRIP}`];

function probeSpec(change: (s: Spec) => void = () => undefined): Spec {
  const s = baseSpec(PROBE);
  change(s);
  return s;
}

/** lo's flags and whether 127.0.0.1 answers, from inside a container run with ocirun. */
function inside(spec: Spec): string[] {
  const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId('lo')], { timeoutMs: 60_000 });
  if (r.status !== 0) throw new Error(`run exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim().split('\n');
}

function insideRunc(spec: Spec): string[] {
  const bundle = sb.bundle(spec);
  const r = spawnSync('runc', ['--root', join(sb.dir, 'runc-state'), 'run', '--bundle', bundle, uniqueId('runc-lo')], { encoding: 'utf8', input: '', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`runc run exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim().split('\n');
}

const isUp = (flags: string): boolean => (Number(flags) & 0x1) === 1;

/** A named network namespace (ip netns) whose lo is down, unique to this process. */
function downNetns(): string {
  const name = `oclo${process.pid}-${netnsNames.length}`;
  const r = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip netns add ${name}: ${r.stderr}`);
  netnsNames.push(name);
  return `/var/run/netns/${name}`;
}

describe('loopback in the container\'s network namespace', () => {
  it('a new network namespace: lo is up and 127.0.0.1 answers', () => {
    const [flags, ping] = inside(probeSpec());
    expect(isUp(flags as string), `flags ${flags}`).toBe(true);
    expect(ping).toBe('answers');
  }, 90_000);

  it.skipIf(!hasRunc)('the same as runc gives', () => {
    const spec = probeSpec();
    expect(inside(spec)).toEqual(insideRunc(spec));
  }, 90_000);

  it('a new network namespace owned by the container\'s user namespace: lo is up', () => {
    const [flags, ping] = inside(probeSpec((s) => withUserNamespace(s)));
    expect(isUp(flags as string), `flags ${flags}`).toBe(true);
    expect(ping).toBe('answers');
  }, 90_000);

  it('a network namespace joined by path is left alone: its lo stays down (runc leaves it too)', () => {
    const path = downNetns();
    const spec = probeSpec((s) => {
      s.process!.args = ['cat', '/sys/class/net/lo/flags'];
      s.linux!.namespaces = s.linux!.namespaces!.map((ns) => (ns.type === 'network' ? { type: 'network', path } : ns));
    });
    const [flags] = inside(spec);
    expect(isUp(flags as string), `flags ${flags}`).toBe(false);
    if (hasRunc) expect(isUp(insideRunc(spec)[0] as string)).toBe(false);
    const host = spawnSync('ip', ['netns', 'exec', path.split('/').at(-1) as string, 'cat', '/sys/class/net/lo/flags'], { encoding: 'utf8' });
    expect(isUp(host.stdout.trim())).toBe(false);
  }, 90_000);
});
