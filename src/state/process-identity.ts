import { readFileSync } from 'node:fs';

/**
 * A process is identified by pid + start time (field 22 of /proc/<pid>/stat, clock ticks since
 * boot): a recycled pid has a different start time, so we never signal a stranger.
 */
export interface ProcessIdentity {
  pid: number;
  startTime: number;
}

export function parseStat(stat: string): { state: string; startTime: number } | undefined {
  // comm (field 2) may contain spaces and parentheses: fields resume after the last ')'.
  const end = stat.lastIndexOf(')');
  if (end < 0) return undefined;
  const rest = stat.slice(end + 2).split(' ');
  const state = rest[0];
  const startTime = Number(rest[19]);
  if (state === undefined || !Number.isFinite(startTime)) return undefined;
  return { state, startTime };
}

export function readStat(pid: number): { state: string; startTime: number } | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Running (or stopped by a signal) and still the same process; a zombie has exited. */
export function isAlive(id: ProcessIdentity): boolean {
  if (id.pid <= 0) return false;
  const st = readStat(id.pid);
  return st !== undefined && st.startTime === id.startTime && st.state !== 'Z' && st.state !== 'X';
}

/** This process, as a `creating` record names it. */
export function selfIdentity(): ProcessIdentity {
  return { pid: process.pid, startTime: readStat(process.pid)?.startTime ?? 0 };
}
