import { isAbsolute, join, resolve } from 'node:path';
import * as K from '../linux/constants.js';
import { childPath } from '../spec/json-path.js';
import { checkMountDestinations, checkUtsNames, findNamespace, PROCESS_REQUIRED } from '../spec/rules.js';
import { sysctlFile, sysctlProblem } from '../spec/sysctl.js';
import type { Hook, LinuxDevice, Mount, Spec } from '../spec/types.js';
import { parseMountOptions, PROPAGATION_WORDS, type ParsedMountOptions } from './mount-options.js';
import { labelMount, withMountLabel } from './mount-label.js';
import { enforce, fail, PlanError } from './plan-error.js';
import { planProcess, type ProcessPlan } from './process-plan.js';

// config.json -> the complete, plain-data plan the forked init executes. Everything that can
// be decided before fork is decided here: the child only makes syscalls from it, allocates
// little (its pages are charged to the container) and never has to load anything.

export const NAMESPACE_FLAGS: Readonly<Record<string, number>> = {
  pid: K.CLONE_NEWPID,
  network: K.CLONE_NEWNET,
  mount: K.CLONE_NEWNS,
  ipc: K.CLONE_NEWIPC,
  uts: K.CLONE_NEWUTS,
  user: K.CLONE_NEWUSER,
  cgroup: K.CLONE_NEWCGROUP,
  time: K.CLONE_NEWTIME,
};

export interface NamespacePlan {
  /** New namespaces other than user and cgroup: unshared by the intermediate process. */
  unshareFlags: number;
  newUser: boolean;
  /**
   * A new cgroup namespace: unshared by the init itself once create has moved it into the
   * container's cgroup, which becomes the namespace's root (the move comes late, see init.ts).
   */
  newCgroup: boolean;
  /** Existing namespaces given by path, joined with setns (user first). */
  joins: Array<{ path: string; type: string; flag: number }>;
  /** Content for /proc/self/timens_offsets, written before the init is forked into it. */
  timeOffsets?: string;
}

/**
 * An idmapped bind mount (config.md "idmap"/"ridmap", mounts[].uidMappings): create makes the
 * detached, idmapped copy of the source (container/idmapped-mounts.ts) and the init moves it in.
 */
export interface IdmapStep {
  /** ridmap: the mapping goes on the submounts of an rbind too. */
  recursive: boolean;
  /** A user namespace with these maps is made for the mapping... */
  uidMappings: string;
  gidMappings: string;
  /** ...unless the container joins one by path: its mapping is used as it is. */
  usernsPath?: string;
}

export interface MountStep {
  kind: 'bind' | 'fs' | 'cgroup';
  source: string;
  destination: string;
  type: string;
  options: ParsedMountOptions;
  /** Bind of a non-directory: the destination is created as an empty file. */
  fileDestination: boolean;
  idmap?: IdmapStep;
  /**
   * linux.mountLabel where the filesystem may refuse the context= option (mqueue: mount-label.ts):
   * the data to mount with then, and the label to set on the mount point instead.
   */
  labelFallback?: { data: string; label: string };
}

export interface DeviceStep {
  path: string;
  type: 'c' | 'b' | 'p' | 'u';
  major: number;
  minor: number;
  mode: number;
  uid: number;
  gid: number;
}

/** Everything the container's init does; the process part is shared with exec (ProcessPlan). */
export interface InitPlan extends ProcessPlan {
  rootfs: string;
  /**
   * A mount namespace of the container's own (new or joined). Without one the init changes
   * nothing in the runtime's mount table: no mounts, no pivot_root, only a chroot into the rootfs
   * (checks.ts refuses the fields that would need mounts).
   */
  mountNamespace: boolean;
  /**
   * mount(2) propagation flags applied to the new "/" after pivot_root or the move, in order;
   * empty keeps the rslave every mount gets first.
   */
  rootPropagation: number[];
  readonlyRoot: boolean;
  noPivot: boolean;
  namespaces: NamespacePlan;
  mounts: MountStep[];
  /** /dev is not bind-mounted from elsewhere: supply the default devices and symlinks. */
  defaultDevices: boolean;
  devices: DeviceStep[];
  maskedPaths: string[];
  /** Data of the tmpfs that masks a directory: linux.mountLabel's context option, or empty. */
  maskData: string;
  readonlyPaths: string[];
  hostname?: string;
  domainname?: string;
  sysctl: Array<[string, string]>;
  newKeyring: boolean;
  hooks: InitHooks;
}

/** The hooks the init runs itself, in the container's namespaces (config.md "POSIX-platform Hooks"). */
export interface InitHooks {
  /**
   * The init stops after the mounts, before pivot_root, for the runtime to run prestart and
   * createRuntime hooks and to hand over the state the init's own hooks get on stdin.
   */
  stopBeforePivot: boolean;
  createContainer: Hook[];
  startContainer: Hook[];
}

export interface PlanOptions {
  bundle: string;
  noPivot: boolean;
  noNewKeyring: boolean;
  preserveFds: number;
  isDirectory: (hostPath: string) => boolean;
}

/** Default /dev content when /dev is a fresh tmpfs (runc's set). */
export const DEFAULT_DEVICES: readonly DeviceStep[] = [
  { path: '/dev/null', type: 'c', major: 1, minor: 3, mode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/zero', type: 'c', major: 1, minor: 5, mode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/full', type: 'c', major: 1, minor: 7, mode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/random', type: 'c', major: 1, minor: 8, mode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/urandom', type: 'c', major: 1, minor: 9, mode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/tty', type: 'c', major: 5, minor: 0, mode: 0o666, uid: 0, gid: 0 },
];

export const DEFAULT_DEV_SYMLINKS: ReadonlyArray<readonly [string, string]> = [
  ['/proc/self/fd', '/dev/fd'],
  ['/proc/self/fd/0', '/dev/stdin'],
  ['/proc/self/fd/1', '/dev/stdout'],
  ['/proc/self/fd/2', '/dev/stderr'],
];

export function planNamespaces(spec: Spec): NamespacePlan {
  const plan: NamespacePlan = { unshareFlags: 0, newUser: false, newCgroup: false, joins: [] };
  for (const ns of spec.linux?.namespaces ?? []) {
    const flag = NAMESPACE_FLAGS[ns.type];
    if (flag === undefined) throw new PlanError(`linux.namespaces: unknown namespace type ${JSON.stringify(ns.type)}`);
    if (ns.path) plan.joins.push({ path: ns.path, type: ns.type, flag });
    else if (flag === K.CLONE_NEWUSER) plan.newUser = true;
    else if (flag === K.CLONE_NEWCGROUP) plan.newCgroup = true;
    else plan.unshareFlags |= flag;
  }
  plan.joins.sort((a, b) => Number(b.flag === K.CLONE_NEWUSER) - Number(a.flag === K.CLONE_NEWUSER));
  const offsets = spec.linux?.timeOffsets;
  if (offsets && Object.keys(offsets).length > 0) {
    plan.timeOffsets = Object.entries(offsets)
      .map(([clock, o]) => `${clock} ${o.secs ?? 0} ${o.nanosecs ?? 0}\n`)
      .join('');
  }
  return plan;
}

function idMapText(m: ReadonlyArray<{ containerID: number; hostID: number; size: number }> | undefined): string {
  return (m ?? []).map((e) => `${e.containerID} ${e.hostID} ${e.size}\n`).join('');
}

/**
 * config.md "idmap"/"ridmap" and mounts[].uidMappings: the mount's own mappings when it has them
 * (the word then only says whether the mapping is recursive; mappings without a word mean
 * "idmap", as runc reads them), else the container's user namespace, else an error.
 */
function planIdmap(m: Mount, bind: boolean, ns: NamespacePlan, linux: Spec['linux'], index: number): IdmapStep | undefined {
  const words = m.options ?? [];
  const word = words.includes('ridmap') ? 'ridmap' : words.includes('idmap') ? 'idmap' : undefined;
  const own = m.uidMappings !== undefined || m.gidMappings !== undefined;
  if (!word && !own) return undefined;
  const what = word ? `mounts[${index}].options: ${word}` : `mounts[${index}].uidMappings`;
  if (!bind) throw new PlanError(`${what}: idmapped mounts must be bind mounts (add "bind" or "rbind")`);
  const recursive = word === 'ridmap';
  if (own) {
    if (!m.uidMappings?.length || !m.gidMappings?.length) {
      throw new PlanError(`mounts[${index}]: uidMappings and gidMappings must be given together, each with at least one entry`);
    }
    return { recursive, uidMappings: idMapText(m.uidMappings), gidMappings: idMapText(m.gidMappings) };
  }
  const joined = ns.joins.find((j) => j.flag === K.CLONE_NEWUSER);
  if (joined) return { recursive, uidMappings: '', gidMappings: '', usernsPath: joined.path };
  if (ns.newUser) return { recursive, uidMappings: idMapText(linux?.uidMappings), gidMappings: idMapText(linux?.gidMappings) };
  throw new PlanError(`${what}: needs uidMappings and gidMappings on the mount, or a user namespace in linux.namespaces whose mapping it takes`);
}

function planMount(m: Mount, opts: PlanOptions, ns: NamespacePlan, linux: Spec['linux'], index: number): MountStep {
  const options = parseMountOptions(m.options);
  const type = m.type ?? '';
  const bind = (options.flags & K.MS_BIND) !== 0 || type === 'bind';
  const idmap = planIdmap(m, bind, ns, linux, index);
  if (options.tmpcopyup && (bind || type !== 'tmpfs')) {
    throw new PlanError(`mounts[${index}].options: tmpcopyup applies to tmpfs mounts only, not ${bind ? 'a bind mount' : JSON.stringify(type)}`);
  }
  if (bind) {
    if (!m.source) throw new PlanError(`mounts[${index}].source: a bind mount needs a source`);
    const source = resolve(opts.bundle, m.source);
    options.flags |= K.MS_BIND;
    const step: MountStep = { kind: 'bind', source, destination: m.destination, type: '', options, fileDestination: !opts.isDirectory(source) };
    if (idmap) step.idmap = idmap;
    return step;
  }
  if (type === '') throw new PlanError(`mounts[${index}].type: required unless the options include bind or rbind`);
  const kind = type === 'cgroup' || type === 'cgroup2' ? 'cgroup' : 'fs';
  return { kind, source: m.source ?? type, destination: m.destination, type, options, fileDestination: false };
}

function planDevice(d: LinuxDevice, index: number): DeviceStep {
  if (!isAbsolute(d.path)) throw new PlanError(`linux.devices[${index}].path: must be absolute, got ${JSON.stringify(d.path)}`);
  const type = d.type as DeviceStep['type'];
  if (!['c', 'b', 'p', 'u'].includes(type)) throw new PlanError(`linux.devices[${index}].type: must be one of c, b, u, p`);
  if (type !== 'p' && (d.major === undefined || d.minor === undefined)) {
    throw new PlanError(`linux.devices[${index}]: major and minor are required for type ${type}`);
  }
  return { path: d.path, type, major: d.major ?? 0, minor: d.minor ?? 0, mode: d.fileMode ?? 0o666, uid: d.uid ?? 0, gid: d.gid ?? 0 };
}

/** Each sysctl as a write to its /proc/sys file, if its namespace is the container's (sysctl.ts). */
function planSysctl(spec: Spec): Array<[string, string]> {
  return Object.entries(spec.linux?.sysctl ?? {}).map(([key, value]) => {
    const problem = sysctlProblem(spec, key);
    if (problem !== undefined) throw new PlanError(`${childPath('linux.sysctl', key)}: ${problem}`);
    return [sysctlFile(key), value];
  });
}

/**
 * linux.rootfsPropagation, applied to the container's "/" once it is the root: before, a shared
 * rootfs would make pivot_root fail (EINVAL) and an unbindable parent the rootfs bind. Every mount
 * of the namespace is made rslave first, so until then nothing propagates to the host. "shared"
 * is a new peer group (config-linux.md), so the root leaves the host's group (private) first.
 */
export function rootPropagationSteps(value: string | undefined): number[] {
  if (value === undefined) return [];
  const flags = PROPAGATION_WORDS[value];
  if (flags === undefined) throw new PlanError(`linux.rootfsPropagation: unknown value ${JSON.stringify(value)}`);
  return flags & K.MS_SHARED ? [K.MS_PRIVATE | (flags & K.MS_REC), flags] : [flags];
}

export function planInitHooks(spec: Spec): InitHooks {
  const h = spec.hooks ?? {};
  const createContainer = h.createContainer ?? [];
  const startContainer = h.startContainer ?? [];
  const runtimeSide = (h.prestart ?? []).length + (h.createRuntime ?? []).length;
  return { stopBeforePivot: runtimeSide + createContainer.length + startContainer.length > 0, createContainer, startContainer };
}

/** Every check here is about config.json: its errors name the file, like the schema's do. */
export function buildInitPlan(spec: Spec, opts: PlanOptions): InitPlan {
  try {
    return planFrom(spec, opts);
  } catch (err) {
    if (err instanceof PlanError) throw new PlanError(`${join(opts.bundle, 'config.json')}: ${err.message}`);
    throw err;
  }
}

function planFrom(spec: Spec, opts: PlanOptions): InitPlan {
  const { process } = planProcess(spec.process ?? fail(PROCESS_REQUIRED), spec.linux, opts.preserveFds);
  enforce(checkMountDestinations(spec));
  enforce(checkUtsNames(spec));
  const namespaces = planNamespaces(spec);
  const mountNamespace = findNamespace(spec, 'mount') !== undefined;
  const mounts = (spec.mounts ?? []).map((m, i) => planMount(m, opts, namespaces, spec.linux, i));
  const label = spec.linux?.mountLabel;
  if (label) for (const m of mounts) labelMount(m, label);
  const devMount = mounts.find((m) => m.destination.replace(/\/+$/, '') === '/dev');
  const plan: InitPlan = {
    ...process,
    rootfs: resolve(opts.bundle, spec.root?.path ?? 'rootfs'),
    mountNamespace,
    rootPropagation: rootPropagationSteps(spec.linux?.rootfsPropagation),
    readonlyRoot: spec.root?.readonly === true,
    noPivot: opts.noPivot,
    namespaces,
    mounts,
    // runc's rule: whatever /dev is (a tmpfs or the rootfs's own directory) unless it is bound in;
    // never in the host's directory when the mount namespace is the runtime's.
    defaultDevices: mountNamespace && devMount?.kind !== 'bind',
    devices: (spec.linux?.devices ?? []).map(planDevice),
    maskedPaths: spec.linux?.maskedPaths ?? [],
    maskData: label ? withMountLabel('', label) : '',
    readonlyPaths: spec.linux?.readonlyPaths ?? [],
    sysctl: planSysctl(spec),
    newKeyring: !opts.noNewKeyring,
    hooks: planInitHooks(spec),
  };
  if (spec.hostname) plan.hostname = spec.hostname;
  if (spec.domainname) plan.domainname = spec.domainname;
  return plan;
}
