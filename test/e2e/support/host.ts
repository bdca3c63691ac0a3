// Host-side helpers for the end-to-end suite: running engine CLIs, finding binaries, reading a
// process's cgroup files, and removing what a test made (mounts first, cgroups by rmdir only).
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { delimiter, join } from 'node:path';

export interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  /** Working directory; engines' helpers (conmon writes an `oom` file on OOM) write there. */
  cwd?: string;
}

/**
 * Runs a command to completion. Asynchronous on purpose: engine commands can take many seconds
 * (stop timeouts), and a blocked worker misses vitest's heartbeats.
 */
/** Emulation in the guest (test/vm) runs every command several times slower. */
const DEFAULT_TIMEOUT_MS = process.env.OCIRUN_GUEST ? 300_000 : 60_000;

export function exec(cmd: string, args: readonly string[], opts: ExecOptions = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms]`;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ status: -1, stdout, stderr: `${stderr}${err.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // A signal death reads like a shell's: 128 + signal number.
      resolve({ status: code ?? 128 + (signal ? signalNumber(signal) : 0), stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

function signalNumber(name: NodeJS.Signals): number {
  return osConstants.signals[name] ?? 0;
}

/** The command line and everything it printed, for assertion messages. */
export function show(cmd: string, r: Result): string {
  return `${cmd}\n  exit ${r.status}\n  stdout: ${r.stdout.trim()}\n  stderr: ${r.stderr.trim()}`;
}

export function which(name: string): string | undefined {
  if (name.includes('/')) return isExecutable(name) ? name : undefined;
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    const p = join(dir, name);
    if (isExecutable(p)) return p;
  }
  return undefined;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Mount points at or below `dir`, deepest first (the order to unmount them in). */
export function mountsUnder(dir: string): string[] {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => unescapeMountPath(line.split(' ')[4] ?? ''))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * Removes a private engine directory. Anything still mounted below it is unmounted first, so the
 * recursive removal can never walk into a filesystem that is not ours. Returns what had to be
 * unmounted (a leak the engine should have cleaned up).
 */
export async function removeTree(dir: string): Promise<string[]> {
  const leaked = mountsUnder(dir);
  for (const m of leaked) await exec('umount', ['-l', m]);
  const still = mountsUnder(dir);
  if (still.length > 0) throw new Error(`not removing ${dir}: still mounted: ${still.join(', ')}`);
  rmSync(dir, { recursive: true, force: true });
  return leaked;
}

/** Mount point of each cgroup hierarchy: controller (or "name=systemd", or "" for v2) -> dir. */
export function cgroupMounts(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const mountPoint = unescapeMountPath(line.slice(0, sep).split(' ')[4] ?? '');
    const [fstype, , superOpts = ''] = line.slice(sep + 3).split(' ');
    if (fstype === 'cgroup2') out.set('', mountPoint);
    if (fstype !== 'cgroup') continue;
    for (const opt of superOpts.split(',')) if (!['rw', 'ro'].includes(opt)) out.set(opt, mountPoint);
  }
  return out;
}

/**
 * The host path of a cgroup file of process `pid`: (pid, "memory", "memory.limit_in_bytes") on
 * v1, (pid, "", "memory.max") for the unified hierarchy.
 */
export function cgroupFileOf(pid: number, controller: string, file: string): string {
  const mount = cgroupMounts().get(controller);
  for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n')) {
    const [, controllers = '', path = ''] = line.split(':');
    const matches = controller === '' ? controllers === '' : controllers.split(',').includes(controller);
    if (matches && mount) return join(mount, path, file);
  }
  throw new Error(`process ${pid} has no ${controller || 'unified'} cgroup on a mounted hierarchy`);
}

/** rmdir a cgroup subtree (deepest first) in every hierarchy; returns dirs that could not go. */
export function removeCgroupTree(relPath: string): string[] {
  const left: string[] = [];
  for (const mount of new Set(cgroupMounts().values())) {
    const top = join(mount, relPath);
    if (!existsSync(top)) continue;
    for (const d of subdirsDeepestFirst(top)) {
      try {
        rmdirSync(d);
      } catch {
        left.push(d);
      }
    }
  }
  return left;
}

function subdirsDeepestFirst(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.push(...subdirsDeepestFirst(join(dir, e.name)));
  out.push(dir);
  return out;
}
