import type { ContainerRecord } from './record.js';
import type { ProcessIdentity } from './process-identity.js';

/**
 * What finds a container's processes: the init's identity, the create still building it, and
 * the cgroup. Kept in a small file of its own, written before state.json on every save, so a
 * state.json torn, truncated or replaced can never lose track of a process ocirun started.
 */
export type Tracking = Pick<ContainerRecord, 'pid' | 'pidStartTime'> & Partial<Pick<ContainerRecord, 'creating' | 'cgroupPath' | 'cgroupPaths' | 'systemdUnit'>>;

export function trackingOf(rec: ContainerRecord): Tracking {
  const t: Tracking = { pid: rec.pid, pidStartTime: rec.pidStartTime };
  if (rec.creating) t.creating = rec.creating;
  if (rec.cgroupPath !== undefined) t.cgroupPath = rec.cgroupPath;
  if (rec.cgroupPaths !== undefined) t.cgroupPaths = rec.cgroupPaths;
  if (rec.systemdUnit !== undefined) t.systemdUnit = rec.systemdUnit;
  return t;
}

/** The record with what the tracking file says in place of its own copy of those fields. */
export function withTracking(rec: ContainerRecord, t: Tracking): ContainerRecord {
  const { creating: _c, cgroupPath: _p, cgroupPaths: _ps, systemdUnit: _u, ...rest } = rec;
  return { ...rest, ...t };
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isIdentity = (v: unknown): v is ProcessIdentity =>
  typeof v === 'object' && v !== null && isCount((v as ProcessIdentity).pid) && isCount((v as ProcessIdentity).startTime);
const isStringMap = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((s) => typeof s === 'string');

/** The tracking file's content, or undefined when it is not exactly what trackingOf writes. */
export function parseTracking(text: string): Tracking | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (!isCount(o['pid']) || !isCount(o['pidStartTime'])) return undefined;
  if (o['creating'] !== undefined && !isIdentity(o['creating'])) return undefined;
  if (o['cgroupPath'] !== undefined && typeof o['cgroupPath'] !== 'string') return undefined;
  if (o['cgroupPaths'] !== undefined && !isStringMap(o['cgroupPaths'])) return undefined;
  if (o['systemdUnit'] !== undefined && typeof o['systemdUnit'] !== 'string') return undefined;
  return trackingOf(o as unknown as ContainerRecord);
}
