import { readFileSync } from 'node:fs';
import type { LinuxResources } from '../../spec/types.js';
import { CgroupfsLifecycle } from '../cgroupfs-lifecycle.js';
import { deviceRulesFromConfig } from '../devices.js';
import { emulateDeviceRules } from '../devices-emulator.js';
import { dirExists, errorCode, fileExists, isPermissionError, makeDir, readProcsRecursive, writeCgroupFile } from '../fs.js';
import { hostHugePageSizes } from '../hugepages.js';
import type { CgroupManager } from '../manager.js';
import { initCgroupDirV2 } from '../path.js';
import { cgroupsPathDenial, rootlessDenial, type RootlessCgroups } from '../rootless.js';
import { planPids } from '../pids.js';
import { CgroupResourceError, checkPlan, dirProbe, executePlan, type CgroupProbe, type CgroupWrite } from '../plan.js';
import { planRdma } from '../rdma.js';
import { removeCgroupTrees } from '../remove.js';
import { signalPids } from '../signal.js';
import type { CgroupStats } from '../stats.js';
import { planCpuV2 } from './cpu.js';
import { enableControllersV2, explainMissingControllers } from './create.js';
import { planCpuset } from '../cpuset.js';
import { applyDeviceFilterV2 } from './devices.js';
import { freezeV2, isFrozenV2, thawV2 } from './freezer.js';
import { planHugetlbV2 } from './hugetlb.js';
import { planIoV2 } from './io.js';
import { oomKillCountV2, planMemoryV2 } from './memory.js';
import { collectStatsV2 } from './stats.js';
import { planUnified } from './unified.js';

const SIGKILL = 9;

/** Every file write `r` asks for, in order (device rules aside); `probe` reads the cgroup they go to. */
export function planWritesV2(r: LinuxResources, probe: CgroupProbe): CgroupWrite[] {
  if (r.network?.classID !== undefined || (r.network?.priorities?.length ?? 0) > 0) {
    const field = r.network?.classID !== undefined ? 'classID' : 'priorities';
    throw new CgroupResourceError(`linux.resources.network.${field}`, 'cgroup v2 has no net_cls/net_prio controllers (v1 only)');
  }
  return [
    ...planPids(r.pids),
    ...planMemoryV2(r.memory, probe),
    ...planIoV2(r.blockIO, probe),
    ...planCpuV2(r.cpu, probe),
    ...planCpuset(r.cpu),
    ...planHugetlbV2(r.hugepageLimits, probe, hostHugePageSizes()),
    ...planRdma(r.rdma),
    // Last, so a key can refine what the fields above set.
    ...planUnified(r.unified),
  ];
}

/** A cgroup on a cgroup v2 (unified) host: one directory. */
export class V2Manager extends CgroupfsLifecycle implements CgroupManager {
  readonly version = 2 as const;
  /** Why a rootless create() could not make the cgroup; resources then cannot be applied. */
  private unusable: string | undefined;

  constructor(
    readonly path: string,
    readonly dir: string,
    private readonly mountpoint: string,
    private readonly rootless?: RootlessCgroups,
  ) {
    super();
  }

  /** Empty when a rootless create() left the cgroup out. */
  get paths(): Readonly<Record<string, string>> {
    return this.unusable === undefined ? { '': this.dir } : {};
  }

  create(): void {
    let made: string | undefined;
    try {
      made = makeDir(this.dir);
      enableControllersV2(this.mountpoint, this.dir);
    } catch (err) {
      if (!this.rootless || !isPermissionError(err)) throw err;
      if (!this.rootless.skipDenied) throw cgroupsPathDenial(err);
      // Never half a cgroup: one made where its controllers could not be enabled goes again.
      if (made !== undefined) removeCgroupTrees([made]);
      this.unusable = rootlessDenial(err);
    }
  }

  apply(r: LinuxResources): void {
    const writes = planWritesV2(r, dirProbe(this.dir));
    // As runc: a rootless container gets no device filter (loading one needs CAP_BPF and
    // CAP_SYS_ADMIN on the host); its devices are limited by what the user can open anyway.
    const devices = r.devices && this.rootless === undefined ? emulateDeviceRules(deviceRulesFromConfig(r.devices)) : undefined;
    const plan = this.unusable === undefined ? [{ dir: this.dir, writes: explainMissingControllers(this.dir, writes) }] : [{ dir: undefined, writes, denied: this.unusable }];
    checkPlan(plan);
    if (devices) applyDeviceFilterV2(this.dir, devices);
    executePlan(plan);
  }

  addProcess(pid: number, initPid?: number): void {
    if (this.unusable) return;
    try {
      writeCgroupFile(this.dir, 'cgroup.procs', String(pid));
    } catch (err) {
      if (initPid === undefined || errorCode(err) !== 'EBUSY') throw err;
      const target = initCgroupDirV2(this.dir, this.mountpoint, readFileSync(`/proc/${initPid}/cgroup`, 'utf8'));
      if (target === undefined) throw err;
      writeCgroupFile(target, 'cgroup.procs', String(pid));
    }
  }

  pids(): number[] {
    return readProcsRecursive(this.dir);
  }

  freeze(): void {
    freezeV2(this.dir);
  }

  /** A cgroup that is gone is not frozen: nothing to do. */
  thaw(): void {
    if (this.exists()) thawV2(this.dir);
  }

  frozen(): boolean {
    return isFrozenV2(this.dir);
  }

  stats(): CgroupStats {
    return collectStatsV2(dirProbe(this.dir), hostHugePageSizes(), () => this.pids().length);
  }

  oomKillCount(): number {
    return oomKillCountV2(dirProbe(this.dir));
  }

  killAll(signal: number): void {
    // An empty cgroup stays empty (nothing in it can fork): the common case at delete.
    if (!this.exists() || this.pids().length === 0) return;
    // cgroup.kill (Linux 5.14+) kills the whole tree atomically, forks in flight included.
    if (signal === SIGKILL && fileExists(this.dir, 'cgroup.kill')) {
      writeCgroupFile(this.dir, 'cgroup.kill', '1');
      return;
    }
    const wasFrozen = this.frozen();
    if (!wasFrozen) this.freeze();
    try {
      signalPids(this.pids(), signal);
    } finally {
      if (!wasFrozen) this.thaw();
    }
  }

  destroy(): void {
    removeCgroupTrees([this.dir]);
  }

  exists(): boolean {
    return dirExists(this.dir);
  }
}
