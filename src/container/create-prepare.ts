import { createCgroupManager, runtimeCgroupDirs, type CgroupManager } from '../cgroups/manager.js';
import { detectHierarchies } from '../cgroups/detect.js';
import { primeCgroupMigration } from '../cgroups/migration.js';
import { refuseOccupiedCgroup } from '../cgroups/reuse.js';
import { cgroupLayout } from '../init/cgroup-layout.js';
import { cgroupBindSources, mountsFreshCgroup, type CgroupMounts } from '../init/cgroup-mount.js';
import { prepareIdmappedMounts } from '../init/idmapped-mounts.js';
import * as K from '../linux/constants.js';
import { closeQuietly, openNamespaceFile, socketpair } from '../linux/libc.js';
import type { ContainerRecord } from '../state/record.js';
import type { StateStore } from '../state/store.js';
import { faultPoint } from '../debug/fault.js';
import type { CreateOptions, CreatePlan } from './create-plan.js';
import { openConsole, type OpenedConsole } from './console-socket.js';
import { setUpContainerRdt } from './intel-rdt.js';
import { buildingRecord } from './new-record.js';
import { prepareSecurity, type PreparedSecurity } from './security.js';
import { makeStartGate } from './start-gate.js';
import type { UndoStack } from './undo.js';

/** Everything the fork hands to the init, and create keeps until it commits. */
export interface CreateResources {
  record: ContainerRecord;
  security: PreparedSecurity;
  /** O_PATH handle of exec.fifo. */
  fifoFd: number;
  cgroup: CgroupManager;
  /** Parallel to plan.init.namespaces.joins. */
  nsFds: number[];
  /** Parallel to plan.init.mounts. */
  idmapFds: number[];
  cgroupMounts: CgroupMounts;
  parentSock: number;
  childSock: number;
  tty: OpenedConsole | undefined;
}

/**
 * Everything that exists before the fork: the start gate, the record naming the cgroup, the
 * cgroup with its resources, the fds the init inherits. Each step pushes its own undo as soon
 * as it has something to undo, so a failure at any point leaves nothing behind.
 */
export function prepareCreate(o: CreateOptions, plan: CreatePlan, store: StateStore, undo: UndoStack): CreateResources {
  const { spec, init } = plan;
  const security = prepareSecurity(spec, o.log);
  undo.push(() => security.release());
  const fifoFd = makeStartGate(store.fifoPath(o.id));
  undo.push(() => closeQuietly(fifoFd));
  const hierarchies = o.hierarchies ?? detectHierarchies();
  const cgroup = createCgroupManager({ cgroupsPath: spec.linux?.cgroupsPath, id: o.id, hierarchies, systemd: o.systemdCgroup === true, annotations: spec.annotations, rootless: o.rootlessCgroups });
  // Before the record names it: a failed create must not destroy a cgroup it never owned.
  refuseOccupiedCgroup(cgroup, spec.linux?.cgroupsPath ? 'linux.cgroupsPath' : `container ${o.id}`);
  // Saved before anything exists that needs cleaning up: a create killed at any later point
  // leaves a record naming its cgroup and init, so `delete --force` finds everything.
  const record = buildingRecord(o.id, plan.bundle, init.rootfs, spec, cgroup);
  store.save(record);
  cgroup.create();
  undo.push(() => cgroup.remove());
  // A rootless create may have left hierarchies out: the record names only what exists.
  record.cgroupPaths = { ...cgroup.paths };
  if (Object.keys(record.cgroupPaths).length === 0) {
    delete record.cgroupPath;
    delete record.cgroupPaths;
  }
  if (spec.linux?.resources) cgroup.apply(spec.linux.resources);
  if (plan.rdt) undo.push(setUpContainerRdt(plan.rdt));
  // The CLI primed before loading the modules (cli/main.ts); that wait is over by now, and
  // the next move would wait again. Not before the cgroup exists: while it waits, the
  // kernel's cgroup mutex is held, and mkdir needs it.
  primeCgroupMigration(hierarchies);
  faultPoint('after-cgroup');
  const nsFds = init.namespaces.joins.map((j) => {
    try {
      return openNamespaceFile(j.path);
    } catch (err) {
      throw new Error(`linux.namespaces: cannot open the ${j.type} namespace ${JSON.stringify(j.path)}: ${(err as Error).message}`);
    }
  });
  undo.push(() => nsFds.forEach(closeQuietly));
  const idmapFds = prepareIdmappedMounts(init.mounts);
  undo.push(() => idmapFds.forEach(closeQuietly));
  const layout = cgroupLayout(hierarchies);
  const cgroupMounts: CgroupMounts = { layout };
  if (init.mounts.some((m) => m.kind === 'cgroup') && !mountsFreshCgroup(init.namespaces)) {
    // Where a rootless container has no cgroup of its own, it stays in ours: that is what it sees.
    const dirs = o.rootlessCgroups ? { ...runtimeCgroupDirs(hierarchies), ...cgroup.paths } : cgroup.paths;
    cgroupMounts.bindSources = cgroupBindSources(layout, dirs);
  }
  const [parentSock, childSock] = socketpair(K.AF_UNIX, K.SOCK_SEQPACKET | K.SOCK_CLOEXEC);
  undo.push(() => closeQuietly(parentSock));
  const tty = openConsole(plan.console, spec.process, true);
  undo.push(() => tty?.close());
  return { record, security, fifoFd, cgroup, nsFds, idmapFds, cgroupMounts, parentSock, childSock, tty };
}
