// The criu command lines of `checkpoint` and `restore`, built from the container's config and
// runc's flags. Pure data: the effects are in criu/run.ts and container/checkpoint.ts, restore.ts.
import { findNamespace } from '../spec/rules.js';
import type { Mount, Spec } from '../spec/types.js';

export type ManageCgroupsMode = 'soft' | 'full' | 'strict' | 'ignore';
export const MANAGE_CGROUPS_MODES: readonly ManageCgroupsMode[] = ['soft', 'full', 'strict', 'ignore'];

/** runc's --empty-ns takes namespace names as in config.json; CRIU knows these. */
const EMPTY_NS: Readonly<Record<string, string>> = { network: 'net' };

export interface CommonCriuFlags {
  imagePath: string;
  workPath: string;
  tcpEstablished: boolean;
  extUnixSk: boolean;
  shellJob: boolean;
  fileLocks: boolean;
  manageCgroupsMode?: ManageCgroupsMode;
  /** The org.criu.config annotation: a CRIU configuration file. */
  configFile?: string;
}

export interface DumpFlags extends CommonCriuFlags {
  parentPath?: string;
  leaveRunning: boolean;
  preDump: boolean;
  emptyNs: string[];
  autoDedup: boolean;
  lazyPages: boolean;
  pageServer?: string;
  statusFd?: number;
}

export interface DumpTarget {
  pid: number;
  /** The host path of the container's rootfs. */
  root: string;
  /** The v2 directory or v1 freezer directory CRIU freezes the container through. */
  freezeCgroup?: string;
  /** Masked paths that are files in the container (masked with /dev/null binds). */
  maskedFiles: string[];
  /** Where the container's own cgroup directories are bound (cgroupBinds): external to CRIU. */
  cgroupBinds?: string[];
  /** Namespaces the config joined by path: CRIU leaves them out and restore joins them again. */
  externalNs?: Array<{ type: ExternalNsType; inode: number }>;
}

/** The namespaces runc lets a checkpoint share with the outside (CRIU can take only these). */
export type ExternalNsType = 'network' | 'pid';
const NS_KEY: Readonly<Record<ExternalNsType, string>> = { network: 'extRootNetNS', pid: 'extRootPidNS' };
const NS_CRIU: Readonly<Record<ExternalNsType, string>> = { network: 'net', pid: 'pid' };

/** runc's key for an external namespace (restore hands CRIU the new one under it). */
export function externalNsKey(type: ExternalNsType): string {
  return NS_KEY[type];
}

export interface RestoreTarget {
  /** A mount point holding the container's rootfs (CRIU wants --root to be one). */
  root: string;
  pidFile: string;
  /** cgroup root per controller ("" for all, as CRIU's --cgroup-root without a controller). */
  cgroupRoots: Record<string, string>;
  /** Files restore hands over: stdio replacing the dumped pipes ("pipe:[inode]"), namespaces to join. */
  inheritFds: Array<{ fd: number; key: string }>;
  actionScript?: string;
  lsmProfile?: string;
  lsmMountContext?: string;
  hasMaskedFiles: boolean;
  /** The new container's cgroup directories for the binds cgroupBinds names. */
  cgroupBinds?: Array<{ destination: string; source: string }>;
}

/**
 * Where a "cgroup" mount binds the container's own cgroup directories (init/cgroup-mount.ts):
 * the mount itself on cgroup v2, one directory per hierarchy name below it on v1. None when the
 * config joins a cgroup namespace, where the mount is a fresh one CRIU dumps itself.
 */
export function cgroupBinds(spec: Spec, hierarchyNames: string[] | 'unified'): string[] {
  if (findNamespace(spec, 'cgroup')?.path !== undefined) return [];
  return (spec.mounts ?? []).filter((m) => m.type === 'cgroup').flatMap((m) =>
    hierarchyNames === 'unified' ? [m.destination] : hierarchyNames.map((n) => `${m.destination}/${n}`));
}

/** Mounts CRIU cannot rebuild from its images: their source lies outside the container. */
export function externalMounts(spec: Spec): Mount[] {
  return (spec.mounts ?? []).filter(isBind);
}

function isBind(m: Mount): boolean {
  return m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');
}

function common(f: CommonCriuFlags): string[] {
  const args = ['--images-dir', f.imagePath, '--work-dir', f.workPath, '-v4'];
  // On CRIU's command line the flags win over the file's settings (over RPC, runc's, the file wins).
  if (f.configFile !== undefined) args.push('--config', f.configFile);
  if (f.tcpEstablished) args.push('--tcp-established');
  if (f.extUnixSk) args.push('--ext-unix-sk');
  if (f.shellJob) args.push('--shell-job');
  if (f.fileLocks) args.push('--file-locks');
  args.push('--manage-cgroups=' + (f.manageCgroupsMode ?? 'soft'));
  return args;
}

/** `criu dump` (or `pre-dump`) of the container whose init is target.pid. */
export function dumpArgs(spec: Spec, target: DumpTarget, f: DumpFlags): string[] {
  const args = [f.preDump ? 'pre-dump' : 'dump', '--tree', String(target.pid), '--root', target.root, ...common(f), '-o', f.preDump ? 'pre-dump.log' : 'dump.log'];
  if (f.parentPath !== undefined) args.push('--prev-images-dir', f.parentPath);
  if (f.preDump) {
    // CRIU's pre-dump leaves the tasks running by itself; these dump flags mean nothing to it.
    return args.concat('--track-mem');
  }
  if (f.parentPath !== undefined) args.push('--track-mem');
  if (target.freezeCgroup !== undefined) args.push('--freeze-cgroup', target.freezeCgroup);
  if (f.leaveRunning) args.push('--leave-running');
  if (f.autoDedup) args.push('--auto-dedup');
  for (const ns of f.emptyNs) args.push('--empty-ns', EMPTY_NS[ns] ?? ns);
  if (f.lazyPages) {
    args.push('--lazy-pages');
    if (f.pageServer !== undefined) args.push('--page-server', ...pageServerArgs(f.pageServer));
    if (f.statusFd !== undefined) args.push('--status-fd', String(f.statusFd));
  } else if (f.pageServer !== undefined) {
    args.push('--page-server', ...pageServerArgs(f.pageServer));
  }
  for (const m of externalMounts(spec)) args.push('--external', `mnt[${m.destination}]:${m.destination}`);
  for (const p of target.maskedFiles) args.push('--external', `mnt[${p}]:/dev/null`);
  for (const dest of target.cgroupBinds ?? []) args.push('--external', `mnt[${dest}]:${dest}`);
  for (const ns of target.externalNs ?? []) args.push('--external', `${NS_CRIU[ns.type]}[${ns.inode}]:${NS_KEY[ns.type]}`);
  return args;
}

/** runc's --page-server ADDRESS:PORT (CRIU takes the address and the port apart). */
export function pageServerArgs(value: string): string[] {
  const colon = value.lastIndexOf(':');
  const port = Number(value.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`--page-server: expected ADDRESS:PORT, got ${JSON.stringify(value)}`);
  }
  return ['--address', value.slice(0, colon), '--port', String(port)];
}

/** `criu restore` into target.root, detached, the restored init a child of the caller. */
export function restoreArgs(spec: Spec, target: RestoreTarget, f: CommonCriuFlags): string[] {
  const args = ['restore', '--root', target.root, ...common(f), '-o', 'restore.log', '--restore-detached', '--restore-sibling', '--pidfile', target.pidFile, '--evasive-devices'];
  for (const [ctrl, path] of Object.entries(target.cgroupRoots)) args.push('--cgroup-root', ctrl === '' ? path : `${ctrl}:${path}`);
  for (const m of externalMounts(spec)) args.push('--external', `mnt[${m.destination}]:${m.source ?? m.destination}`);
  if (target.hasMaskedFiles) args.push('--external', 'mnt[/dev/null]:/dev/null');
  for (const b of target.cgroupBinds ?? []) args.push('--external', `mnt[${b.destination}]:${b.source}`);
  for (const { fd, key } of target.inheritFds) args.push('--inherit-fd', `fd[${fd}]:${key}`);
  if (target.actionScript !== undefined) args.push('--action-script', target.actionScript);
  if (target.lsmProfile !== undefined) args.push('--lsm-profile', target.lsmProfile);
  if (target.lsmMountContext !== undefined) args.push('--lsm-mount-context', target.lsmMountContext);
  return args;
}

/** runc's descriptors.json: what fds 0–2 of the init were, so restore can hand pipes back. */
export function inheritedPipes(descriptors: readonly string[]): Array<{ fd: number; key: string }> {
  const out: Array<{ fd: number; key: string }> = [];
  descriptors.forEach((key, fd) => {
    if (fd <= 2 && key.startsWith('pipe:')) out.push({ fd, key });
  });
  return out;
}

/** "Version: 3.17.1" (first line of `criu --version`) as 31701, runc's comparable number. */
export function parseCriuVersion(output: string): number | undefined {
  const m = /^Version:\s*(\d+)\.(\d+)(?:\.(\d+))?/m.exec(output);
  if (!m) return undefined;
  return Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3] ?? 0);
}
