import * as K from '../linux/constants.js';

// Which namespaces of the container's init an exec'd process joins, in which order. Every one
// the init does not share with the runtime: that covers new namespaces and ones joined by path
// alike, and skips what the container shares with the host (setns into one's own user
// namespace is even an error).

export interface NamespaceJoin {
  /** The entry under /proc/<pid>/ns. */
  file: string;
  flag: number;
}

/**
 * User first: it grants the capabilities the other joins need. Mount last: it resets the root
 * and cwd. Pid changes only the children's namespace: the runtime enters it around the fork
 * (forkInPidNamespace) and the child skips it.
 */
const ORDER: readonly NamespaceJoin[] = [
  { file: 'user', flag: K.CLONE_NEWUSER },
  { file: 'ipc', flag: K.CLONE_NEWIPC },
  { file: 'uts', flag: K.CLONE_NEWUTS },
  { file: 'net', flag: K.CLONE_NEWNET },
  { file: 'pid', flag: K.CLONE_NEWPID },
  { file: 'cgroup', flag: K.CLONE_NEWCGROUP },
  { file: 'time', flag: K.CLONE_NEWTIME },
  { file: 'mnt', flag: K.CLONE_NEWNS },
];

/** Identity of each namespace (inode of /proc/<pid>/ns/<file>); absent when the kernel lacks the type. */
export type NamespaceIds = Readonly<Record<string, number | undefined>>;

export function planNamespaceJoins(init: NamespaceIds, self: NamespaceIds): NamespaceJoin[] {
  return ORDER.filter((ns) => init[ns.file] !== undefined && init[ns.file] !== self[ns.file]);
}

export const NAMESPACE_FILES: readonly string[] = ORDER.map((ns) => ns.file);
