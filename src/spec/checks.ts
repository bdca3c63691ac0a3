// Rules the JSON schema cannot express, from the MUSTs of config.md / config-linux.md and the
// checks runc makes before it creates anything. Each returns the first problem it finds.
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { systemErrorReason, type SpecProblem } from './config-error.js';
import { checkIds } from './ids.js';
import { childPath, indexPath } from './json-path.js';
import {
  checkMountDestinations,
  checkUtsNames,
  findNamespace,
  processCwdProblem,
  processRlimitsProblem,
  processWindowsFieldsProblem,
} from './rules.js';
import { hostNamespaceMessage, sysctlNamespace, sysctlProblem } from './sysctl.js';
import type { NamespaceType, Spec } from './types.js';
import { SPEC_VERSION, SUPPORTED_MAJOR } from './version.js';

export type Check = (spec: Spec, bundleDir: string) => SpecProblem | undefined;

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export function checkOciVersion(spec: Spec): SpecProblem | undefined {
  const match = SEMVER.exec(spec.ociVersion);
  if (!match) {
    return { path: 'ociVersion', message: `${JSON.stringify(spec.ociVersion)} is not a SemVer 2.0.0 version` };
  }
  if (Number(match[1]) !== SUPPORTED_MAJOR) {
    return {
      path: 'ociVersion',
      message: `version ${spec.ociVersion} is not supported: this runtime implements ${SPEC_VERSION} and accepts ${SUPPORTED_MAJOR}.x`,
    };
  }
  return undefined;
}

/** root.path, relative to the bundle, must be a directory (a symlink to one will do). */
export function checkRootfs(spec: Spec, bundleDir: string): SpecProblem | undefined {
  if (spec.root === undefined) return { path: 'root', message: 'is required on Linux' };
  const rootfs = resolve(bundleDir, spec.root.path);
  try {
    if (!statSync(rootfs).isDirectory()) return { path: 'root.path', message: `${rootfs} is not a directory` };
  } catch (error) {
    return { path: 'root.path', message: `${rootfs}: ${systemErrorReason(error)}` };
  }
  return undefined;
}

export function checkProcessCwd(spec: Spec): SpecProblem | undefined {
  return spec.process === undefined ? undefined : processCwdProblem(spec.process);
}

/** Each namespace type at most once; a path to join must be absolute. */
export function checkNamespaces(spec: Spec): SpecProblem | undefined {
  const firstIndex = new Map<NamespaceType, number>();
  for (const [i, { type, path }] of (spec.linux?.namespaces ?? []).entries()) {
    const base = indexPath('linux.namespaces', i);
    const first = firstIndex.get(type);
    if (first !== undefined) {
      return {
        path: `${base}.type`,
        message: `duplicate namespace "${type}" (already at ${indexPath('linux.namespaces', first)})`,
      };
    }
    firstIndex.set(type, i);
    if (path !== undefined && !isAbsolute(path)) {
      return { path: `${base}.path`, message: `must be an absolute path, got ${JSON.stringify(path)}` };
    }
  }
  return undefined;
}

/**
 * A new user namespace needs both id maps (the kernel maps nothing by default); a joined one
 * brings its own. Maps without a user namespace would silently do nothing.
 */
export function checkUserNamespaceMappings(spec: Spec): SpecProblem | undefined {
  const userns = findNamespace(spec, 'user');
  const uidCount = spec.linux?.uidMappings?.length ?? 0;
  const gidCount = spec.linux?.gidMappings?.length ?? 0;
  if (userns === undefined) {
    if (uidCount > 0) return { path: 'linux.uidMappings', message: 'mappings given but linux.namespaces has no "user" namespace' };
    if (gidCount > 0) return { path: 'linux.gidMappings', message: 'mappings given but linux.namespaces has no "user" namespace' };
    return undefined;
  }
  if (userns.path !== undefined) return undefined;
  if (uidCount === 0) return { path: 'linux.uidMappings', message: 'a new user namespace needs at least one uid mapping' };
  if (gidCount === 0) return { path: 'linux.gidMappings', message: 'a new user namespace needs at least one gid mapping' };
  return undefined;
}

/** Offsets can only be written into a time namespace no process has entered yet: a new one. */
export function checkTimeOffsets(spec: Spec): SpecProblem | undefined {
  const offsets = spec.linux?.timeOffsets;
  if (offsets === undefined || Object.keys(offsets).length === 0) return undefined;
  const timens = findNamespace(spec, 'time');
  if (timens === undefined) {
    return { path: 'linux.timeOffsets', message: 'requires a "time" namespace in linux.namespaces' };
  }
  if (timens.path !== undefined) {
    return { path: 'linux.timeOffsets', message: `cannot be applied to the joined time namespace ${timens.path}` };
  }
  return undefined;
}

/**
 * A sysctl may only be set when the namespace it belongs to is the container's own (sysctl.ts);
 * a network namespace joined by path must not be the runtime's own either.
 */
export function checkSysctls(spec: Spec): SpecProblem | undefined {
  for (const key of Object.keys(spec.linux?.sysctl ?? {})) {
    const message = sysctlProblem(spec, key) ?? (sysctlNamespace(key) === 'network' ? hostNetworkProblem(spec) : undefined);
    if (message !== undefined) return { path: childPath('linux.sysctl', key), message };
  }
  return undefined;
}

function hostNetworkProblem(spec: Spec): string | undefined {
  const netns = findNamespace(spec, 'network');
  if (netns === undefined) return hostNamespaceMessage('network');
  if (netns.path === undefined) return undefined;
  // "Host" means the runtime's own namespace: joining it by path is no isolation either.
  try {
    const target = statSync(netns.path);
    const own = statSync('/proc/self/ns/net');
    if (target.dev === own.dev && target.ino === own.ino) {
      return `cannot be set in the host network namespace (${netns.path} is the runtime's own)`;
    }
  } catch (error) {
    return `cannot check network namespace ${netns.path}: ${systemErrorReason(error)}`;
  }
  return undefined;
}

/**
 * Without a mount namespace the container shares the runtime's mount table, and ocirun changes
 * nothing in it: whatever would mount (mounts, masks, read-only remounts, the root's propagation,
 * the console's bind) or create nodes in the host's directory (devices) cannot be applied, and
 * mounts made there would outlive the container.
 */
export function checkMountNamespaceNeeds(spec: Spec): SpecProblem | undefined {
  if (findNamespace(spec, 'mount') !== undefined) return undefined;
  const message = 'requires a private mount namespace ("mount" in linux.namespaces): without one it would change the host\'s mount table';
  if ((spec.mounts?.length ?? 0) > 0) return { path: 'mounts', message };
  for (const field of ['maskedPaths', 'readonlyPaths', 'devices'] as const) {
    if ((spec.linux?.[field]?.length ?? 0) > 0) return { path: `linux.${field}`, message };
  }
  if (spec.linux?.rootfsPropagation !== undefined) return { path: 'linux.rootfsPropagation', message };
  if (spec.linux?.mountLabel) return { path: 'linux.mountLabel', message };
  if (spec.root?.readonly === true) return { path: 'root.readonly', message };
  if (spec.process?.terminal === true) return { path: 'process.terminal', message: `${message} (the terminal is bound onto /dev/console)` };
  return undefined;
}

/** A name the kernel accepts for a device (dev_valid_name), `%d` allowed once as a template. */
function validDeviceName(name: string): boolean {
  if (name.length === 0 || Buffer.byteLength(name) > 15 || name === '.' || name === '..') return false;
  if (/[/:\s]/.test(name)) return false;
  return (name.match(/%/g) ?? []).length === (name.includes('%d') ? 1 : 0);
}

/** config-linux.md "netDevices": moved into the container's network namespace, never the host's. */
export function checkNetDeviceNames(spec: Spec): SpecProblem | undefined {
  const devices = Object.entries(spec.linux?.netDevices ?? {});
  if (devices.length === 0) return undefined;
  const problem = hostNetworkProblem(spec);
  if (problem !== undefined) return { path: 'linux.netDevices', message: `devices ${problem}` };
  for (const [name, dev] of devices) {
    const path = `linux.netDevices[${JSON.stringify(name)}]`;
    if (!validDeviceName(name) || name.includes('%')) return { path, message: 'is not a valid network device name (1-15 characters, no "/", ":" or spaces)' };
    if (dev.name !== undefined && dev.name !== '' && !validDeviceName(dev.name)) {
      return { path: `${path}.name`, message: 'is not a valid network device name (1-15 characters, no "/", ":" or spaces; "%d" once as a template)' };
    }
  }
  return undefined;
}

export function checkRlimitsUnique(spec: Spec): SpecProblem | undefined {
  return spec.process === undefined ? undefined : processRlimitsProblem(spec.process);
}

const OTHER_PLATFORMS = ['windows', 'solaris', 'vm', 'zos', 'freebsd'] as const;

/**
 * Sections and fields of other platforms would be ignored on Linux: refused instead, so that a
 * config meant for a VM or a Windows host never runs as an ordinary Linux container.
 */
export function checkOtherPlatforms(spec: Spec): SpecProblem | undefined {
  for (const key of OTHER_PLATFORMS) {
    if (spec[key] !== undefined) return { path: key, message: `is for another platform: ocirun runs Linux containers and cannot apply it` };
  }
  return spec.process === undefined ? undefined : processWindowsFieldsProblem(spec.process);
}

/** Every check, in the order loadConfig applies them. */
export const SEMANTIC_CHECKS: readonly Check[] = [
  checkOciVersion,
  checkRootfs,
  checkProcessCwd,
  checkMountDestinations,
  checkNamespaces,
  checkUserNamespaceMappings,
  checkTimeOffsets,
  checkUtsNames,
  checkSysctls,
  checkMountNamespaceNeeds,
  checkNetDeviceNames,
  checkRlimitsUnique,
  checkIds,
  checkOtherPlatforms,
];
