import type { LinuxResources } from '../../spec/types.js';
import { CgroupfsLifecycle } from '../cgroupfs-lifecycle.js';
import type { CgroupHierarchies } from '../detect.js';
import { deviceRulesFromConfig, v1RuleLine, type DeviceRule } from '../devices.js';
import { emulateDeviceRules, parseDevicesList, sameDeviceState, type DeviceState } from '../devices-emulator.js';
import { dirExists, isPermissionError, makeDir, readCgroupFile, readProcsRecursive, writeCgroupFile } from '../fs.js';
import { hostHugePageSizes } from '../hugepages.js';
import type { CgroupManager } from '../manager.js';
import { cgroupsPathDenial, rootlessDenial, type RootlessCgroups } from '../rootless.js';
import { planPids } from '../pids.js';
import { absentProbe, CgroupResourceError, checkPlan, dirProbe, executePlan, type CgroupProbe, type CgroupWrite, type PlannedDir } from '../plan.js';
import { planRdma } from '../rdma.js';
import { removeCgroupTrees } from '../remove.js';
import { signalPids } from '../signal.js';
import type { CgroupStats } from '../stats.js';
import { controllersOf, enableControllersV2, explainMissingControllers } from '../v2/create.js';
import { freezeV2, thawV2 } from '../v2/freezer.js';
import { hugetlbStatsV2, planHugetlbV2 } from '../v2/hugetlb.js';
import { planUnified, unifiedKeyController } from '../v2/unified.js';
import { planBlkioV1 } from './blkio.js';
import { planCpuV1 } from './cpu.js';
import { createCpusetDir } from './cpuset.js';
import { planCpuset } from '../cpuset.js';
import { freezeV1, thawV1 } from './freezer.js';
import { freezerDir, isFrozenDir, type FreezerDir } from '../freezer.js';
import { planHugetlbV1 } from './hugetlb.js';
import { oomKillCountV1, planMemoryV1 } from './memory.js';
import { planNetClsV1, planNetPrioV1 } from './net.js';
import { collectStatsV1 } from './stats.js';

// Hierarchies that list every process of the container, best first, for pids().
const LISTING_ORDER = ['pids', 'devices', 'freezer', 'memory', 'cpu', 'cpuacct', 'cpuset', 'blkio', 'name=systemd'];

/**
 * A cgroup on a v1 host: one directory per mounted hierarchy. On a hybrid host also one in the
 * cgroup2 mount; it takes every process too, and the settings whose controller no v1 hierarchy
 * has but the cgroup2 hierarchy offers (this is how a hybrid host gets hugetlb when it is not
 * mounted as v1), and the `unified` keys.
 */
export class V1Manager extends CgroupfsLifecycle implements CgroupManager {
  readonly version = 1 as const;
  /** Hierarchy key -> why its directory could not be created (rootless, or an unusable cgroup2 mount). */
  private readonly unavailable = new Map<string, string>();
  /** The keys of `unavailable` that a rootless caller was refused. */
  private readonly denied = new Set<string>();

  constructor(
    readonly path: string,
    private readonly allPaths: Readonly<Record<string, string>>,
    private readonly hierarchies: CgroupHierarchies,
    private readonly rootless?: RootlessCgroups,
  ) {
    super();
  }

  /** The directories that exist for the container: a hierarchy left out (rootless) is not listed. */
  get paths(): Readonly<Record<string, string>> {
    return Object.fromEntries(Object.entries(this.allPaths).filter(([key]) => !this.unavailable.has(key)));
  }

  create(): void {
    for (const [key, dir] of Object.entries(this.allPaths)) {
      try {
        const cpuset = this.hierarchies.v1.get('cpuset');
        if (key === 'cpuset' && cpuset) createCpusetDir(cpuset.mountpoint, dir);
        else makeDir(dir);
      } catch (err) {
        if (!isPermissionError(err)) throw err;
        // As runc: without a cgroupsPath, a hierarchy a rootless caller may not write to is left
        // out. The cgroup2 side of a hybrid host is an extra: a read-only or foreign-owned mount
        // only means the settings that need it will be refused.
        if (this.rootless?.skipDenied) {
          this.denied.add(key);
          this.unavailable.set(key, rootlessDenial(err));
        } else if (key === '') {
          this.unavailable.set(key, (err as Error).message);
        } else {
          throw this.rootless ? cgroupsPathDenial(err) : err;
        }
      }
    }
  }

  apply(r: LinuxResources): void {
    const sizes = hostHugePageSizes();
    const plan: PlannedDir[] = [];
    const v1 = (controller: string, writes: CgroupWrite[]): void => {
      if (writes.length > 0) plan.push({ dir: this.usableDir(controller), writes, missing: this.whyMissing(controller), ...this.denial(controller) });
    };
    // As runc: a rootless container cannot be given a device list; its devices are limited by
    // what the user can open anyway.
    const rules = r.devices && this.rootless === undefined ? deviceRulesFromConfig(r.devices) : undefined;
    const devices = rules ? emulateDeviceRules(rules) : undefined;

    v1('cpuset', planCpuset(r.cpu));
    if (rules) v1('devices', rules.map(deviceWrite));
    v1('memory', planMemoryV1(r.memory, this.probe('memory')));
    v1('cpu', planCpuV1(r.cpu));
    v1('pids', planPids(r.pids));
    v1('blkio', planBlkioV1(r.blockIO, this.probe('blkio')));
    const hugetlbV2 = this.unifiedFallback('hugetlb', (r.hugepageLimits?.length ?? 0) > 0);
    if (hugetlbV2) plan.push(this.onUnified(hugetlbV2, planHugetlbV2(r.hugepageLimits, dirProbe(hugetlbV2), sizes)));
    else v1('hugetlb', planHugetlbV1(r.hugepageLimits, this.probe('hugetlb'), sizes));
    v1('net_cls', planNetClsV1(r.network));
    v1('net_prio', planNetPrioV1(r.network));
    const rdmaV2 = this.unifiedFallback('rdma', Object.keys(r.rdma ?? {}).length > 0);
    if (rdmaV2) plan.push(this.onUnified(rdmaV2, planRdma(r.rdma)));
    else v1('rdma', planRdma(r.rdma));
    const unified = planUnified(r.unified);
    if (unified.length > 0) plan.push(this.onUnified(this.unifiedForKeys(unified), unified));

    checkPlan(plan);
    executePlan(plan);
    const devicesDir = this.usableDir('devices');
    if (devices && devicesDir) checkDevices(devicesDir, devices);
  }

  addProcess(pid: number): void {
    const unified = this.usableDir('');
    for (const dir of this.uniqueDirs()) {
      // The cgroup2 side of a hybrid host is an extra: a container created while it was not
      // usable has no directory there.
      if (dir === unified && !dirExists(dir)) continue;
      writeCgroupFile(dir, 'cgroup.procs', String(pid));
    }
  }

  pids(): number[] {
    for (const key of [...LISTING_ORDER, '']) {
      const dir = this.usableDir(key);
      if (dir && dirExists(dir)) return readProcsRecursive(dir);
    }
    return [];
  }

  freeze(): void {
    const dir = this.freezerDir();
    if (dir === undefined) throw new Error('cannot freeze: this host has no cgroup v1 freezer hierarchy and no usable cgroup2 mount');
    if (dir.v2) freezeV2(dir.path);
    else freezeV1(dir.path);
  }

  /** A cgroup that is gone is not frozen: nothing to do. */
  thaw(): void {
    const dir = this.freezerDir();
    if (dir === undefined || !dirExists(dir.path)) return;
    if (dir.v2) thawV2(dir.path);
    else thawV1(dir.path);
  }

  frozen(): boolean {
    return isFrozenDir(this.freezerDir());
  }

  stats(): CgroupStats {
    const sizes = hostHugePageSizes();
    const stats = collectStatsV1((controller) => this.probe(controller), sizes);
    const unifiedDir = this.usableDir('');
    if (!this.allPaths.hugetlb && unifiedDir && controllersOf(unifiedDir).has('hugetlb')) {
      stats.hugetlb = hugetlbStatsV2(dirProbe(unifiedDir), sizes);
    }
    return stats;
  }

  oomKillCount(): number {
    return oomKillCountV1(this.probe('memory'));
  }

  killAll(signal: number): void {
    // An empty cgroup stays empty (nothing in it can fork): no freeze needed. The common case
    // at delete, where the init's death took its pid namespace with it.
    if (this.pids().length === 0) return;
    const freezer = this.freezerDir();
    const canFreeze = freezer !== undefined && dirExists(freezer.path);
    const wasFrozen = canFreeze && this.frozen();
    if (canFreeze && !wasFrozen) this.freeze();
    try {
      signalPids(this.pids(), signal);
    } finally {
      if (canFreeze && !wasFrozen) this.thaw();
    }
  }

  destroy(): void {
    removeCgroupTrees(this.uniqueDirs());
  }

  exists(): boolean {
    return this.uniqueDirs().some(dirExists);
  }

  /** Co-mounted controllers ("cpu,cpuacct") share a directory. */
  private uniqueDirs(): string[] {
    const dirs: string[] = [];
    for (const [key, dir] of Object.entries(this.allPaths)) {
      if (!this.unavailable.has(key) && !dirs.includes(dir)) dirs.push(dir);
    }
    return dirs;
  }

  private usableDir(key: string): string | undefined {
    return this.unavailable.has(key) ? undefined : this.allPaths[key];
  }

  private denial(key: string): { denied?: string } {
    const why = this.denied.has(key) ? this.unavailable.get(key) : undefined;
    return why === undefined ? {} : { denied: why };
  }

  private whyMissing(key: string): string {
    return this.unavailable.get(key) ?? `no cgroup v1 ${key} hierarchy is mounted`;
  }

  private probe(key: string): CgroupProbe {
    const dir = this.usableDir(key);
    return dir ? dirProbe(dir) : absentProbe();
  }

  private freezerDir(): FreezerDir | undefined {
    return freezerDir((key) => this.usableDir(key));
  }

  /**
   * The cgroup2 directory, when a setting needs `controller`, no v1 hierarchy has it and the
   * cgroup2 hierarchy offers it. The controller is enabled on the way down only then: enabling
   * it claims it for v2, and no v1 hierarchy can mount it afterwards.
   */
  private unifiedFallback(controller: string, needed: boolean): string | undefined {
    const dir = this.usableDir('');
    const mount = this.hierarchies.unified?.mountpoint;
    if (!needed || this.hierarchies.v1.has(controller) || !dir || !mount || !dirExists(dir)) return undefined;
    if (!controllersOf(mount).has(controller)) return undefined;
    enableControllersV2(mount, dir, [controller]);
    return dir;
  }

  /** Where `unified` keys go: the cgroup2 directory, with the controllers the keys name enabled. */
  private unifiedForKeys(writes: readonly CgroupWrite[]): string | undefined {
    const dir = this.usableDir('');
    const mount = this.hierarchies.unified?.mountpoint;
    if (!dir || !mount || !dirExists(dir)) return undefined;
    const controllers = [...new Set(writes.map((w) => unifiedKeyController(w.file)))].filter((c) => c !== 'cgroup');
    const bound = controllers.find((c) => this.hierarchies.v1.has(c));
    if (bound) {
      const w = writes.find((x) => unifiedKeyController(x.file) === bound);
      throw new CgroupResourceError(w?.field ?? 'linux.resources.unified', `the "${bound}" controller is mounted as cgroup v1 on this host`);
    }
    enableControllersV2(mount, dir, controllers);
    return dir;
  }

  private onUnified(dir: string | undefined, writes: CgroupWrite[]): PlannedDir {
    const missing = this.hierarchies.unified
      ? this.unavailable.get('') ?? 'the cgroup2 directory of this hybrid host is not usable'
      : 'this host has only cgroup v1: unified keys need cgroup v2';
    return { dir, writes: dir ? explainMissingControllers(dir, writes) : writes, missing, ...this.denial('') };
  }
}

function deviceWrite(rule: DeviceRule): CgroupWrite {
  return {
    field: rule.field ?? `default device rule "${v1RuleLine(rule)}"`,
    file: rule.allow ? 'devices.allow' : 'devices.deny',
    value: v1RuleLine(rule),
  };
}

/** After the writes, the kernel's list must be what the rules mean, or a rule went unapplied. */
function checkDevices(dir: string, wanted: DeviceState): void {
  const actual = parseDevicesList(readCgroupFile(dir, 'devices.list'));
  if (!sameDeviceState(actual, wanted)) {
    throw new CgroupResourceError('linux.resources.devices', `${dir}/devices.list does not match the rules after applying them`);
  }
}
