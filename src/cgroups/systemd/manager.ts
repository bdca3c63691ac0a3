import { posix } from 'node:path';
import type { LinuxResources } from '../../spec/types.js';
import type { CgroupManager } from '../manager.js';
import type { CgroupStats } from '../stats.js';
import { absentProbe, CgroupResourceError } from '../plan.js';
import { controllersOf } from '../v2/create.js';
import { planWritesV2, V2Manager } from '../v2/manager.js';
import { annotationProperties } from './annotations.js';
import type { BusChoice, SystemdBus } from './bus.js';
import { oomPolicyProperty, resourceProperties, scopeProperties } from './properties.js';
import type { UnitProperty } from './unit-property.js';
import { neededControllers, undelegatedController } from './user-manager.js';

// The systemd cgroup driver (--systemd-cgroup) on cgroup v2, as runc's: the container's cgroup is
// a transient scope with Delegate=yes, started over D-Bus with the init in it and the resource
// properties systemd knows; then everything (systemd-known or not) is written through cgroupfs in
// the delegated directory, where freeze, stats, kill and exec work as with the cgroupfs driver.
//
// systemd makes a scope's cgroup only with a process to put in it, so the unit starts with the
// init as soon as it exists (adopt()), before its rootfs work: the init's cgroup mounts bind
// that directory. The cgroupfs driver's late join, which leaves the init's set-up memory with
// the runtime, therefore does not apply under this driver.
//
// Rootless, the unit is the user manager's (user-manager.ts): it lies below user@UID.service, gets
// only the controllers that manager was delegated (a limit needing another is refused before the
// unit exists), and no device rules (as with the cgroupfs driver rootless: an unprivileged caller
// cannot load a device program, and its container opens only what the user could anyway).

export interface SystemdCgroupOptions {
  unit: string;
  slice: string;
  /** Path inside the cgroup2 hierarchy, e.g. "/system.slice/ocirun-abc.scope". */
  path: string;
  dir: string;
  mountpoint: string;
  /** Which manager to ask; resolved when a command first talks to it (most never do). */
  bus: () => BusChoice;
  /** The user manager's cgroup when `bus` is a user's, e.g. "/user.slice/user-1000.slice/user@1000.service". */
  managerCgroup?: string;
  /** Set when creating; absent when opening the cgroup of an existing container. */
  create?: { description: string; annotations: UnitProperty[] };
}

export class SystemdManager implements CgroupManager {
  readonly version = 2 as const;
  readonly driver = 'systemd' as const;
  readonly unit: string;
  readonly path: string;
  private readonly fs: V2Manager;
  /** Resources given to apply() before the unit exists: they go with its start. */
  private pending: LinuxResources | undefined;
  private started: boolean;

  constructor(private readonly o: SystemdCgroupOptions) {
    this.unit = o.unit;
    this.path = o.path;
    this.fs = new V2Manager(o.path, o.dir, o.mountpoint, o.managerCgroup === undefined ? undefined : { skipDenied: false });
    this.started = o.create === undefined;
  }

  /** Checks what can be checked without systemd: the annotations (done by the factory) and the resources. */
  static check(resources: LinuxResources): void {
    resourceProperties(resources, Number.MAX_SAFE_INTEGER);
  }

  get paths(): Readonly<Record<string, string>> {
    return this.fs.paths;
  }

  /** Nothing yet: the unit is started with the init, in adopt(). */
  create(): void {}

  apply(resources: LinuxResources): void {
    const r = this.applicable(resources);
    if (this.started) {
      this.fs.apply(r);
      return;
    }
    SystemdManager.check(r);
    this.pending = r;
  }

  async adopt(pid: number): Promise<void> {
    const start = this.o.create;
    if (!start || this.started) throw new Error(`internal: ${this.unit} was started already`);
    await this.withBus(async (bus) => {
      await this.checkManager(bus);
      const version = await bus.version();
      const resources = this.pending ? resourceProperties(this.pending, version) : undefined;
      const properties = [
        ...scopeProperties({ slice: this.o.slice, description: start.description, pid }),
        // runc sets annotations at start and the resources after, so the resources win.
        ...start.annotations,
        ...(resources?.properties ?? []),
        ...oomPolicyProperty(this.pending, version),
      ];
      this.started = true;
      await bus.startTransientUnit(this.unit, properties);
      this.fs.create();
      if (resources) this.fs.apply(resources.resources);
    });
  }

  async update(resources: LinuxResources): Promise<void> {
    const r = this.applicable(resources);
    await this.withBus(async (bus) => {
      const converted = resourceProperties(r, await bus.version());
      await bus.setUnitProperties(this.unit, converted.properties);
      this.fs.apply(converted.resources);
    });
  }

  /** Stops the unit (systemd removes its cgroup) and removes what systemd left: sub-cgroups of the delegated tree. */
  async remove(): Promise<void> {
    if (this.started) await this.withBus((bus) => bus.stopUnit(this.unit));
    this.fs.destroy();
  }

  addProcess(pid: number): void {
    this.fs.addProcess(pid);
  }

  pids(): number[] {
    return this.fs.pids();
  }

  freeze(): void {
    this.fs.freeze();
  }

  thaw(): void {
    this.fs.thaw();
  }

  frozen(): boolean {
    return this.fs.frozen();
  }

  stats(): CgroupStats {
    return this.fs.stats();
  }

  oomKillCount(): number {
    return this.fs.oomKillCount();
  }

  killAll(signal: number): void {
    this.fs.killAll(signal);
  }

  destroy(): void {
    this.fs.destroy();
  }

  exists(): boolean {
    return this.fs.exists();
  }

  /**
   * Under a user manager: the resources without device rules, and an error for a limit whose
   * controller that manager was not delegated (systemd would take the property and not apply it).
   */
  private applicable(resources: LinuxResources): LinuxResources {
    const manager = this.o.managerCgroup;
    if (manager === undefined) return resources;
    const { devices: _devices, ...rest } = resources;
    const managerDir = posix.join(this.o.mountpoint, manager);
    const missing = undelegatedController(controllersOf(managerDir), neededControllers(planWritesV2(rest, absentProbe())), managerDir);
    if (missing) throw new CgroupResourceError(missing.field, missing.message);
    return rest;
  }

  /** The unit's cgroup was predicted from the manager's uid: the manager must agree, or the record would name the wrong cgroup. */
  private async checkManager(bus: SystemdBus): Promise<void> {
    const expected = this.o.managerCgroup;
    if (expected === undefined) return;
    const actual = await bus.controlGroup();
    if (actual !== expected) {
      throw new Error(`--systemd-cgroup: the user's systemd manager runs in the cgroup ${actual}, not ${expected} where systemd places user@UID.service; ocirun cannot place its units there`);
    }
  }

  private async withBus<T>(fn: (bus: SystemdBus) => Promise<T>): Promise<T> {
    const { connectSystemd } = await import('./bus.js');
    const bus = await connectSystemd(this.o.bus());
    try {
      return await fn(bus);
    } finally {
      bus.close();
    }
  }
}

/** Parses the org.systemd.property.* annotations up front, so a bad one fails before anything exists. */
export function startOptions(id: string, annotations: Readonly<Record<string, string>> | undefined): NonNullable<SystemdCgroupOptions['create']> {
  return { description: `ocirun container ${id}`, annotations: annotationProperties(annotations) };
}
