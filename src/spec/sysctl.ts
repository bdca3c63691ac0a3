// config-linux.md "Sysctl": which namespace each sysctl belongs to, and when the config may set
// it. The checker and the init's planner both ask here.
import type { Spec } from './types.js';
import { findNamespace } from './rules.js';

// Sysctls of the IPC namespace (besides fs.mqueue.*), as runc lists them.
const IPC_SYSCTLS = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

/** The namespace a sysctl belongs to, as runc places them; undefined: it is the host's. */
export function sysctlNamespace(key: string): 'ipc' | 'network' | 'uts' | undefined {
  if (key.startsWith('net.')) return 'network';
  if (key.startsWith('fs.mqueue.') || IPC_SYSCTLS.has(key)) return 'ipc';
  if (key === 'kernel.hostname' || key === 'kernel.domainname') return 'uts';
  return undefined;
}

const NAMESPACE_WORDS = { ipc: 'IPC', network: 'network' } as const;

/** Why a namespaced setting cannot be applied when the config does not have that namespace. */
export function hostNamespaceMessage(type: keyof typeof NAMESPACE_WORDS): string {
  return `cannot be set in the host ${NAMESPACE_WORDS[type]} namespace ("${type}" missing from linux.namespaces)`;
}

/**
 * Why `key` may not be set in this config, or undefined. A sysctl is set only in a namespace of
 * the container (new, or joined by path), so that it never changes the host; a sysctl runc
 * cannot place is refused. Whether a joined network namespace is the runtime's own is the
 * checker's question (checks.ts): it needs the host.
 */
export function sysctlProblem(spec: Pick<Spec, 'linux'>, key: string): string | undefined {
  const ns = sysctlNamespace(key);
  if (ns === undefined || (ns === 'uts' && findNamespace(spec, 'uts') === undefined)) {
    return 'is not in a namespace of the container, so it would change the host';
  }
  if (ns === 'uts') return key === 'kernel.hostname' ? 'conflicts with the "hostname" field: use that instead' : undefined;
  return findNamespace(spec, ns) === undefined ? hostNamespaceMessage(ns) : undefined;
}

/** Where the init writes the sysctl: its file under /proc/sys. */
export function sysctlFile(key: string): string {
  return `/proc/sys/${key.replace(/\./g, '/')}`;
}
