import { existsSync, readFileSync } from 'node:fs';
import type { LinuxResources } from '../spec/types.js';
import { detectHierarchies, type CgroupHierarchies } from './detect.js';
import { cgroupDirs, ownCgroupDirs, parseProcCgroup, resolveCgroup } from './path.js';
import type { CgroupStats } from './stats.js';
import { SystemdManager, startOptions } from './systemd/manager.js';
import type { BusChoice } from './systemd/bus.js';
import { systemdPlacement } from './systemd/unit-name.js';
import { ownerUid, userBusAddress, userManagerCgroup, userManagerOf, type UserBus } from './systemd/user-manager.js';
import type { RootlessCgroups } from './rootless.js';
import { V1Manager } from './v1/manager.js';
import { V2Manager } from './v2/manager.js';

/** A container's cgroup, in every hierarchy the host has. All calls are synchronous. */
export interface CgroupManager {
  /** The resolved cgroup path, e.g. "/ocirun/mycontainer"; saved in state.json. */
  readonly path: string;
  /**
   * The directory in each hierarchy (not those a rootless create() left out), keyed by controller ("memory", "name=systemd", "" for
   * cgroup2), as runc's state.json "cgroup_paths". On v1 a relative cgroupsPath is resolved per
   * hierarchy and can differ from `path`: save this too and pass it to openCgroupManager.
   */
  readonly paths: Readonly<Record<string, string>>;
  readonly version: 1 | 2;
  /** Who makes the cgroup: ocirun itself, or systemd (--systemd-cgroup), whose unit is `unit`. */
  readonly driver: 'cgroupfs' | 'systemd';
  readonly unit?: string;
  /** mkdir in every hierarchy (v1: each mounted one; hybrid: also the unified one when usable). */
  create(): void;
  /**
   * The container's init exists and waits for its first go-ahead. cgroupfs: nothing (the init
   * joins late, through addProcess). systemd: starts the unit with the init in it, then writes
   * the resources given to apply() through cgroupfs.
   */
  adopt(pid: number): Promise<void>;
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
  /** `update`: apply(), and under systemd the unit's properties first, so systemd keeps the new limits. */
  update(resources: LinuxResources): Promise<void>;
  /** rmdir in every hierarchy, children first, retrying EBUSY for up to a second; idempotent. */
  destroy(): void;
  /** `delete`: destroy(), and under systemd stopping the unit first (it removes the scope). */
  remove(): Promise<void>;
  exists(): boolean;
}

export interface CreateCgroupOptions {
  /** linux.cgroupsPath; runc's default (the container id, relative to the runtime's own cgroup) when empty. */
  cgroupsPath?: string;
  id: string;
  /** --systemd-cgroup: a transient systemd scope, with cgroupsPath "slice:prefix:name". */
  systemd?: boolean;
  /** The config's annotations: org.systemd.property.* ones become unit properties under systemd. */
  annotations?: Readonly<Record<string, string>>;
  /** --rootless: runc's rules for a caller that may not create every cgroup (rootless.ts). */
  rootless?: boolean;
  /** The host's hierarchies when the caller has detected them already. */
  hierarchies?: CgroupHierarchies;
}

/** Resolves where the container's cgroup goes; does not create it. */
export function createCgroupManager(opts: CreateCgroupOptions): CgroupManager {
  const hierarchies = opts.hierarchies ?? detectHierarchies();
  if (opts.systemd) return createSystemdManager(opts, hierarchies);
  const { path, dirs } = resolveCgroup(opts.cgroupsPath, opts.id, hierarchies, ownCgroups());
  const rootless = opts.rootless ? { skipDenied: opts.cgroupsPath === undefined || opts.cgroupsPath === '' } : undefined;
  return managerFor(hierarchies, path, dirs, rootless);
}

/**
 * Opens the cgroup of an existing container, from the path saved in state.json, and the
 * per-hierarchy directories (`paths`) when they were saved too, which is exact. Without them,
 * see cgroupDirs() for how a v1 hierarchy placed apart from the others is found.
 */
export function openCgroupManager(path: string, paths?: Readonly<Record<string, string>>, systemdUnit?: string): CgroupManager {
  const hierarchies = detectHierarchies();
  if (systemdUnit !== undefined) {
    const dir = paths?.[''];
    if (dir === undefined || !hierarchies.unified) throw new Error(`the cgroup of systemd unit ${systemdUnit} needs a cgroup v2 hierarchy, and this host has none mounted`);
    // A unit below user@UID.service is that user manager's (a rootless container's).
    const user = userManagerOf(path);
    const bus = user === undefined ? systemBus : userBus;
    return new SystemdManager({ unit: systemdUnit, slice: '', path, dir, mountpoint: hierarchies.unified.mountpoint, bus, ...(user === undefined ? {} : { managerCgroup: userManagerCgroup(user) }) });
  }
  return managerFor(hierarchies, path, paths ?? cgroupDirs(path, hierarchies, ownCgroups(), existsSync), undefined);
}

/** The runtime's own cgroup directories (path.ts ownCgroupDirs). */
export function runtimeCgroupDirs(hierarchies: CgroupHierarchies): Record<string, string> {
  return ownCgroupDirs(hierarchies, ownCgroups());
}

/** Where systemd is PID 1, it keeps /run/systemd/system (sd_booted(3), runc's IsRunningSystemd). */
const SYSTEMD_RUNNING = '/run/systemd/system';

function createSystemdManager(opts: CreateCgroupOptions, h: CgroupHierarchies): CgroupManager {
  if (!existsSync(SYSTEMD_RUNNING)) {
    throw new Error(`--systemd-cgroup: systemd is not running on this host (no ${SYSTEMD_RUNNING}); leave the flag out to manage cgroups through cgroupfs`);
  }
  if (h.mode !== 'v2' || !h.unified) {
    throw new Error(`--systemd-cgroup: this host's cgroups are ${h.mode}; ocirun's systemd driver needs a pure cgroup v2 host (leave the flag out to use cgroupfs)`);
  }
  const mountpoint = h.unified.mountpoint;
  let managerCgroup: string | undefined;
  let bus = systemBus;
  if (opts.rootless) {
    // As runc: a rootless caller's units are its user manager's. Checked now, before anything exists.
    const user = userBus();
    managerCgroup = userManagerCgroup(user.uid);
    if (!existsSync(mountpoint + managerCgroup)) {
      throw new Error(`--systemd-cgroup: uid ${user.uid} has no systemd user manager running (no ${mountpoint + managerCgroup}); start one with a login session, or for good: loginctl enable-linger USER`);
    }
    bus = () => user;
  }
  const placement = systemdPlacement(opts.cgroupsPath, opts.id, managerCgroup);
  return new SystemdManager({
    unit: placement.unit,
    slice: placement.slice,
    path: placement.cgroup,
    dir: mountpoint + placement.cgroup,
    mountpoint,
    bus,
    ...(managerCgroup === undefined ? {} : { managerCgroup }),
    create: startOptions(opts.id, opts.annotations),
  });
}

const systemBus = (): BusChoice => 'system';

/** The caller's user manager: its session bus, and the uid that bus knows the caller by. */
function userBus(): UserBus {
  const address = userBusAddress(process.env, existsSync);
  return { address, uid: ownerUid(readFileSync('/proc/self/uid_map', 'utf8'), process.geteuid?.() ?? 0) };
}

function ownCgroups(): Map<string, string> {
  return parseProcCgroup(readFileSync('/proc/self/cgroup', 'utf8'));
}

function managerFor(h: CgroupHierarchies, path: string, dirs: Readonly<Record<string, string>>, rootless: RootlessCgroups | undefined): CgroupManager {
  if (h.mode === 'v2') {
    const dir = dirs[''];
    if (!h.unified || dir === undefined) throw new Error('internal: cgroup v2 host without a cgroup2 directory');
    return new V2Manager(path, dir, h.unified.mountpoint, rootless);
  }
  return new V1Manager(path, dirs, h, rootless);
}
