import type { ArgCmp } from '../linux/seccomp.js';
import type { LinuxSeccomp, LinuxSeccompArg, LinuxSyscall } from '../spec/types.js';

// OCI `linux.seccomp` → the filters the init loads, as plain data (no libseccomp here).
// Numbers are libseccomp's (seccomp.h: SCMP_ACT_*, enum scmp_compare) and the kernel's
// (linux/seccomp.h: SECCOMP_FILTER_FLAG_*); names are the spec's. The input is checked here
// too, not only by the schema: every error names its place in config.json.

const ACT_ALLOW = 0x7fff0000;
const ACT_NOTIFY = 0x7fc00000;
const EPERM = 1;

// SCMP_ACT_KILL is libseccomp's historical name for the thread kill.
const ACTIONS: Readonly<Record<string, number>> = {
  SCMP_ACT_KILL: 0x00000000,
  SCMP_ACT_KILL_THREAD: 0x00000000,
  SCMP_ACT_KILL_PROCESS: 0x80000000,
  SCMP_ACT_TRAP: 0x00030000,
  SCMP_ACT_ERRNO: 0x00050000,
  SCMP_ACT_NOTIFY: ACT_NOTIFY,
  SCMP_ACT_TRACE: 0x7ff00000,
  SCMP_ACT_LOG: 0x7ffc0000,
  SCMP_ACT_ALLOW: ACT_ALLOW,
};

// The low 16 bits of these two carry data: the errno, or the message for the tracer. runc fills
// both with EPERM when errnoRet is absent; so do we.
const TAKES_DATA = new Set(['SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE']);

const OPERATORS: Readonly<Record<string, number>> = {
  SCMP_CMP_NE: 1,
  SCMP_CMP_LT: 2,
  SCMP_CMP_LE: 3,
  SCMP_CMP_EQ: 4,
  SCMP_CMP_GE: 5,
  SCMP_CMP_GT: 6,
  SCMP_CMP_MASKED_EQ: 7,
};

/** Spec architecture → the name seccomp_arch_resolve_name() takes. */
const ARCHES: Readonly<Record<string, string>> = {
  SCMP_ARCH_X86: 'x86',
  SCMP_ARCH_X86_64: 'x86_64',
  SCMP_ARCH_X32: 'x32',
  SCMP_ARCH_ARM: 'arm',
  SCMP_ARCH_AARCH64: 'aarch64',
  SCMP_ARCH_MIPS: 'mips',
  SCMP_ARCH_MIPS64: 'mips64',
  SCMP_ARCH_MIPS64N32: 'mips64n32',
  SCMP_ARCH_MIPSEL: 'mipsel',
  SCMP_ARCH_MIPSEL64: 'mipsel64',
  SCMP_ARCH_MIPSEL64N32: 'mipsel64n32',
  SCMP_ARCH_PPC: 'ppc',
  SCMP_ARCH_PPC64: 'ppc64',
  SCMP_ARCH_PPC64LE: 'ppc64le',
  SCMP_ARCH_S390: 's390',
  SCMP_ARCH_S390X: 's390x',
  SCMP_ARCH_PARISC: 'parisc',
  SCMP_ARCH_PARISC64: 'parisc64',
  SCMP_ARCH_RISCV64: 'riscv64',
  SCMP_ARCH_LOONGARCH64: 'loongarch64',
  SCMP_ARCH_M68K: 'm68k',
  SCMP_ARCH_SH: 'sh',
  SCMP_ARCH_SHEB: 'sheb',
};

export const SECCOMP_FILTER_FLAG_TSYNC = 1;
export const SECCOMP_FILTER_FLAG_LOG = 2;
export const SECCOMP_FILTER_FLAG_SPEC_ALLOW = 4;
export const SECCOMP_FILTER_FLAG_NEW_LISTENER = 8;
export const SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV = 32;

/**
 * The spec's flags as seccomp(2) flag bits. TSYNC maps to nothing: the init has one thread, so
 * there is nothing to synchronise (and the kernel refuses TSYNC together with a listener).
 * WAIT_KILLABLE_RECV only exists together with a listener, so it goes to the listener filter.
 */
export const SECCOMP_FLAGS: Readonly<Record<string, number>> = {
  SECCOMP_FILTER_FLAG_TSYNC: 0,
  SECCOMP_FILTER_FLAG_LOG: SECCOMP_FILTER_FLAG_LOG,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: SECCOMP_FILTER_FLAG_SPEC_ALLOW,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
};

export const SECCOMP_ACTION_NAMES: readonly string[] = Object.keys(ACTIONS).sort();
export const SECCOMP_OPERATOR_NAMES: readonly string[] = Object.keys(OPERATORS).sort();
export const SECCOMP_ARCH_NAMES: readonly string[] = Object.keys(ARCHES).sort();
export const SECCOMP_FLAG_NAMES: readonly string[] = Object.keys(SECCOMP_FLAGS);

// Handing the listener fd over to the runtime uses sendmsg; runc forbids write for the same reason.
// A notification on either would wait for an agent that cannot have the fd yet.
const NOTIFY_FORBIDDEN = new Set(['write', 'sendmsg']);

export interface SeccompRule {
  syscall: string;
  action: number;
  args: readonly ArgCmp[];
  /** Where the rule came from in config.json, for errors. */
  path: string;
}

export interface FilterPlan {
  defaultAction: number;
  /** Action for syscalls of an architecture the filter does not list; libseccomp's default (kill) when absent. */
  badArchAction?: number;
  /** libseccomp architecture names added to the native one. */
  architectures: readonly string[];
  rules: readonly SeccompRule[];
  /** seccomp(2) flags to load the filter with. */
  flags: number;
}

/**
 * With SCMP_ACT_NOTIFY the profile becomes two filters. `listener` holds only the notify rules
 * (everything else allowed) and is loaded early, while the init can still pass the fd to the
 * runtime; `filter` is the whole profile with the notify rules turned into allow, loaded last.
 * The kernel runs every filter and keeps the strongest result (kill > trap > errno > notify >
 * trace > log > allow), so together they act as the profile, and between the two loads the init
 * is only subject to the notify rules.
 */
export interface SeccompPlan {
  filter: FilterPlan;
  listener: FilterPlan | null;
  listenerPath?: string;
  listenerMetadata?: string;
}

const ROOT = 'linux.seccomp';

function actionValue(name: string, errnoRet: number | undefined, path: string): number {
  const base = ACTIONS[name];
  if (base === undefined) throw new Error(`${path}: unknown action ${JSON.stringify(name)}`);
  if (!TAKES_DATA.has(name)) {
    if (errnoRet !== undefined) throw new Error(`${path}: ${name} does not take an errno (errnoRet is only for SCMP_ACT_ERRNO and SCMP_ACT_TRACE)`);
    return base;
  }
  const data = errnoRet ?? EPERM;
  if (!Number.isInteger(data) || data < 0 || data > 0xffff) throw new Error(`${path}: errno ${data} is out of range (0 to 65535)`);
  return (base | data) >>> 0;
}

function u64(v: number, path: string): bigint {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** 64) throw new Error(`${path}: ${v} is not a 64-bit unsigned integer`);
  return BigInt(v);
}

function argCmp(a: LinuxSeccompArg, path: string): ArgCmp {
  const op = OPERATORS[a.op];
  if (op === undefined) throw new Error(`${path}.op: unknown operator ${JSON.stringify(a.op)}`);
  if (!Number.isInteger(a.index) || a.index < 0 || a.index > 5) throw new Error(`${path}.index: ${a.index} is not a syscall argument (0 to 5)`);
  // MASKED_EQ compares (arg & value) with valueTwo; libseccomp wants the mask first as well.
  return { arg: a.index, op, datumA: u64(a.value, `${path}.value`), datumB: u64(a.valueTwo ?? 0, `${path}.valueTwo`) };
}

/** One OCI entry → libseccomp rules. Comparisons on the same argument become separate rules, as runc does (libseccomp refuses them in one rule). */
function expand(entry: LinuxSyscall, action: number, path: string): SeccompRule[] {
  if (entry.names.length === 0) throw new Error(`${path}.names: must name at least one syscall`);
  const args = (entry.args ?? []).map((a, k) => argCmp(a, `${path}.args[${k}]`));
  const repeated = new Set(args.map((a) => a.arg)).size !== args.length;
  const groups = repeated ? args.map((a) => [a]) : [args];
  return entry.names.flatMap((syscall, j) => groups.map((g) => ({ syscall, action, args: g, path: `${path}.names[${j}]` })));
}

function flagBits(flags: readonly string[]): { filter: number; listener: number } {
  let filter = 0;
  let waitKillable = 0;
  flags.forEach((name, i) => {
    const value = SECCOMP_FLAGS[name];
    if (value === undefined) throw new Error(`${ROOT}.flags[${i}]: unknown flag ${JSON.stringify(name)}`);
    if (value === SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) waitKillable = value;
    else filter |= value;
  });
  return { filter, listener: filter | SECCOMP_FILTER_FLAG_NEW_LISTENER | waitKillable };
}

export function planSeccomp(s: LinuxSeccomp): SeccompPlan {
  const defaultAction = actionValue(s.defaultAction, s.defaultErrnoRet, `${ROOT}.defaultAction`);
  if (defaultAction === ACT_NOTIFY) throw new Error(`${ROOT}.defaultAction: SCMP_ACT_NOTIFY cannot be the default action (the init could not hand the listener over)`);
  const architectures = (s.architectures ?? []).map((a, i) => {
    const name = ARCHES[a];
    if (!name) throw new Error(`${ROOT}.architectures[${i}]: unknown architecture ${JSON.stringify(a)}`);
    return name;
  });
  const flags = flagBits(s.flags ?? []);

  const rules = (s.syscalls ?? []).flatMap((entry, i) => {
    const path = `${ROOT}.syscalls[${i}]`;
    return expand(entry, actionValue(entry.action, entry.errnoRet, `${path}.action`), path);
  });
  const notify = rules.filter((r) => r.action === ACT_NOTIFY);
  for (const r of notify) {
    if (NOTIFY_FORBIDDEN.has(r.syscall)) {
      throw new Error(`${r.path}: SCMP_ACT_NOTIFY cannot be used for ${JSON.stringify(r.syscall)}: the init needs it to hand the listener fd over`);
    }
  }
  if (notify.length > 0 && !s.listenerPath) throw new Error(`${ROOT}.listenerPath: required when SCMP_ACT_NOTIFY is used`);
  if (s.listenerMetadata !== undefined && !s.listenerPath) throw new Error(`${ROOT}.listenerMetadata: must not be set without listenerPath`);

  // A rule with the default action is redundant, and libseccomp refuses it (EACCES).
  const filterRules = rules
    .map((r) => (r.action === ACT_NOTIFY ? { ...r, action: ACT_ALLOW } : r))
    .filter((r) => r.action !== defaultAction);
  const plan: SeccompPlan = {
    filter: { defaultAction, architectures, rules: filterRules, flags: flags.filter },
    listener: notify.length
      ? { defaultAction: ACT_ALLOW, badArchAction: ACT_ALLOW, architectures, rules: notify, flags: flags.listener }
      : null,
  };
  if (s.listenerPath !== undefined) plan.listenerPath = s.listenerPath;
  if (s.listenerMetadata !== undefined) plan.listenerMetadata = s.listenerMetadata;
  return plan;
}
