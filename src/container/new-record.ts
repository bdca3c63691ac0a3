import type { CgroupManager } from '../cgroups/manager.js';
import type { Spec } from '../spec/types.js';
import { SPEC_VERSION } from '../spec/version.js';
import { selfIdentity } from '../state/process-identity.js';
import { nowEpochNs, rfc3339Nano, type ContainerRecord } from '../state/record.js';

/**
 * The record `create` and `restore` save before anything exists that needs cleaning up: it
 * names the cgroup and this process as the one still building the container, so a build killed
 * at any later point is found by `delete --force`.
 */
export function buildingRecord(id: string, bundle: string, rootfs: string, spec: Spec, cgroup: CgroupManager): ContainerRecord {
  const record: ContainerRecord = {
    ociVersion: SPEC_VERSION,
    id,
    pid: 0,
    pidStartTime: 0,
    bundle,
    rootfs,
    created: rfc3339Nano(nowEpochNs()),
    owner: '',
    cgroupPath: cgroup.path,
    cgroupPaths: { ...cgroup.paths },
    ...(cgroup.unit !== undefined ? { systemdUnit: cgroup.unit } : {}),
    config: spec,
    creating: selfIdentity(),
  };
  if (spec.annotations) record.annotations = spec.annotations;
  return record;
}
