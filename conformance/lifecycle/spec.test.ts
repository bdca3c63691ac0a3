// `ocirun spec`: runc's default config.json, runnable as it is once given a rootfs and a command.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../src/spec/types.js';
import { ROOTFS, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('lifecycle-spec');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

function freshDir(): string {
  const dir = join(sb.dir, uniqueId('spec'));
  mkdirSync(dir);
  return dir;
}

describe('spec', () => {
  it("writes runc's default config (tab-indented) that runs once given a rootfs and a command", () => {
    const dir = freshDir();
    sb.ok(['spec', '--bundle', dir]);
    const text = readFileSync(join(dir, 'config.json'), 'utf8');
    expect(text.startsWith('{\n\t"ociVersion": "1.')).toBe(true);
    const spec = JSON.parse(text) as Spec;
    expect(spec).toMatchObject({ root: { path: 'rootfs', readonly: true }, process: { terminal: true, args: ['sh'], cwd: '/' } });
    expect(spec.linux?.namespaces?.map((n) => n.type)).toEqual(['pid', 'network', 'ipc', 'uts', 'mount']);
    expect(spec.mounts?.map((m) => m.destination)).toEqual(['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']);

    symlinkSync(ROOTFS, join(dir, 'rootfs'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...spec, process: { ...spec.process, terminal: false, args: ['sh', '-c', 'echo ran; hostname'] } }));
    const r = sb.run(['run', '--bundle', dir, uniqueId()]);
    expect(r).toMatchObject({ status: 0, stdout: 'ran\nocirun\n' });
  });

  it('refuses to overwrite, with runc\'s words; the current directory is the default bundle', () => {
    const dir = freshDir();
    sb.ok(['spec'], { cwd: dir });
    expect(existsSync(join(dir, 'config.json'))).toBe(true);
    const r = sb.run(['spec'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/File config\.json exists\. Remove it first/);
  });

  it('--rootless maps the caller\'s ids into a user namespace and drops what needs privilege', () => {
    const dir = freshDir();
    sb.ok(['spec', '--rootless', '--bundle', dir]);
    const spec = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Spec;
    expect(spec.linux?.namespaces?.map((n) => n.type)).toContain('user');
    expect(spec.linux?.uidMappings?.[0]).toMatchObject({ containerID: 0, hostID: process.getuid?.(), size: 1 });
    expect(spec.linux?.resources).toBeUndefined();
  });
});
