// runtime.md "create": an invalid bundle is an error that changes nothing. Each failure is one
// line naming config.json and the JSON path, exit 1, and leaves no state dir, cgroup or mount.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../src/spec/types.js';
import { baseSpec, leftoversOf, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('errors-config');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

/** create with --log-format json: the one error line, and what is left of the container. */
function failedCreate(bundle: string): { status: number; lines: string[]; msg: string; left: string[] } {
  const id = uniqueId();
  const r = sb.run(['--log-format', 'json', 'create', '--bundle', bundle, id]);
  const lines = r.stderr.trim().split('\n').filter(Boolean);
  const msg = (JSON.parse(lines[0] ?? '{}') as { msg?: string }).msg ?? '';
  const left = [...leftoversOf(id), ...(sb.run(['state', id]).status === 0 ? [`state of ${id}`] : [])];
  return { status: r.status, lines, msg, left };
}

function mutated(change: (s: Spec & Record<string, unknown>) => void): string {
  const spec = baseSpec(['true']) as Spec & Record<string, unknown>;
  change(spec);
  return sb.bundle(spec);
}

describe('invalid config.json', () => {
  it.each<[string, (s: Spec & Record<string, unknown>) => void, RegExp]>([
    ['a field of the wrong type', (s) => ((s.process as unknown as Record<string, unknown>).args = 'sh'), /process\.args: must be array/],
    ['process.args missing', (s) => delete s.process?.args, /process\.args/],
    ['process.args empty', (s) => s.process && (s.process.args = []), /process\.args/],
    ['process missing', (s) => delete s.process, /process/],
    ['a relative cwd', (s) => s.process && (s.process.cwd = 'tmp'), /process\.cwd: must be an absolute path/],
    ['a missing rootfs', (s) => (s.root = { path: '/nonexistent-rootfs' }), /root\.path: .*no such file or directory/],
    ['an unknown namespace type', (s) => s.linux?.namespaces?.push({ type: 'bogus' as 'pid' }), /linux\.namespaces\[6\]\.type/],
    ['a duplicate namespace', (s) => s.linux?.namespaces?.push({ type: 'pid' }), /linux\.namespaces\[6\]\.type: duplicate/],
    ['a relative mount destination', (s) => s.mounts?.[0] && (s.mounts[0].destination = 'proc'), /mounts\[0\]\.destination/],
    ['an unsupported ociVersion', (s) => (s.ociVersion = '2.0.0'), /ociVersion/],
    ['an unknown rlimit', (s) => s.process?.rlimits?.push({ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 }), /process\.rlimits\[1\]\.type/],
    // Each the smallest section its schema accepts, so that the platform rule is what refuses it.
    ...([
      ['windows', { layerFolders: ['C:\\layers\\1'] }],
      ['solaris', {}],
      ['vm', { kernel: { path: '/boot/vmlinuz' } }],
      ['zos', {}],
      ['freebsd', {}],
    ] as const).map(([key, section]): [string, (s: Spec & Record<string, unknown>) => void, RegExp] => [
      `a ${key} section`, (s) => (s[key] = section), new RegExp(`: ${key}: is for another platform`),
    ]),
    ['a Windows commandLine', (s) => s.process && (s.process.commandLine = 'cmd.exe'), /process\.commandLine: is Windows-only/],
    ['a Windows username', (s) => s.process && (s.process.user = { ...s.process.user, username: 'Administrator' }), /process\.user\.username: is Windows-only/],
  ])('%s', (_name, change, path) => {
    const bundle = mutated(change);
    const f = failedCreate(bundle);
    expect(f.status).toBe(1);
    expect(f.lines).toHaveLength(1);
    expect(f.msg).toMatch(/^ocirun create failed: /);
    expect(f.msg).toContain(join(bundle, 'config.json'));
    expect(f.msg).toMatch(path);
    expect(f.left).toEqual([]);
  });

  it('broken JSON names the line and column', () => {
    const bundle = sb.bundle(baseSpec());
    writeFileSync(join(bundle, 'config.json'), '{"ociVersion": "1.0.0",\n');
    const f = failedCreate(bundle);
    expect(f).toMatchObject({ status: 1, left: [] });
    expect(f.msg).toMatch(/config\.json: line \d+, column \d+/);
  });

  it('a missing config.json names the file', () => {
    const f = failedCreate(join(sb.dir, 'no-such-bundle'));
    expect(f).toMatchObject({ status: 1, left: [] });
    expect(f.msg).toContain(join(sb.dir, 'no-such-bundle', 'config.json'));
  });

  it('unknown top-level properties are ignored (config.md "Extensibility")', () => {
    const id = uniqueId();
    sb.ok(['create', '--bundle', mutated((s) => (s['org.example.unknown'] = { a: 1 })), id]);
    expect(sb.state(id).status).toBe('created');
  });
});

describe('failures after the config was accepted leave nothing behind either', () => {
  it.each<[string, Spec]>([
    ['a missing executable', baseSpec(['/nonexistent-binary'])],
    ['a bind mount of a missing source', { ...baseSpec(), mounts: [...(baseSpec().mounts ?? []), { destination: '/tmp/x', type: 'bind', source: '/nonexistent-source', options: ['bind'] }] }],
    ['a cwd that is a file', { ...baseSpec(), process: { ...baseSpec().process, cwd: '/bin/sh' } as Spec['process'] }],
    ['a namespace path that does not exist', { ...baseSpec(), linux: { ...baseSpec().linux, namespaces: [{ type: 'mount' }, { type: 'network', path: '/proc/0/ns/net' }] } }],
  ])('%s', (_name, spec) => {
    const f = failedCreate(sb.bundle(spec));
    expect(f.status).toBe(1);
    expect(f.lines).toHaveLength(1);
    expect(f.msg).toMatch(/^ocirun create failed: /);
    expect(f.left).toEqual([]);
  });
});
