import { join } from 'node:path';
import { dirExists, errorCode, fileExists, readCgroupFile, readOptional, writeCgroupFile } from './fs.js';

// The decision "which file gets which value, in which order" is pure: a planner turns
// LinuxResources (plus what it may read of the cgroup's current state through a probe) into a
// list of writes. The executor checks that every file exists before writing anything, so a
// resource the host lacks fails apply() before any value is written.

export interface CgroupWrite {
  /** The config field the value comes from, e.g. "linux.resources.memory.limit". */
  field: string;
  file: string;
  value: string;
  /** Why a host may lack this file, for the error when it does. */
  lacks?: string;
  /**
   * Some knobs shrink or grow only in a certain order against other knobs (CFS period, quota and
   * burst): an EINVAL is then retried once after the rest of the plan.
   */
  retryAfterOthers?: boolean;
  /** Added to the kernel's refusal: what usually makes it refuse this value. */
  hint?: string;
  /** Checks the value the kernel kept: returns why the write did not take effect, if it did not. */
  verify?: (readBack: string) => string | undefined;
}

/** Read access to one cgroup directory, as a planner needs it. */
export interface CgroupProbe {
  has(file: string): boolean;
  /** The file's trimmed content, or undefined when it does not exist. */
  read(file: string): string | undefined;
}

/** A config value the host cannot honour, or a value the kernel refused. */
export class CgroupResourceError extends Error {
  constructor(
    readonly field: string,
    reason: string,
    cause?: unknown,
  ) {
    super(`${field}: ${reason}`, { cause });
    this.name = 'CgroupResourceError';
  }
}

export function dirProbe(dir: string): CgroupProbe {
  return { has: (file) => fileExists(dir, file), read: (file) => readOptional(dir, file) };
}

/** A probe for a hierarchy the host does not have: every file is missing. */
export function absentProbe(): CgroupProbe {
  return { has: () => false, read: () => undefined };
}

/** One directory and the writes planned for it; `missing` explains an absent hierarchy. */
export interface PlannedDir {
  dir: string | undefined;
  writes: CgroupWrite[];
  missing?: string;
  /** The host has the hierarchy but the container got no cgroup in it (rootless): why. */
  denied?: string;
}

export function checkPlan(plan: readonly PlannedDir[]): void {
  for (const { dir, writes, missing, denied } of plan) {
    if (dir !== undefined && writes.length > 0 && !dirExists(dir)) {
      throw new CgroupResourceError(writes[0]?.field ?? 'linux.resources', `the cgroup ${dir} does not exist (not created, or already removed)`);
    }
    for (const w of writes) {
      if (dir !== undefined && fileExists(dir, w.file)) continue;
      if (dir === undefined && denied !== undefined) throw new CgroupResourceError(w.field, `cannot set ${w.file}: ${denied}`);
      const why = dir === undefined ? missing : w.lacks;
      throw new CgroupResourceError(w.field, `this host has no ${w.file}${why ? ` (${why})` : ''}`);
    }
  }
}

export function executePlan(plan: readonly PlannedDir[]): void {
  for (const { dir, writes } of plan) {
    if (dir === undefined) continue;
    const retries = writes.filter((w) => !write(dir, w, w.retryAfterOthers === true));
    for (const w of retries) write(dir, w, false);
  }
}

/** Writes and verifies one value; false when the kernel refused it and it may be retried later. */
function write(dir: string, w: CgroupWrite, mayRetry: boolean): boolean {
  try {
    writeCgroupFile(dir, w.file, w.value);
  } catch (err) {
    if (mayRetry && errorCode(err) === 'EINVAL') return false;
    throw refused(w, err);
  }
  verifyWrite(dir, w);
  return true;
}

function verifyWrite(dir: string, w: CgroupWrite): void {
  if (!w.verify) return;
  const why = w.verify(readCgroupFile(dir, w.file).trim());
  if (why) throw new CgroupResourceError(w.field, `${join(dir, w.file)}: ${why}`);
}

function refused(w: CgroupWrite, err: unknown): CgroupResourceError {
  const reason = err instanceof Error ? err.message : String(err);
  return new CgroupResourceError(w.field, w.hint ? `${reason} (${w.hint})` : reason, err);
}
