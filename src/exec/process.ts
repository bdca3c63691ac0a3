import { resolve } from 'node:path';
import { validateProcess } from '../spec/generated/process-validator.js';
import { MAX_ID, processIdProblem } from '../spec/ids.js';
import { ConfigError } from '../spec/config-error.js';
import { loadJsonDocument } from '../spec/json-document.js';
import type { LinuxCapabilities, Process } from '../spec/types.js';

// The process `exec` runs: either a whole process document (--process FILE, the form engines
// use) or the container's own process with the command-line overrides (runc's rules).

export class ExecProcessError extends Error {}

/** The command-line form of `exec`; unset fields leave the container's process as it is. */
export interface ExecFlags {
  args: string[];
  /** --tty; undefined when not given (runc then runs without a terminal). */
  tty?: boolean;
  cwd?: string;
  env: string[];
  /** --user uid[:gid], numeric. */
  user?: string;
  additionalGids: string[];
  caps: string[];
  noNewPrivs?: boolean;
  apparmor?: string;
  processLabel?: string;
}

function parseId(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) > MAX_ID) throw new ExecProcessError(`--${what} ${JSON.stringify(text)}: must be a number from 0 to ${MAX_ID}`);
  return Number(text);
}

/** --user "uid[:gid]": numeric ids only (names would need the container's /etc/passwd, as runc refuses too). */
export function parseUser(text: string): { uid: number; gid?: number } {
  const [uid, gid, extra] = text.split(':');
  if (extra !== undefined || uid === undefined || uid === '') throw new ExecProcessError(`--user ${JSON.stringify(text)}: must be uid or uid:gid`);
  const out: { uid: number; gid?: number } = { uid: parseId(uid, 'user') };
  if (gid !== undefined) out.gid = parseId(gid, 'user');
  return out;
}

/** --cap adds to bounding, effective and permitted; to ambient only if the process has inheritable ones (runc's rule). */
function withCaps(caps: LinuxCapabilities | undefined, add: readonly string[]): LinuxCapabilities | undefined {
  if (add.length === 0) return caps;
  const out: LinuxCapabilities = { ...caps };
  out.bounding = [...(caps?.bounding ?? []), ...add];
  out.effective = [...(caps?.effective ?? []), ...add];
  out.permitted = [...(caps?.permitted ?? []), ...add];
  if (caps?.inheritable !== undefined) out.ambient = [...(caps.ambient ?? []), ...add];
  return out;
}

export function processFromFlags(base: Process | undefined, f: ExecFlags): Process {
  // Said in the command line's terms: the plan's own rule would name process.args.
  if (f.args.length === 0) throw new ExecProcessError('no command given: exec ID COMMAND [ARGS...], or --process FILE');
  const p: Process = structuredClone(base ?? { cwd: '/' });
  p.args = [...f.args];
  if (f.cwd !== undefined && f.cwd !== '') p.cwd = f.cwd;
  if (f.apparmor !== undefined && f.apparmor !== '') p.apparmorProfile = f.apparmor;
  if (f.processLabel !== undefined && f.processLabel !== '') p.selinuxLabel = f.processLabel;
  const caps = withCaps(p.capabilities, f.caps);
  if (caps) p.capabilities = caps;
  p.env = [...(p.env ?? []), ...f.env];
  p.terminal = f.tty === true;
  if (f.noNewPrivs !== undefined) p.noNewPrivileges = f.noNewPrivs;
  if (f.user !== undefined && f.user !== '') {
    const u = parseUser(f.user);
    p.user = { ...p.user, uid: u.uid, ...(u.gid !== undefined ? { gid: u.gid } : {}) };
  }
  if (f.additionalGids.length > 0) {
    p.user = { ...p.user, additionalGids: [...(p.user?.additionalGids ?? []), ...f.additionalGids.map((g) => parseId(g, 'additional-gids'))] };
  }
  return p;
}

/**
 * runc's rule for a process document: the scheduler, I/O priority and exec CPU affinity it does
 * not set are the container's (config.json's process).
 */
export function withContainerDefaults(p: Process, container: Process | undefined): Process {
  const out: Process = { ...p };
  if (out.scheduler === undefined && container?.scheduler !== undefined) out.scheduler = container.scheduler;
  if (out.ioPriority === undefined && container?.ioPriority !== undefined) out.ioPriority = container.ioPriority;
  if (out.execCPUAffinity === undefined && container?.execCPUAffinity !== undefined) out.execCPUAffinity = container.execCPUAffinity;
  return out;
}

/** --process FILE: JSON syntax, then config-schema's `process`; messages name the file and field. */
export function loadProcessFile(path: string): Process {
  const file = resolve(path);
  try {
    // config-schema's `process`, compiled alone (scripts/gen-validators.mjs): exec need not load
    // the whole config's validators.
    const proc = loadJsonDocument(file, validateProcess, 'a runtime-spec process');
    const ids = processIdProblem(proc, '');
    if (ids !== undefined) throw new ConfigError(file, ids.path, ids.message);
    return proc;
  } catch (err) {
    if (err instanceof ConfigError) throw new ExecProcessError(`--process ${err.message}`);
    throw err;
  }
}
