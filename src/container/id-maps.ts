import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reasonOf } from '../linux/errors.js';
import { findNamespace } from '../spec/rules.js';
import type { IDMapping, Spec } from '../spec/types.js';

// The id maps of a new user namespace, written by create for the intermediate process that made
// it. The kernel lets an unprivileged writer map only its own id, one line, and its own gid only
// once setgroups is denied (user_namespaces(7)); every other map of such a caller goes through
// the setuid helpers newuidmap/newgidmap, which allow the ranges /etc/subuid and /etc/subgid
// give the user. Root, also uid 0 inside a user namespace (rootless podman), writes any map
// whose host ids its own namespace maps.

export interface IdCaller {
  euid: number;
  egid: number;
}

export type MapMethod = 'write' | 'helper';

export interface IdMapPlan {
  uid: MapMethod;
  gid: MapMethod;
  /** "deny" goes to /proc/PID/setgroups before gid_map (the kernel requires it of an unprivileged writer). */
  denySetgroups: boolean;
}

function onlyOwn(mappings: readonly IDMapping[], id: number): boolean {
  return mappings.length === 1 && mappings[0]?.hostID === id && mappings[0]?.size === 1;
}

/** How each map is written, as runc decides it. */
export function planIdMaps(uidMappings: readonly IDMapping[], gidMappings: readonly IDMapping[], caller: IdCaller): IdMapPlan {
  if (caller.euid === 0) return { uid: 'write', gid: 'write', denySetgroups: false };
  const ownGid = onlyOwn(gidMappings, caller.egid);
  return { uid: onlyOwn(uidMappings, caller.euid) ? 'write' : 'helper', gid: ownGid ? 'write' : 'helper', denySetgroups: ownGid };
}

export interface SubidRange {
  /** A user name or a numeric uid. */
  owner: string;
  start: number;
  count: number;
}

/** /etc/subuid and /etc/subgid: "owner:start:count" lines. */
export function parseSubidFile(text: string): SubidRange[] {
  const ranges: SubidRange[] = [];
  for (const line of text.split('\n')) {
    const [owner, start, count] = line.trim().split(':');
    if (!owner || !/^\d+$/.test(start ?? '') || !/^\d+$/.test(count ?? '')) continue;
    ranges.push({ owner, start: Number(start), count: Number(count) });
  }
  return ranges;
}

export interface SubidUser {
  name: string | undefined;
  uid: number;
}

/**
 * The first mapping the helper would refuse, as the error for it: a range neither the caller's
 * own id nor inside one of its ranges. The owner column names the user or its uid, in both files.
 */
export function subidProblem(kind: 'uid' | 'gid', mappings: readonly IDMapping[], ownId: number, user: SubidUser, ranges: readonly SubidRange[], file: string): string | undefined {
  const mine = ranges.filter((r) => r.owner === user.name || r.owner === String(user.uid));
  for (const [i, m] of mappings.entries()) {
    if (m.size === 1 && m.hostID === ownId) continue;
    if (mine.some((r) => m.hostID >= r.start && m.hostID + m.size <= r.start + r.count)) continue;
    const who = user.name === undefined ? `uid ${user.uid}` : `${user.name} (uid ${user.uid})`;
    return `linux.${kind}Mappings[${i}]: host ${kind}s ${m.hostID}-${m.hostID + m.size - 1} are not given to ${who} in ${file}; add a range there (usermod --add-sub${kind}s) or map only your own ${kind} ${ownId}`;
  }
  return undefined;
}

/** Where `name` is found in PATH, as execvp would find it. */
export function findInPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(':')) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

export interface IdMapHelpers {
  newuidmap?: string;
  newgidmap?: string;
}

function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function callerName(): string | undefined {
  try {
    // node:os on first use, as node:child_process below: most creates need no user namespace.
    return process.getBuiltinModule('node:os').userInfo().username;
  } catch {
    return undefined;
  }
}

/**
 * Before anything is made: the helpers a config needs are installed and the subordinate ranges
 * cover its maps, so that a config the caller cannot run fails with one line naming the cause.
 */
export function prepareIdMaps(spec: Spec, caller: IdCaller, env: NodeJS.ProcessEnv): IdMapHelpers {
  const userns = findNamespace(spec, 'user');
  const newUser = userns !== undefined && !userns.path;
  if (!newUser) return {};
  const uids = spec.linux?.uidMappings ?? [];
  const gids = spec.linux?.gidMappings ?? [];
  const plan = planIdMaps(uids, gids, caller);
  const helpers: IdMapHelpers = {};
  const user = { name: callerName(), uid: caller.euid };
  const need = (kind: 'uid' | 'gid', mappings: readonly IDMapping[], ownId: number): string => {
    const tool = `new${kind}map`;
    const found = findInPath(tool, env.PATH);
    if (found === undefined) {
      throw new Error(`linux.${kind}Mappings: mapping more than your own ${kind} (${ownId}) needs ${tool} (Debian and Ubuntu: package uidmap), which is not in PATH`);
    }
    const file = `/etc/sub${kind}`;
    const problem = subidProblem(kind, mappings, ownId, user, parseSubidFile(readOptional(file)), file);
    if (problem) throw new Error(problem);
    return found;
  };
  if (plan.uid === 'helper') helpers.newuidmap = need('uid', uids, caller.euid);
  if (plan.gid === 'helper') helpers.newgidmap = need('gid', gids, caller.egid);
  return helpers;
}

/** The /proc/PID/uid_map and gid_map format. */
export function mapText(mappings: readonly IDMapping[]): string {
  return mappings.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}

function writeMap(field: string, file: string, text: string, caller: IdCaller): void {
  try {
    writeFileSync(file, text);
  } catch (err) {
    const hint = caller.euid === 0 ? ' (inside a user namespace, the host ids must be ids that namespace maps: see /proc/self/uid_map and gid_map)' : '';
    throw new Error(`${field}: writing ${file}: ${reasonOf(err)}${hint}`);
  }
}

function runHelper(field: string, tool: string, pid: number, mappings: readonly IDMapping[]): void {
  const args = [String(pid), ...mappings.flatMap((m) => [String(m.containerID), String(m.hostID), String(m.size)])];
  // Loaded here, not imported: node:child_process pulls in node:net, dgram and the streams,
  // CPU that every create would pay for the few configs that need a helper (bench/RESULTS.md).
  const { spawnSync } = process.getBuiltinModule('node:child_process');
  const r = spawnSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw new Error(`${field}: running ${tool}: ${reasonOf(r.error)}`);
  if (r.status !== 0) {
    const said = (r.stderr || r.stdout).trim().split('\n')[0] ?? '';
    throw new Error(`${field}: ${tool} ${args.join(' ')} failed${said ? `: ${said}` : ` with status ${r.status}`}`);
  }
}

/** Writes the maps of the user namespace `pid` made, as planned. */
export function writeIdMaps(pid: number, spec: Spec, caller: IdCaller, helpers: IdMapHelpers): void {
  const uids = spec.linux?.uidMappings ?? [];
  const gids = spec.linux?.gidMappings ?? [];
  const plan = planIdMaps(uids, gids, caller);
  if (helpers.newuidmap !== undefined) runHelper('linux.uidMappings', helpers.newuidmap, pid, uids);
  else writeMap('linux.uidMappings', `/proc/${pid}/uid_map`, mapText(uids), caller);
  if (plan.denySetgroups) writeMap('linux.gidMappings', `/proc/${pid}/setgroups`, 'deny', caller);
  if (helpers.newgidmap !== undefined) runHelper('linux.gidMappings', helpers.newgidmap, pid, gids);
  else writeMap('linux.gidMappings', `/proc/${pid}/gid_map`, mapText(gids), caller);
}
