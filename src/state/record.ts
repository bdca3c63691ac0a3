import type { Spec } from '../spec/types.js';
import type { ProcessIdentity } from './process-identity.js';

/** What ocirun keeps per container in <root>/<id>/state.json. */
export interface ContainerRecord {
  ociVersion: string;
  id: string;
  /** Host pid of the container's init; 0 once it is known to have stopped. */
  pid: number;
  /** /proc/<pid>/stat start time of the init, so a recycled pid is never taken for it. */
  pidStartTime: number;
  bundle: string;
  rootfs: string;
  /** RFC 3339, UTC, nanoseconds as runc prints them. */
  created: string;
  owner: string;
  annotations?: Record<string, string>;
  /** Resolved cgroup path; absent when the container has no cgroup of its own. */
  cgroupPath?: string;
  /** Per-hierarchy directories (v1) or the one cgroup2 directory, as created: later commands use exactly these. */
  cgroupPaths?: Record<string, string>;
  /**
   * The transient unit holding the cgroup when it was created with --systemd-cgroup: every later
   * command goes through systemd for it, with or without the flag.
   */
  systemdUnit?: string;
  /** The config the container was created with: later commands never re-read the bundle. */
  config: Spec;
  /**
   * The `create` process while it is still building the container; absent once create has
   * finished. A record that keeps it after that process died belongs to a killed create.
   */
  creating?: ProcessIdentity;
}

export type Status = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

/** The runtime-spec state as `ocirun state` prints it (runc's shape and field order). */
export interface OciState {
  ociVersion: string;
  id: string;
  pid: number;
  status: Status;
  bundle: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations?: Record<string, string>;
}

export function toOciState(rec: ContainerRecord, status: Status): OciState {
  const state: OciState = {
    ociVersion: rec.ociVersion,
    id: rec.id,
    pid: status === 'stopped' ? 0 : rec.pid,
    status,
    bundle: rec.bundle,
    rootfs: rec.rootfs,
    created: rec.created,
    owner: rec.owner,
  };
  if (rec.annotations && Object.keys(rec.annotations).length > 0) state.annotations = rec.annotations;
  return state;
}

/** RFC 3339 with nanoseconds (runc: 2026-11-22T04:59:12.014070171Z). */
export function rfc3339Nano(epochNs: bigint): string {
  const ms = epochNs / 1_000_000n;
  const base = new Date(Number(ms)).toISOString().slice(0, 19);
  const frac = (epochNs % 1_000_000_000n).toString().padStart(9, '0');
  return `${base}.${frac}Z`;
}

export function nowEpochNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
}
