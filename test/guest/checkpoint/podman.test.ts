// podman end to end: `podman container checkpoint` and `podman container restore` of a running
// container through ocirun (--runtime), runc as the reference in the same run. podman drives
// the runtime's checkpoint/restore through conmon as it does for runc; the count the container
// keeps in memory goes on after the restore. Storage (vfs), runroot and the image are private to
// this file; the cgroupfs manager, since ocirun has no systemd cgroup driver.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OCIRUN, ROOTFS, uniqueId, waitFor } from '../../support/ocirun.js';

const dir = mkdtempSync(join(tmpdir(), 'guest-podman-ck-'));
const IMAGE = 'localhost/ocirun-ck-busybox';
const times: Record<string, Record<string, number>> = {};

function podman(args: string[], runtime?: string): { status: number; stdout: string; stderr: string; ms: number } {
  const base = ['--root', join(dir, 'storage'), '--runroot', join(dir, 'run'), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
  if (runtime) base.push('--runtime', runtime);
  const t0 = process.hrtime.bigint();
  const r = spawnSync('podman', [...base, ...args], { encoding: 'utf8', timeout: 600_000, killSignal: 'SIGKILL' });
  return { status: r.status ?? 137, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

function ok(args: string[], runtime?: string, step?: string, name?: string): string {
  const r = podman(args, runtime);
  if (r.status !== 0) throw new Error(`podman ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  if (step && name) (times[step] ??= {})[name] = r.ms;
  return r.stdout;
}

/** The count, read again while the shell is between truncating and writing the file. */
function count(name: string, runtime: string): number {
  for (let i = 0; i < 5; i++) {
    const r = podman(['exec', name, 'cat', '/tmp/count'], runtime);
    const n = r.status === 0 ? Number(r.stdout.trim() || '0') : 0;
    if (n > 0) return n;
  }
  return 0;
}

afterAll(() => {
  podman(['rm', '-af']);
  podman(['rmi', '-af']);
  rmSync(dir, { recursive: true, force: true });
  for (const [step, t] of Object.entries(times)) {
    const o = t['ocirun'];
    const r = t['runc'];
    console.log(`podman-checkpoint-times ${step}: ocirun ${o?.toFixed(0)} ms, runc ${r?.toFixed(0)} ms${o && r ? `, ratio ${(o / r).toFixed(2)}` : ''}`);
  }
});

describe('podman container checkpoint / restore', () => {
  it('imports the busybox rootfs as an image', () => {
    const tar = spawnSync('sh', ['-c', `tar -C ${ROOTFS} -c . | podman --root ${join(dir, 'storage')} --runroot ${join(dir, 'run')} --storage-driver vfs import - ${IMAGE}`], { encoding: 'utf8', timeout: 600_000 });
    expect(tar.status, tar.stderr).toBe(0);
  });

  it.each([['ocirun', OCIRUN], ['runc', 'runc']])('through %s: the restored container goes on counting', async (name, runtime) => {
    const ctr = uniqueId(`pck-${name}`);
    ok(['run', '-d', '--name', ctr, IMAGE, 'sh', '-c', 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; sleep 0.1; done'], runtime, 'podman run -d', name);
    expect(await waitFor(() => count(ctr, runtime) > 5, 300_000, 200)).toBe(true);
    ok(['container', 'checkpoint', ctr], runtime, 'podman container checkpoint', name);
    expect(ok(['inspect', '-f', '{{.State.Status}}', ctr], runtime).trim()).toBe('exited');
    ok(['container', 'restore', ctr], runtime, 'podman container restore', name);
    expect(ok(['inspect', '-f', '{{.State.Status}}', ctr], runtime).trim()).toBe('running');
    const first = count(ctr, runtime);
    expect(first).toBeGreaterThan(5);
    expect(await waitFor(() => count(ctr, runtime) > first + 3, 300_000, 200)).toBe(true);
    ok(['rm', '-f', ctr], runtime);
    // Each podman call takes 10–80 s under emulation on a loaded host; runc's pass alone took 175 s.
  }, 900_000);
});
