// Issue 17 item 1: (uid_t)-1 = 4294967295 means "leave unchanged" to setresuid/setresgid, so a
// process user of 4294967295 ran as root with the config's capabilities. Property-style: every
// numeric id field of config.json, `exec --user`/`--additional-gids` and `exec --process`, over
// the values around the edges of the valid range (runc's 0..2147483647): outside it the command
// fails with one line naming the field or flag and the range, and nothing is left behind;
// inside it the id is what the process runs as.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../src/spec/types.js';
import { baseSpec, leftoversOf, Sandbox, uniqueId } from '../../test/support/ocirun.js';
import { oneErrorLine, processesOf } from './leaks.js';

const sb = new Sandbox('reliability-ids');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

const OUT_OF_RANGE = [2147483648, 4294967294, 4294967295];
const RANGE = /from 0 to 2147483647/;

/** A quoted value inside the logrus line, where the quotes are escaped. */
const quoted = (text: string): string => `\\\\?"${text}\\\\?"`;

/** Each id field of a config: how to set it, and the JSON path its error must name. */
const CONFIG_FIELDS: ReadonlyArray<[string, (s: Spec, v: number) => void]> = [
  ['process.user.uid', (s, v) => (s.process!.user = { uid: v, gid: 0 })],
  ['process.user.gid', (s, v) => (s.process!.user = { uid: 0, gid: v })],
  ['process.user.additionalGids[1]', (s, v) => (s.process!.user = { uid: 0, gid: 0, additionalGids: [10, v] })],
  ['linux.devices[0].uid', (s, v) => (s.linux!.devices = [{ type: 'c', path: '/dev/fuzz', major: 1, minor: 3, uid: v }])],
  ['linux.devices[0].gid', (s, v) => (s.linux!.devices = [{ type: 'c', path: '/dev/fuzz', major: 1, minor: 3, gid: v }])],
];

function userns(s: Spec, uid: { containerID: number; hostID: number; size: number }): void {
  s.linux!.namespaces!.push({ type: 'user' });
  s.linux!.uidMappings = [uid];
  s.linux!.gidMappings = [{ containerID: 0, hostID: 0, size: 65536 }];
}

/** `create` of `spec`: the error line (undefined on success), after checking nothing is left. */
function createFails(spec: Spec): string {
  const id = uniqueId('ids');
  const r = sb.run(['create', '--bundle', sb.bundle(spec), id], { timeoutMs: 60_000 });
  expect(r.status, r.stderr).toBe(1);
  expect(sb.run(['state', id]).stderr).toMatch(/container does not exist/);
  expect(leftoversOf(id)).toEqual([]);
  expect(processesOf(id)).toEqual([]);
  return oneErrorLine(r.stderr);
}

describe('config.json ids outside 0..2147483647 are refused before anything is created', () => {
  it.each(CONFIG_FIELDS.flatMap(([path, set]) => OUT_OF_RANGE.map((v) => [path, v, set] as const)))('%s = %d', (path, v, set) => {
    const spec = baseSpec(['id']);
    set(spec, v);
    const line = createFails(spec);
    expect(line).toContain(`config.json: ${path}: ${v} is out of range`);
    expect(line).toMatch(RANGE);
  });

  it.each([
    [{ containerID: 0, hostID: 4294967295, size: 1 }, /linux\.uidMappings\[0\]: hostID 4294967295 \+ size 1 reaches past 4294967294/],
    [{ containerID: 4294967295, hostID: 0, size: 1 }, /linux\.uidMappings\[0\]: containerID 4294967295/],
    [{ containerID: 0, hostID: 1, size: 4294967295 }, /linux\.uidMappings\[0\]: hostID 1 \+ size 4294967295/],
  ])('an id map the kernel cannot take: %j', (map, message) => {
    const spec = baseSpec(['id']);
    userns(spec, map);
    expect(createFails(spec)).toMatch(message);
  });

  it('a tmpfs uid= option of 4294967295: the kernel refuses it, in one line', () => {
    const spec = baseSpec(['id']);
    spec.mounts!.push({ destination: '/mnt', type: 'tmpfs', source: 'tmpfs', options: ['uid=4294967295'] });
    expect(createFails(spec)).toMatch(/mnt.*invalid argument|invalid argument.*mnt/);
  });

  it('the largest valid ids reach the process unchanged (checked from inside)', () => {
    const spec = baseSpec(['sh', '-c', 'id -u; id -g; id -G']);
    spec.process!.user = { uid: 2147483647, gid: 2147483646, additionalGids: [2147483645] };
    const id = uniqueId('ids');
    const out = sb.ok(['run', '--bundle', sb.bundle(spec), id], { timeoutMs: 60_000 });
    expect(out.trim().split('\n')).toEqual(['2147483647', '2147483646', '2147483646 2147483645']);
  });
});

describe('exec: --user, --additional-gids and --process ids', () => {
  function running(): string {
    const id = sb.create(baseSpec(['sleep', '1000']));
    sb.ok(['start', id]);
    return id;
  }

  /** exec fails with one line matching `message`, and the container holds only its init. */
  function execFails(id: string, args: string[], message: RegExp): void {
    const r = sb.run(['exec', ...args], { timeoutMs: 60_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(message);
    expect(processesOf(id)).toEqual([sb.state(id).pid]);
  }

  it.each(['4294967295', '4294967295:4294967295', '0:4294967295', '2147483648:0', '0:2147483648'])('--user %s', (user) => {
    const id = running();
    const bad = user.split(':').find((part) => Number(part) > 2147483647);
    execFails(id, ['--user', user, id, 'id'], new RegExp(`--user ${quoted(bad!)}: must be a number from 0 to 2147483647`));
  });

  it.each(['4294967295', '2147483648'])('--additional-gids %s', (gid) => {
    const id = running();
    execFails(id, ['--additional-gids', gid, id, 'id'], new RegExp(`--additional-gids ${quoted(gid)}: must be a number from 0 to 2147483647`));
  });

  it.each([
    ['user.uid', { uid: 4294967295, gid: 0 }],
    ['user.gid', { uid: 0, gid: 4294967295 }],
    ['user.additionalGids[0]', { uid: 0, gid: 0, additionalGids: [2147483648] }],
  ])('--process with %s out of range', (path, user) => {
    const id = running();
    const dir = join(sb.dir, uniqueId('proc'));
    mkdirSync(dir);
    const file = join(dir, 'process.json');
    writeFileSync(file, JSON.stringify({ ...baseSpec(['id']).process, user }));
    execFails(id, ['--process', file, id], new RegExp(`--process ${file}: ${path.replace(/[[\]]/g, '\\$&')}: \\d+ is out of range: user and group ids must be from 0 to 2147483647`));
  });

  it('--user 2147483647:2147483647 runs as that user (checked from inside)', () => {
    const id = running();
    const r = sb.run(['exec', '--user', '2147483647:2147483647', '--additional-gids', '2147483646', id, 'sh', '-c', 'id -u; id -g; id -G'], { timeoutMs: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['2147483647', '2147483647', '2147483647 2147483646']);
  });
});
