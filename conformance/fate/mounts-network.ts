// Fates of the fields the mounts/network branch (issue 14: idmapped mounts, netDevices,
// rootfsPropagation) owns. Until it lands they are what this branch proves: idmapped mounts and
// netDevices refused by name, rootfsPropagation's mapping. That branch replaces these rows
// with its conformance tests. How to add a row: table.ts.
import { applied, refused, under, type FateRow } from './table.js';

const UNSUPPORTED = 'test/unit/init/unsupported.test.ts';

export const rows: FateRow[] = [
  refused(UNSUPPORTED, '%# refuses with the field name', 'idmapped mounts are not implemented yet',
    ...under('mounts[].uidMappings', '', '[].containerID', '[].hostID', '[].size'), ...under('mounts[].gidMappings', '', '[].containerID', '[].hostID', '[].size')),
  refused(UNSUPPORTED, '%# refuses with the field name', 'moving host network devices is not implemented yet', ...under('linux.netDevices', '', '.*', '.*.name')),
  applied('test/unit/init/plan.test.ts', 'maps rootfsPropagation, defaulting to rslave', 'linux.rootfsPropagation'),
];
