import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reasonOf } from '../linux/errors.js';
import type { LinuxIntelRdt } from '../spec/types.js';

// linux.intelRdt (config-linux.md "IntelRdt"): the container's tasks in a resctrl group, its
// schemata written there, and a monitoring group on request. Every function takes the resctrl
// mount point, so the rules run against any directory (the tests use a fake one).

const F = 'linux.intelRdt';

/** Where the kernel's resctrl filesystem is mounted, from mountinfo text; undefined if nowhere. */
export function resctrlMount(mountinfo: string): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (after?.split(' ')[0] === 'resctrl') return before?.split(' ')[4]?.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  }
  return undefined;
}

export interface RdtPlan {
  /** The CTRL_MON group: closID, "" for the root (closID "/"), or the container id. */
  group: string;
  /** The runtime makes the group (no closID) and so removes it at delete. */
  owned: boolean;
  /** Lines for the schemata file in the spec's order, each with the field it came from. */
  schemata: Array<{ field: string; line: string }>;
  /** mon_groups/<id> below the group. */
  monitor?: string;
}

/** The spec's rules on the fields, before anything is touched. */
export function planIntelRdt(rdt: LinuxIntelRdt, id: string): RdtPlan {
  const schemata: RdtPlan['schemata'] = [];
  const add = (field: string, text: string): void => {
    for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) schemata.push({ field, line });
  };
  if (rdt.l3CacheSchema !== undefined) add(`${F}.l3CacheSchema`, rdt.l3CacheSchema);
  if (rdt.memBwSchema !== undefined) {
    if (!rdt.memBwSchema.startsWith('MB:') || rdt.memBwSchema.includes('\n')) throw new Error(`${F}.memBwSchema: must be one line starting with "MB:", got ${JSON.stringify(rdt.memBwSchema)}`);
    add(`${F}.memBwSchema`, rdt.memBwSchema);
  }
  for (const [i, line] of (rdt.schemata ?? []).entries()) {
    if (line.includes('\n')) throw new Error(`${F}.schemata[${i}]: must not contain a newline`);
    add(`${F}.schemata[${i}]`, line);
  }
  for (const s of schemata) {
    if (!/^[A-Za-z0-9_]+:/.test(s.line)) throw new Error(`${s.field}: ${JSON.stringify(s.line)} is not a schemata line ("RESOURCE:id=value;...")`);
  }
  const closID = rdt.closID;
  if (closID !== undefined && (closID === '' || (closID !== '/' && (closID.includes('/') || closID === '.' || closID === '..')))) {
    throw new Error(`${F}.closID: ${JSON.stringify(closID)} is not a resctrl group name`);
  }
  const plan: RdtPlan = { group: closID === undefined ? id : closID === '/' ? '' : closID, owned: closID === undefined, schemata };
  if (rdt.enableMonitoring) plan.monitor = id;
  return plan;
}

/** "L3:0=0ff;1=7f0" → resource and its domains with values normalized (hex without leading zeros). */
function parseLine(line: string): { resource: string; domains: Map<string, string> } {
  const [resource = '', rest = ''] = line.split(/:(.*)/s);
  const domains = new Map<string, string>();
  for (const part of rest.split(';')) {
    const [dom, value] = part.split('=');
    if (dom === undefined || value === undefined) continue;
    const v = value.trim().toLowerCase();
    domains.set(dom.trim(), /^[0-9a-f]+$/.test(v) ? v.replace(/^0+(?=.)/, '') : v);
  }
  return { resource: resource.trim(), domains };
}

/** The requested lines that the group's schemata file contradicts. */
export function schemataMismatches(requested: RdtPlan['schemata'], file: string): string[] {
  const current = new Map(file.split('\n').filter((l) => l.includes(':')).map((l) => {
    const p = parseLine(l);
    return [p.resource, p.domains] as const;
  }));
  const out: string[] = [];
  for (const { field, line } of requested) {
    const want = parseLine(line);
    const have = current.get(want.resource);
    const differs = !have || [...want.domains].some(([dom, v]) => have.get(dom) !== v);
    if (differs) out.push(`${field}: ${JSON.stringify(line)}`);
  }
  return out;
}

function write(field: string, file: string, value: string): void {
  try {
    writeFileSync(file, value);
  } catch (err) {
    throw new Error(`${field}: writing ${JSON.stringify(value)} to ${file}: ${reasonOf(err)}`);
  }
}

/**
 * Makes or checks the group and writes its schemata (the spec's rules on closID), then the
 * monitoring group. Returns the directories made, deepest first, for the caller's undo.
 */
export function setUpRdtGroup(root: string, plan: RdtPlan): string[] {
  const dir = join(root, plan.group);
  const made: string[] = [];
  if (!existsSync(dir)) {
    if (!plan.owned && plan.schemata.length === 0) throw new Error(`${F}.closID: there is no resctrl group ${JSON.stringify(plan.group)} in ${root} and no schemata to create it with`);
    try {
      mkdirSync(dir);
    } catch (err) {
      throw new Error(`${F}: creating resctrl group ${dir}: ${reasonOf(err)}`);
    }
    made.unshift(dir);
  } else if (!plan.owned && plan.schemata.length > 0) {
    // An existing group is shared: its schemata must already be what the config asks for.
    const mismatches = schemataMismatches(plan.schemata, readFileSync(join(dir, 'schemata'), 'utf8'));
    if (mismatches.length > 0) throw new Error(`${F}.closID: resctrl group ${JSON.stringify(plan.group)} exists with other schemata than ${mismatches.join(', ')}`);
  }
  try {
    if (made.length > 0 || plan.owned) for (const s of plan.schemata) write(s.field, join(dir, 'schemata'), `${s.line}\n`);
    if (plan.monitor !== undefined) {
      const mon = join(dir, 'mon_groups', plan.monitor);
      try {
        mkdirSync(mon);
      } catch (err) {
        throw new Error(`${F}.enableMonitoring: creating monitoring group ${mon}: ${reasonOf(err)}`);
      }
      made.unshift(mon);
    }
  } catch (err) {
    try {
      removeRdtDirs(made);
    } catch (undoErr) {
      throw new Error(`${(err as Error).message} (and undoing it: ${(undoErr as Error).message})`);
    }
    throw err;
  }
  return made;
}

/** `update`: new schemata lines for the container's group. */
export function writeRdtSchemata(root: string, plan: RdtPlan, lines: RdtPlan['schemata']): void {
  for (const s of lines) write(s.field, join(root, plan.group, 'schemata'), `${s.line}\n`);
}

/** Puts a process (the init, or an exec'd one) into the group and its monitoring group. */
export function joinRdtGroup(root: string, plan: RdtPlan, pid: number): void {
  const dir = join(root, plan.group);
  write(F, join(dir, 'tasks'), String(pid));
  if (plan.monitor !== undefined) write(`${F}.enableMonitoring`, join(dir, 'mon_groups', plan.monitor, 'tasks'), String(pid));
}

/** What delete removes: the monitoring group, and the group when the runtime made it. */
export function rdtDirsToRemove(root: string, plan: RdtPlan): string[] {
  const dir = join(root, plan.group);
  return [...(plan.monitor !== undefined ? [join(dir, 'mon_groups', plan.monitor)] : []), ...(plan.owned ? [dir] : [])];
}

/** rmdir each (resctrl moves the tasks left back to the parent group); missing ones are fine. */
export function removeRdtDirs(dirs: readonly string[]): void {
  for (const d of dirs) {
    try {
      rmdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${F}: removing ${d}: ${reasonOf(err)}`);
    }
  }
}

/** The host's resctrl mount, or an error naming the field when the host has none. */
export function requireResctrl(mountinfo: () => string = () => readFileSync('/proc/self/mountinfo', 'utf8')): string {
  const root = resctrlMount(mountinfo());
  if (root === undefined) {
    throw new Error(`${F}: this host has no resctrl filesystem mounted (no Intel RDT / AMD PQoS, or not mounted: mount -t resctrl resctrl /sys/fs/resctrl)`);
  }
  return root;
}
