// Fates of the fields of issue 14's mounts/network part: idmapped mounts, netDevices and
// rootfsPropagation, each proven by a container (conformance/). How to add a row: table.ts.
import { applied, refused, under, type FateRow } from './table.js';

const IDMAP = 'conformance/mounts/idmapped.test.ts';
const NETDEV = 'conformance/namespaces/net-devices.test.ts';
const PROPAGATION = 'conformance/mounts/root-propagation.test.ts';

export const rows: FateRow[] = [
  applied(IDMAP, 'the mount\'s own mapping: host uid 100000 is root inside; a plain bind shows nobody',
    ...under('mounts[].uidMappings', '', '[].containerID', '[].hostID', '[].size'), ...under('mounts[].gidMappings', '', '[].containerID', '[].hostID', '[].size')),
  applied(NETDEV, 'moves, renames, keeps the permanent global addresses and sets the device up', ...under('linux.netDevices', '', '.*', '.*.name')),
  refused(NETDEV, 'a missing device is an error at create, naming it', 'the host has no such device', 'linux.netDevices.*'),
  refused(NETDEV, 'a name already taken inside, without %d, is an error; the device stays on the host as it was', 'the name is taken in the container\'s network namespace', 'linux.netDevices.*.name'),
  applied(PROPAGATION, 'shared: a new peer group, no longer the host\'s; a bind of "/" inside receives mounts made under "/"', 'linux.rootfsPropagation'),
];
