import {
  NR_SCMP_ERROR,
  SCMP_FLTATR_ACT_BADARCH,
  SCMP_FLTATR_CTL_OPTIMIZE,
  freeNativeProgram,
  seccompArchAdd,
  seccompArchResolveName,
  seccompAttrSet,
  seccompExportBpf,
  seccompInit,
  seccompRelease,
  seccompRuleAddArray,
  seccompSyscallResolveName,
  seccompVersion,
  toNativeProgram,
  type NativeProgram,
} from '../linux/seccomp.js';
import { sendFdsTo } from '../linux/scm.js';
import type { Sys } from '../linux/sys.js';
import type { LinuxSeccomp, State } from '../spec/types.js';
import { planSeccomp, type FilterPlan } from './seccomp-plan.js';

// Parent: compile the profile to BPF with libseccomp before fork. Child: hand the finished
// programs to the kernel (no library calls, no allocation worth the name, nothing to load after
// pivot_root). Parent again: pass the notify listener to the seccomp agent.

const BPF_MAXINSNS = 4096;
// runc's threshold: libseccomp's binary-tree layout pays off for long profiles, and libseccomp up
// to 2.5.4 mishandles it with no rules at all.
const BINARY_TREE_MIN_RULES = 32;

interface LoadableFilter {
  program: NativeProgram;
  flags: number;
}

export interface PreparedSeccomp {
  /** The whole profile; loaded last, just before execve. */
  filter: LoadableFilter;
  /** Only the SCMP_ACT_NOTIFY rules; loaded before the init reports ready (see SeccompPlan). */
  listener: LoadableFilter | null;
  listenerPath?: string;
  listenerMetadata?: string;
  /** Rules skipped because this libseccomp does not know the syscall (runc skips them too). */
  debug: string[];
  /** Set in the child once the listener filter is in place. */
  listenerLoaded: boolean;
}

function compile(plan: FilterPlan, debug: Set<string>, version: string): LoadableFilter {
  const ctx = seccompInit(plan.defaultAction);
  try {
    if (plan.badArchAction !== undefined) seccompAttrSet(ctx, SCMP_FLTATR_ACT_BADARCH, plan.badArchAction);
    for (const name of plan.architectures) {
      const token = seccompArchResolveName(name);
      if (token === 0) throw new Error(`linux.seccomp.architectures: libseccomp ${version} does not support architecture ${JSON.stringify(name)}`);
      seccompArchAdd(ctx, token);
    }
    if (plan.rules.length > BINARY_TREE_MIN_RULES) {
      try {
        seccompAttrSet(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
      } catch (err) {
        debug.add(`seccomp: binary tree optimization unavailable: ${(err as Error).message}`);
      }
    }
    for (const rule of plan.rules) {
      const nr = seccompSyscallResolveName(rule.syscall);
      if (nr === NR_SCMP_ERROR) {
        debug.add(`${rule.path}: syscall ${JSON.stringify(rule.syscall)} is unknown to libseccomp ${version}; rule skipped`);
        continue;
      }
      try {
        seccompRuleAddArray(ctx, rule.action, nr, rule.args);
      } catch (err) {
        throw new Error(`${rule.path}: cannot add the rule for ${JSON.stringify(rule.syscall)}: ${(err as Error).message}`);
      }
    }
    const bpf = seccompExportBpf(ctx);
    if (bpf.length / 8 > BPF_MAXINSNS) {
      throw new Error(`linux.seccomp: the profile compiles to ${bpf.length / 8} BPF instructions, more than the kernel's ${BPF_MAXINSNS}`);
    }
    return { program: toNativeProgram(bpf), flags: plan.flags };
  } finally {
    seccompRelease(ctx);
  }
}

/** Parent side, before fork. Null when the config asks for no seccomp. */
export function prepareSeccomp(seccomp: LinuxSeccomp | undefined): PreparedSeccomp | null {
  if (!seccomp) return null;
  const plan = planSeccomp(seccomp);
  const version = seccompVersion();
  const debug = new Set<string>();
  const listener = plan.listener ? compile(plan.listener, debug, version) : null;
  let filter: LoadableFilter;
  try {
    filter = compile(plan.filter, debug, version);
  } catch (err) {
    if (listener) freeNativeProgram(listener.program);
    throw err;
  }
  const prepared: PreparedSeccomp = { filter, listener, debug: [...debug], listenerLoaded: false };
  if (plan.listenerPath !== undefined) prepared.listenerPath = plan.listenerPath;
  if (plan.listenerMetadata !== undefined) prepared.listenerMetadata = plan.listenerMetadata;
  return prepared;
}

/**
 * Child side, while the runtime still waits on the init (before "ready"): loads the notify-only
 * filter and returns its listener fd, or -1 when the profile has no SCMP_ACT_NOTIFY. Without
 * no_new_privs the init must hold CAP_SYS_ADMIN here (planCapabilities' holdForSeccomp).
 */
export function loadSeccompListener(sys: Sys, p: PreparedSeccomp): number {
  if (!p.listener) return -1;
  const fd = sys.seccompSetModeFilter(p.listener.flags, p.listener.program);
  p.listenerLoaded = true;
  return fd;
}

/** Child side, the last step before execve: loads the profile. */
export function loadSeccomp(sys: Sys, p: PreparedSeccomp): void {
  if (p.listener && !p.listenerLoaded) throw new Error('seccomp: the listener filter must be loaded (loadSeccompListener) before the profile');
  sys.seccompSetModeFilter(p.filter.flags, p.filter.program);
}

/** Parent side, after fork: the child has its own copy of the programs. */
export function releaseSeccomp(p: PreparedSeccomp): void {
  freeNativeProgram(p.filter.program);
  if (p.listener) freeNativeProgram(p.listener.program);
}

/**
 * Parent side: one connection to listenerPath, one message — the container process state as JSON
 * with the listener fd attached (config-linux.md, "The Container Process State") — then close.
 */
export function sendToSeccompAgent(p: PreparedSeccomp, listenerFd: number, pid: number, state: State): void {
  if (!p.listenerPath) throw new Error('linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used');
  const message: Record<string, unknown> = { ociVersion: state.ociVersion, fds: ['seccompFd'], pid };
  if (p.listenerMetadata !== undefined) message['metadata'] = p.listenerMetadata;
  message['state'] = state;
  try {
    sendFdsTo(p.listenerPath, [listenerFd], Buffer.from(JSON.stringify(message)));
  } catch (err) {
    throw new Error(`seccomp: sending the listener fd to ${p.listenerPath}: ${(err as Error).message}`);
  }
}
