import { openCgroupManager, type CgroupManager } from '../cgroups/manager.js';
import type { ContainerRecord } from './record.js';

/** The cgroup a container was created in, or undefined when it has none of its own. */
export function cgroupOf(rec: Pick<ContainerRecord, 'cgroupPath' | 'cgroupPaths' | 'systemdUnit'>): CgroupManager | undefined {
  if (rec.cgroupPath === undefined) return undefined;
  return openCgroupManager(rec.cgroupPath, rec.cgroupPaths, rec.systemdUnit);
}
