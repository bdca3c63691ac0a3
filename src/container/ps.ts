import { spawnSync } from 'node:child_process';
import { cgroupOf } from '../state/cgroup-of.js';
import { deriveStatus } from '../state/status.js';
import type { StateStore } from '../state/store.js';

/**
 * The host pids of every process in the container's cgroup. A stopped container whose cgroup
 * is gone has none; one whose cgroup is still there (a process outlived the init) lists them.
 */
export function containerPids(store: StateStore, id: string): number[] {
  const rec = store.load(id);
  const cgroup = cgroupOf(rec);
  if (!cgroup) throw new Error(`container ${id} has no cgroup of its own: its processes cannot be listed`);
  if (deriveStatus(store, rec) === 'stopped' && !cgroup.exists()) return [];
  return cgroup.pids();
}

/** runc's JSON: an array of pids, `null` when there are none (Go encodes an empty slice so). */
export function pidsJson(pids: readonly number[]): string {
  return `${pids.length === 0 ? 'null' : JSON.stringify(pids)}\n`;
}

/**
 * The header and the lines of a host `ps` output whose PID column is one of `pids`. The PID
 * column is found by its title, so any `ps` options that keep it work.
 */
export function filterPsOutput(output: string, pids: readonly number[]): string {
  const lines = output.split('\n');
  const header = lines[0] ?? '';
  const col = header.trim().split(/\s+/).indexOf('PID');
  if (col < 0) throw new Error("couldn't find PID field in ps output");
  const wanted = new Set(pids);
  const out = [header];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const field = line.trim().split(/\s+/)[col] ?? '';
    const pid = Number.parseInt(field, 10);
    if (!/^\d+$/.test(field)) throw new Error(`unable to parse pid: ${JSON.stringify(field)}`);
    if (wanted.has(pid)) out.push(line);
  }
  return `${out.join('\n')}\n`;
}

/** Runs the host's `ps` with `args` (default -ef) and keeps the container's processes. */
export function psTable(pids: readonly number[], args: readonly string[]): string {
  const r = spawnSync('ps', args.length > 0 ? [...args] : ['-ef'], { encoding: 'utf8' });
  if (r.error) throw new Error(`ps: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ps ${args.join(' ')}: exit status ${r.status ?? 'signal'}: ${(r.stdout + r.stderr).trim()}`);
  return filterPsOutput(r.stdout, pids);
}
