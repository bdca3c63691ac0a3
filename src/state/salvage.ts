import type { ContainerRecord } from './record.js';

/** What `delete --force` needs from a state.json it cannot parse: whom to kill, what to remove. */
export type Salvage = Pick<ContainerRecord, 'pid' | 'pidStartTime'> & Partial<Pick<ContainerRecord, 'cgroupPath' | 'cgroupPaths' | 'systemdUnit'>>;

function parsed<T>(text: string | undefined, check: (v: unknown) => v is T): T | undefined {
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return check(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringMap = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(isString);

/**
 * A truncated state.json still starts with the small fields (the record writes pid, start time
 * and cgroup before the large config): recover those so a damaged container can still be
 * killed and its cgroup removed. Anything that does not parse cleanly is left out.
 */
export function salvageRecord(text: string): Salvage {
  const ident = /"pid":(\d+),"pidStartTime":(\d+)[,}]/.exec(text);
  const out: Salvage = { pid: ident ? Number(ident[1]) : 0, pidStartTime: ident ? Number(ident[2]) : 0 };
  const path = parsed(/"cgroupPath":("(?:[^"\\]|\\.)*")/.exec(text)?.[1], isString);
  const paths = parsed(/"cgroupPaths":(\{[^{}]*\})/.exec(text)?.[1], isStringMap);
  if (path !== undefined) out.cgroupPath = path;
  if (paths !== undefined) out.cgroupPaths = paths;
  const unit = parsed(/"systemdUnit":("(?:[^"\\]|\\.)*")/.exec(text)?.[1], isString);
  if (unit !== undefined) out.systemdUnit = unit;
  return out;
}
