import { ioprioSet, personality } from '../linux/libc.js';
import type { Spec } from '../spec/types.js';
import { PlanError } from './plan.js';

/** config-linux.md "Personality": the execution domains the kernel's personality(2) knows by these names. */
const PERSONALITY_DOMAINS: Readonly<Record<string, number>> = { LINUX: 0x0000, LINUX32: 0x0008 };

/** config.md "IO Priority": ioprio_set(2) classes. */
const IO_CLASSES: Readonly<Record<string, number>> = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 };

export interface ProcessExtras {
  personality?: number;
  ioPriority?: { ioClass: number; level: number };
}

/**
 * Settings ocirun applies beyond the basics, and the ones it refuses: a config that asks for
 * something the runtime would silently skip must fail instead, naming the field.
 */
export function planProcessExtras(spec: Spec): ProcessExtras {
  const out: ProcessExtras = {};
  const linux = spec.linux;
  const proc = spec.process;
  if (linux?.personality) {
    const domain = PERSONALITY_DOMAINS[linux.personality.domain ?? ''];
    if (domain === undefined) throw new PlanError(`linux.personality.domain: unknown domain ${JSON.stringify(linux.personality.domain)} (expected LINUX or LINUX32)`);
    if (linux.personality.flags?.length) throw new PlanError('linux.personality.flags: no personality flags are supported');
    out.personality = domain;
  }
  if (proc?.ioPriority) {
    const ioClass = IO_CLASSES[proc.ioPriority.class];
    if (ioClass === undefined) throw new PlanError(`process.ioPriority.class: unknown class ${JSON.stringify(proc.ioPriority.class)}`);
    const level = proc.ioPriority.priority ?? 0;
    if (!Number.isInteger(level) || level < 0 || level > 7) throw new PlanError(`process.ioPriority.priority: ${level} is out of range (0-7)`);
    out.ioPriority = { ioClass, level };
  }
  const refused: Array<[string, unknown, string]> = [
    ['linux.intelRdt', linux?.intelRdt, 'Intel RDT (resctrl) is not supported by ocirun'],
    ['process.scheduler', proc?.scheduler, 'sched_setattr scheduling policies are not supported by ocirun'],
    ['process.execCPUAffinity', proc?.execCPUAffinity, 'CPU affinity for exec is not supported by ocirun; use linux.resources.cpu.cpus'],
  ];
  for (const [field, value, why] of refused) if (value !== undefined) throw new PlanError(`${field}: ${why}`);
  return out;
}

/** Child side, with the limits: the personality and I/O priority the plan asks for. */
export function applyProcessExtras(x: ProcessExtras): void {
  if (x.personality !== undefined) personality(x.personality);
  if (x.ioPriority) ioprioSet(x.ioPriority.ioClass, x.ioPriority.level);
}
