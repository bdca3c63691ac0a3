// Helpers of the systemd-driver guest set: systemctl's view of a unit, and runc as the reference.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** `systemctl show UNIT -p ...` as a map; a unit systemd does not know shows LoadState=not-found. */
export function unitProps(unit: string, props: readonly string[]): Record<string, string> {
  const r = spawnSync('systemctl', ['show', unit, '-p', props.join(',')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`systemctl show ${unit}: ${r.stderr.trim()}`);
  const out: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** Whether systemd still has the unit loaded at all (active, failed or inactive but referenced). */
export function unitKnown(unit: string): boolean {
  const r = spawnSync('systemctl', ['list-units', '--all', '--no-legend', '--plain', unit], { encoding: 'utf8' });
  return r.stdout.trim() !== '';
}

/** The process's cgroup2 path, e.g. "/system.slice/x.scope". */
export function cgroupOf(pid: number): string {
  return /^0::(.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1] ?? '';
}

export function cgroupFile(path: string, file: string): string | undefined {
  const p = `/sys/fs/cgroup${path}/${file}`;
  return existsSync(p) ? readFileSync(p, 'utf8').trim() : undefined;
}

export function systemctl(...args: string[]): void {
  const r = spawnSync('systemctl', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`systemctl ${args.join(' ')}: ${r.stderr.trim()}`);
}
