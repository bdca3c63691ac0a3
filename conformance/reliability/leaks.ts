// Host-side views used by the reliability tests to prove that nothing of a container survives.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Host pids whose cgroup (any hierarchy) is the container's own cgroup or below it; with
 * `prefix`, of any container whose id starts with `id`. A removed cgroup ("(deleted)") only
 * holds zombies waiting for their reaper, which are not counted.
 */
export function processesOf(id: string, prefix = false): number[] {
  const matches = (line: string): boolean =>
    prefix ? !line.endsWith(' (deleted)') && line.split('/').some((c) => c.startsWith(id)) : line.endsWith(`/${id}`) || line.includes(`/${id}/`);
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let cgroups: string;
    try {
      cgroups = readFileSync(`/proc/${name}/cgroup`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    if (cgroups.split('\n').some(matches)) out.push(Number(name));
  }
  return out;
}

/** Open fds of this process, with their targets: compared before and after a run. */
export function ownFds(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out.push(`${fd} -> ${readlinkSync(`/proc/self/fd/${fd}`)}`);
    } catch {
      // the fd readdir itself used
    }
  }
  return out.sort();
}

/** The error output of a failed call: exactly one line, never a stack trace. */
export function oneErrorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '');
  if (lines.length !== 1) throw new Error(`expected one error line, got ${lines.length}: ${JSON.stringify(stderr.slice(0, 2000))}`);
  const line = lines[0] as string;
  if (/^\s+at |node:internal|\.js:\d+:\d+/.test(line)) throw new Error(`stack trace in error output: ${line}`);
  return line;
}
