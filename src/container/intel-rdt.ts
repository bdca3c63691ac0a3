import { readFileSync } from 'node:fs';
import {
  joinRdtGroup, planIntelRdt, writeRdtSchemata, rdtDirsToRemove, removeRdtDirs, requireResctrl, resctrlMount, setUpRdtGroup, type RdtPlan,
} from '../cgroups/resctrl.js';
import type { LinuxIntelRdt, Spec } from '../spec/types.js';

// linux.intelRdt across the lifecycle: checked before create claims anything, the group made
// with the cgroup, every process of the container (init and exec) put into it, removed at delete.

export interface ContainerRdt {
  root: string;
  plan: RdtPlan;
}

/** The container's resctrl group, or undefined without linux.intelRdt; an error where the host has no resctrl. */
export function containerRdt(spec: Pick<Spec, 'linux'>, id: string): ContainerRdt | undefined {
  const rdt = spec.linux?.intelRdt;
  if (!rdt) return undefined;
  const plan = planIntelRdt(rdt, id);
  return { root: requireResctrl(), plan };
}

/** Makes the group; returns its undo. */
export function setUpContainerRdt(r: ContainerRdt): () => void {
  const made = setUpRdtGroup(r.root, r.plan);
  return () => removeRdtDirs(made);
}

export function joinContainerRdt(r: ContainerRdt | undefined, pid: number): void {
  if (r) joinRdtGroup(r.root, r.plan, pid);
}

/** delete: the monitoring group, and the group if ocirun made it; nothing when resctrl is gone. */
export function removeContainerRdt(spec: Pick<Spec, 'linux'>, id: string): void {
  const rdt = spec.linux?.intelRdt;
  if (!rdt) return;
  const root = resctrlMount(readFileSync('/proc/self/mountinfo', 'utf8'));
  if (root !== undefined) removeRdtDirs(rdtDirsToRemove(root, planIntelRdt(rdt, id)));
}

/**
 * `update --l3-cache-schema/--mem-bw-schema`: the new schemata written to the container's group;
 * returns the container's intelRdt with them, for state.json. As runc, a container created
 * without linux.intelRdt cannot get one by update.
 */
export function updateContainerRdt(spec: Pick<Spec, 'linux'>, id: string, change: Pick<LinuxIntelRdt, 'l3CacheSchema' | 'memBwSchema'>): LinuxIntelRdt {
  const current = spec.linux?.intelRdt;
  const flag = change.l3CacheSchema !== undefined ? '--l3-cache-schema' : '--mem-bw-schema';
  if (!current) throw new Error(`${flag}: the container was created without linux.intelRdt, and update cannot add an Intel RDT configuration`);
  const updated: LinuxIntelRdt = { ...current, ...change };
  const r = containerRdt({ linux: { intelRdt: updated } }, id) as ContainerRdt;
  const fresh = planIntelRdt({ ...change }, id).schemata;
  writeRdtSchemata(r.root, r.plan, fresh);
  return updated;
}
