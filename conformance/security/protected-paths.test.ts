// config-linux.md "Masked Paths" / "Readonly Paths" with runc's defaults (the ones `ocirun spec`
// writes), checked from inside; and the CVE-2025-31133 family: a /dev/null swapped for a symlink
// or a non-device, masked and read-only paths that are symlinks in the rootfs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Spec } from '../../src/spec/types.js';
import { baseSpec, ROOTFS, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('security-protected');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

function defaultSpec(): Spec {
  const dir = mkdtempSync(join(sb.dir, 'spec-'));
  sb.ok(['spec', '--bundle', dir]);
  const spec = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Spec;
  rmSync(dir, { recursive: true });
  return spec;
}

function runScript(spec: Spec, script: string): { status: number; stdout: string; stderr: string } {
  if (spec.process) {
    spec.process.args = ['sh', '-c', script];
    spec.process.terminal = false;
  }
  return sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
}

describe('runc’s default masked and read-only paths', () => {
  it('`ocirun spec` writes them', () => {
    const linux = defaultSpec().linux;
    expect(linux?.maskedPaths).toEqual([
      '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
      '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi',
    ]);
    expect(linux?.readonlyPaths).toEqual(['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  });

  it('from inside: masked files read empty through a read-only /dev/null bind, masked dirs are empty, /proc/sys and sysrq-trigger are read-only', () => {
    const spec = defaultSpec();
    spec.root = { path: ROOTFS, readonly: true };
    const r = runScript(spec, [
      'echo "timer_list=$(wc -c < /proc/timer_list)"',
      'echo "acpi=$(ls -A /proc/acpi | wc -l) firmware=$(ls -A /sys/firmware | wc -l)"',
      '{ echo 1 > /proc/sys/vm/drop_caches; } 2>&1; echo "sys_write=$?"',
      '{ echo h > /proc/sysrq-trigger; } 2>&1; echo "sysrq_write=$?"',
      'grep -E " /proc/(sys|sysrq-trigger|timer_list|acpi) " /proc/self/mountinfo | awk \'{print $5, substr($6,1,2)}\'',
      'true',
    ].join('; '));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('timer_list=0');
    expect(r.stdout).toContain('acpi=0 firmware=0');
    expect(r.stdout).toMatch(/Read-only file system[\s\S]*sys_write=1/);
    expect(r.stdout).toContain('sysrq_write=1');
    // This kernel may lack sysrq (CONFIG_MAGIC_SYSRQ): then there is nothing to protect.
    const present = ['/proc/sys', '/proc/sysrq-trigger', '/proc/timer_list', '/proc/acpi'].filter((p) => existsSync(p));
    for (const p of present) expect(r.stdout).toContain(`${p} ro`);
  });
});

describe('/dev/null tricks (CVE-2025-31133 family)', () => {
  /** A rootfs whose own /dev is used (no tmpfs over it), with /dev/null replaced by `plant`. */
  function trappedSpec(plant: (devNull: string) => void): Spec {
    const rootfs = sb.rootfsCopy();
    const devNull = join(rootfs, 'dev', 'null');
    rmSync(devNull, { force: true });
    plant(devNull);
    const spec = baseSpec(['cat', '/proc/timer_list']);
    spec.root = { path: rootfs, readonly: false };
    spec.mounts = spec.mounts?.filter((m) => !m.destination.startsWith('/dev'));
    if (spec.linux) spec.linux.maskedPaths = ['/proc/timer_list'];
    return spec;
  }

  const corePattern = readFileSync('/proc/sys/kernel/core_pattern', 'utf8');
  const cases: Array<[string, (devNull: string) => void]> = [
    ['a symlink to a procfs file', (p) => symlinkSync('/proc/sys/kernel/core_pattern', p)],
    ['a symlink to /proc/self/fd/0', (p) => symlinkSync('/proc/self/fd/0', p)],
    ['a regular file', (p) => writeFileSync(p, '')],
    ['another character device (zero)', (p) => execFileSync('mknod', ['-m', '666', p, 'c', '1', '5'])],
  ];
  it.each(cases)('/dev/null as %s: masking is refused with a reason, nothing is left', (_what, plant) => {
    const id = uniqueId();
    const r = sb.run(['run', '--bundle', sb.bundle(trappedSpec(plant)), id]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('/dev/null in the container is not the null device');
    expect(readFileSync('/proc/sys/kernel/core_pattern', 'utf8')).toBe(corePattern);
    expect(sb.run(['state', id]).stderr).toMatch(/container does not exist/);
  });

  it('the real null device in the rootfs is used (control)', () => {
    const r = sb.run(['run', '--bundle', sb.bundle(trappedSpec((p) => execFileSync('mknod', ['-m', '666', p, 'c', '1', '3']))), uniqueId()]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
  });
});

describe('masked and read-only paths that are symlinks in the rootfs', () => {
  it('a masked path that is a symlink masks the file it names inside the container, nothing outside', () => {
    const rootfs = sb.rootfsCopy();
    writeFileSync(join(rootfs, 'etc', 'secret'), 's3cret\n');
    symlinkSync('/etc/secret', join(rootfs, 'etc', 'secret-link'));
    const hostFile = join(sb.dir, uniqueId('host-secret'));
    writeFileSync(hostFile, 'host\n');
    symlinkSync(hostFile, join(rootfs, 'etc', 'host-link'));
    const spec = baseSpec([]);
    spec.root = { path: rootfs, readonly: false };
    if (spec.linux) spec.linux.maskedPaths = ['/etc/secret-link', '/etc/host-link'];
    const r = runScript(spec, 'echo "link=$(cat /etc/secret-link) file=$(cat /etc/secret)"');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('link= file=\n');
    expect(readFileSync(hostFile, 'utf8')).toBe('host\n');
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(hostFile);
    unlinkSync(hostFile);
  });

  it('a read-only path that is a symlink makes its target inside the container read-only', () => {
    const rootfs = sb.rootfsCopy();
    symlinkSync('/srv', join(rootfs, 'data'));
    execFileSync('mkdir', ['-p', join(rootfs, 'srv')]);
    const spec = baseSpec([]);
    spec.root = { path: rootfs, readonly: false };
    if (spec.linux) spec.linux.readonlyPaths = ['/data'];
    const r = runScript(spec, 'touch /srv/x 2>&1; echo "rc=$?"; touch /etc/x && echo etc=rw');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Read-only file system');
    expect(r.stdout).toContain('rc=1');
    expect(r.stdout).toContain('etc=rw');
  });
});
