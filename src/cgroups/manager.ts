import { existsSync, readFileSync } from 'node:fs';
import type { LinuxResources } from '../spec/types.js';
import { detectHierarchies, type CgroupHierarchies } from './detect.js';
import { cgroupDirs, parseProcCgroup, resolveCgroup } from './path.js';
import type { CgroupStats } from './stats.js';
import { V1Manager } from './v1/manager.js';
import { V2Manager } from './v2/manager.js';

/** A container's cgroup, in every hierarchy the host has. All calls are synchronous. */
export interface CgroupManager {
  /** The resolved cgroup path, e.g. "/ocirun/mycontainer"; saved in state.json. */
  readonly path: string;
  /**
   * The directory in each hierarchy, keyed by controller ("memory", "name=systemd", "" for
   * cgroup2), as runc's state.json "cgroup_paths". On v1 a relative cgroupsPath is resolved per
   * hierarchy and can differ from `path`: save this too and pass it to openCgroupManager.
   */
  readonly paths: Readonly<Record<string, string>>;
  readonly version: 1 | 2;
  /** mkdir in every hierarchy (v1: each mounted one; hybrid: also the unified one when usable). */
  create(): void;
  /**
   * Writes every value set in `resources`, nothing for fields not set. A resource the host lacks
   * fails with an Error naming the config field and the file, before anything is written.
   * `devices` rules are followed by runc's default allow-list.
   */
  apply(resources: LinuxResources): void;
  /**
   * Writes the pid into cgroup.procs of every hierarchy. For an exec'd process, `initPid` is the
   * container's init: where the container has made cgroups of its own with controllers enabled
   * (v2 then refuses processes in its top cgroup), the process joins the init's cgroup instead.
   */
  addProcess(pid: number, initPid?: number): void;
  /** Every pid in the cgroup and below it. */
  pids(): number[];
  freeze(): void;
  thaw(): void;
  frozen(): boolean;
  /** runc's `events --stats` "data" object; see statsEventJson() for its JSON. */
  stats(): CgroupStats;
  /** How many processes the OOM killer has killed in the cgroup, for `events` oom notifications. */
  oomKillCount(): number;
  /** Sends the signal to every process in the cgroup (delete --force, kill --all). */
  killAll(signal: number): void;
  /** rmdir in every hierarchy, children first, retrying EBUSY for up to a second; idempotent. */
  destroy(): void;
  exists(): boolean;
}

export interface CreateCgroupOptions {
  /** linux.cgroupsPath; runc's default (the container id, relative to the runtime's own cgroup) when empty. */
  cgroupsPath?: string;
  id: string;
  /** --systemd-cgroup: not implemented; refused with an error naming the flag. */
  systemd?: boolean;
  /** --rootless: hierarchies the user may not write to are skipped instead of failing create(). */
  rootless?: boolean;
  /** The host's hierarchies when the caller has detected them already. */
  hierarchies?: CgroupHierarchies;
}

/** Resolves where the container's cgroup goes; does not create it. */
export function createCgroupManager(opts: CreateCgroupOptions): CgroupManager {
  if (opts.systemd) {
    throw new Error(
      '--systemd-cgroup is not supported by ocirun: cgroups are managed through cgroupfs, and a ' +
        '"slice:prefix:name" cgroupsPath cannot be resolved; run without --systemd-cgroup',
    );
  }
  const hierarchies = opts.hierarchies ?? detectHierarchies();
  const { path, dirs } = resolveCgroup(opts.cgroupsPath, opts.id, hierarchies, ownCgroups());
  return managerFor(hierarchies, path, dirs, opts.rootless ?? false);
}

/**
 * Opens the cgroup of an existing container, from the path saved in state.json, and the
 * per-hierarchy directories (`paths`) when they were saved too, which is exact. Without them,
 * see cgroupDirs() for how a v1 hierarchy placed apart from the others is found.
 */
export function openCgroupManager(path: string, paths?: Readonly<Record<string, string>>): CgroupManager {
  const hierarchies = detectHierarchies();
  return managerFor(hierarchies, path, paths ?? cgroupDirs(path, hierarchies, ownCgroups(), existsSync), false);
}

function ownCgroups(): Map<string, string> {
  return parseProcCgroup(readFileSync('/proc/self/cgroup', 'utf8'));
}

function managerFor(h: CgroupHierarchies, path: string, dirs: Readonly<Record<string, string>>, rootless: boolean): CgroupManager {
  if (h.mode === 'v2') {
    const dir = dirs[''];
    if (!h.unified || dir === undefined) throw new Error('internal: cgroup v2 host without a cgroup2 directory');
    return new V2Manager(path, dir, h.unified.mountpoint, rootless);
  }
  return new V1Manager(path, dirs, h, rootless);
}
