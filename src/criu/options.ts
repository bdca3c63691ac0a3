// The CRIU RPC requests of `checkpoint` and `restore`, built from the container's config and
// runc's flags. Pure data: the effects are in criu/swrk.ts and container/checkpoint.ts, restore.ts.
import { findNamespace } from '../spec/rules.js';
import type { Mount, Spec } from '../spec/types.js';
import type { CriuCgMode, CriuOptsWithoutDirs, CriuReqType, CriuRequest } from './rpc-schema.js';

export type ManageCgroupsMode = 'soft' | 'full' | 'strict' | 'ignore';
export const MANAGE_CGROUPS_MODES: readonly ManageCgroupsMode[] = ['soft', 'full', 'strict', 'ignore'];

/** runc's --empty-ns takes namespace names as in config.json; CRIU's empty_ns is their clone flags. */
const EMPTY_NS: Readonly<Record<string, number>> = { network: 0x40000000 };

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
  /** Namespaces (config.json names) CRIU makes empty instead of dumping or restoring them. */
  emptyNs: string[];
  autoDedup: boolean;
  /** Dump: the pages stay to be served lazily; restore: they are fetched from CRIU's lazy-pages daemon. */
  lazyPages: boolean;
}

export interface DumpFlags extends CommonCriuFlags {
  parentPath?: string;
  leaveRunning: boolean;
  preDump: boolean;
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
  /** cgroup root per controller ("" for all, as CRIU's --cgroup-root without a controller). */
  cgroupRoots: Record<string, string>;
  /** Files restore hands over: stdio replacing the dumped pipes ("pipe:[inode]"), namespaces to join. */
  inheritFds: Array<{ fd: number; key: string }>;
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

const CG_MODE: Readonly<Record<ManageCgroupsMode, CriuCgMode>> = { soft: 'SOFT', full: 'FULL', strict: 'STRICT', ignore: 'IGNORE' };

function common(f: CommonCriuFlags, logFile: string): CriuOptsWithoutDirs {
  return {
    logLevel: 4,
    logFile,
    // Over RPC CRIU reads the configuration file after the request, so its settings win (runc's order).
    ...(f.configFile !== undefined ? { configFile: f.configFile } : {}),
    tcpEstablished: f.tcpEstablished,
    extUnixSk: f.extUnixSk,
    shellJob: f.shellJob,
    fileLocks: f.fileLocks,
    manageCgroups: true,
    manageCgroupsMode: CG_MODE[f.manageCgroupsMode ?? 'soft'],
    // Notifications come over the socket: hooks, the pty master, the lazy-pages status.
    notifyScripts: true,
    // A terminal container's pty slave has its master outside (at the console socket's receiver).
    orphanPtsMaster: true,
  };
}

/** The log file CRIU writes in the work directory for this request. */
export function logFileOf(type: CriuReqType): string {
  return type === 'PRE_DUMP' ? 'pre-dump.log' : type === 'RESTORE' ? 'restore.log' : 'dump.log';
}

/** The DUMP (or PRE_DUMP) request for the container whose init is target.pid. */
export function dumpRequest(spec: Spec, target: DumpTarget, f: DumpFlags): CriuRequest {
  const type: CriuReqType = f.preDump ? 'PRE_DUMP' : 'DUMP';
  const opts: CriuOptsWithoutDirs = { ...common(f, logFileOf(type)), pid: target.pid, root: target.root };
  if (target.freezeCgroup !== undefined) opts.freezeCgroup = target.freezeCgroup;
  if (f.parentPath !== undefined) opts.parentImg = f.parentPath;
  if (f.pageServer !== undefined) opts.ps = pageServer(f.pageServer);
  if (f.preDump) {
    // CRIU's pre-dump leaves the tasks running by itself; the dump's own settings mean nothing to it.
    return { type, opts: { ...opts, trackMem: true } };
  }
  if (f.parentPath !== undefined) opts.trackMem = true;
  if (f.leaveRunning) opts.leaveRunning = true;
  Object.assign(opts, pagesAndNamespaces(f));
  opts.external = [
    ...externalMounts(spec).map((m) => `mnt[${m.destination}]:${m.destination}`),
    ...target.maskedFiles.map((p) => `mnt[${p}]:/dev/null`),
    ...(target.cgroupBinds ?? []).map((dest) => `mnt[${dest}]:${dest}`),
    ...(target.externalNs ?? []).map((ns) => `${NS_CRIU[ns.type]}[${ns.inode}]:${NS_KEY[ns.type]}`),
  ];
  return { type, opts };
}

/** What dump and restore both pass on as runc does: --auto-dedup, --lazy-pages, --empty-ns. */
function pagesAndNamespaces(f: CommonCriuFlags): Pick<CriuOptsWithoutDirs, 'autoDedup' | 'lazyPages' | 'emptyNs'> {
  const emptyNs = f.emptyNs.reduce((mask, ns) => mask | emptyNsFlag(ns), 0);
  return {
    ...(f.autoDedup ? { autoDedup: true } : {}),
    ...(f.lazyPages ? { lazyPages: true } : {}),
    ...(emptyNs !== 0 ? { emptyNs } : {}),
  };
}

function emptyNsFlag(ns: string): number {
  const flag = EMPTY_NS[ns];
  if (flag === undefined) throw new Error(`--empty-ns: expected one of ${Object.keys(EMPTY_NS).join(', ')}, got ${JSON.stringify(ns)}`);
  return flag;
}

/** runc's --page-server ADDRESS:PORT (CRIU takes the address and the port apart). */
export function pageServer(value: string): { address: string; port: number } {
  const colon = value.lastIndexOf(':');
  const port = Number(value.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`--page-server: expected ADDRESS:PORT, got ${JSON.stringify(value)}`);
  }
  return { address: value.slice(0, colon), port };
}

/** The RESTORE request into target.root, the restored init a sibling of CRIU (our child). */
export function restoreRequest(spec: Spec, target: RestoreTarget, f: CommonCriuFlags): CriuRequest {
  const opts: CriuOptsWithoutDirs = {
    ...common(f, logFileOf('RESTORE')),
    root: target.root,
    rstSibling: true,
    evasiveDevices: true,
    cgRoot: Object.entries(target.cgroupRoots).map(([ctrl, path]) => (ctrl === '' ? { path } : { ctrl, path })),
    external: [
      ...externalMounts(spec).map((m) => `mnt[${m.destination}]:${m.source ?? m.destination}`),
      ...(target.hasMaskedFiles ? ['mnt[/dev/null]:/dev/null'] : []),
      ...(target.cgroupBinds ?? []).map((b) => `mnt[${b.destination}]:${b.source}`),
    ],
    inheritFd: target.inheritFds.map(({ fd, key }) => ({ key, fd })),
    ...pagesAndNamespaces(f),
  };
  if (target.lsmProfile !== undefined) opts.lsmProfile = target.lsmProfile;
  if (target.lsmMountContext !== undefined) opts.lsmMountContext = target.lsmMountContext;
  return { type: 'RESTORE', opts };
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
