import type { LinuxResources } from '../../spec/types.js';
import type { CgroupManager } from '../manager.js';
import type { CgroupStats } from '../stats.js';
import { V2Manager } from '../v2/manager.js';
import { annotationProperties } from './annotations.js';
import type { BusChoice, SystemdBus } from './bus.js';
import { oomPolicyProperty, resourceProperties, scopeProperties } from './properties.js';
import type { UnitProperty } from './unit-property.js';

// The systemd cgroup driver (--systemd-cgroup) on cgroup v2, as runc's: the container's cgroup is
// a transient scope with Delegate=yes, started over D-Bus with the init in it and the resource
// properties systemd knows; then everything (systemd-known or not) is written through cgroupfs in
// the delegated directory, where freeze, stats, kill and exec work as with the cgroupfs driver.
//
// systemd makes a scope's cgroup only with a process to put in it, so the unit starts with the
// init as soon as it exists (adopt()), before its rootfs work: the init's cgroup mounts bind
// that directory. The cgroupfs driver's late join, which leaves the init's set-up memory with
// the runtime, therefore does not apply under this driver.

export interface SystemdCgroupOptions {
  unit: string;
  slice: string;
  /** Path inside the cgroup2 hierarchy, e.g. "/system.slice/ocirun-abc.scope". */
  path: string;
  dir: string;
  mountpoint: string;
  bus: BusChoice;
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
    this.fs = new V2Manager(o.path, o.dir, o.mountpoint);
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
    if (this.started) {
      this.fs.apply(resources);
      return;
    }
    SystemdManager.check(resources);
    this.pending = resources;
  }

  async adopt(pid: number): Promise<void> {
    const start = this.o.create;
    if (!start || this.started) throw new Error(`internal: ${this.unit} was started already`);
    await this.withBus(async (bus) => {
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
    await this.withBus(async (bus) => {
      const converted = resourceProperties(resources, await bus.version());
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

  private async withBus<T>(fn: (bus: SystemdBus) => Promise<T>): Promise<T> {
    const { connectSystemd } = await import('./bus.js');
    const bus = await connectSystemd(this.o.bus);
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
