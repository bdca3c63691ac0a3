import { CallerFileError, DOCUMENT_SIZE_LIMIT, readBounded, readRegularFile } from '../../spec/caller-file.js';
import type { FlagSpecs } from '../args.js';
import { str } from '../args.js';
import type { Command } from '../command.js';
import { StateStore } from '../../state/store.js';

const VALUE_FLAGS: Readonly<Record<string, string>> = {
  'blkio-weight': 'per-cgroup block IO weight, 10 to 1000',
  'cpu-period': 'CPU CFS period (microseconds) for hard capping',
  'cpu-quota': 'CPU CFS hard cap (microseconds) per period; -1 for none',
  'cpu-share': 'CPU shares (relative weight against other containers)',
  'cpu-rt-period': 'CPU real-time period (microseconds)',
  'cpu-rt-runtime': 'CPU real-time runtime (microseconds) per period',
  'cpu-burst': 'CPU CFS burst (microseconds) the container may accumulate beyond its quota',
  'cpu-idle': '1: the cgroup gets SCHED_IDLE weight, 0: the default',
  'cpuset-cpus': 'CPUs the container may use (e.g. 0-2,4)',
  'cpuset-mems': 'memory nodes the container may use',
  memory: 'memory limit (bytes, or with a unit: 512m, 1g); -1 for none',
  'memory-reservation': 'memory soft limit (bytes or with a unit)',
  'memory-swap': 'memory+swap limit (bytes or with a unit); -1 for unlimited swap',
  'kernel-memory': 'kernel memory limit (where the kernel still has one)',
  'kernel-memory-tcp': 'kernel TCP buffer memory limit',
  'pids-limit': 'maximum number of pids in the container; -1 for none',
  'l3-cache-schema': 'Intel RDT/CAT L3 cache schema ("L3:0=ff"), for a container created with linux.intelRdt',
  'mem-bw-schema': 'Intel RDT/MBA memory bandwidth schema ("MB:0=50"), for a container created with linux.intelRdt',
};

const flags: FlagSpecs = {
  resources: { kind: 'string', alias: ['r'], describe: "file with the resources (LinuxResources JSON) to update, or '-' for standard input; the other options are then ignored" },
  ...Object.fromEntries(
    Object.entries(VALUE_FLAGS).map(([name, describe]) => [name, { kind: 'string' as const, ...(name === 'cpu-share' ? { alias: ['cpu-shares'] } : {}), describe }]),
  ),
};

/** A regular file, or standard input (whatever it is: a pipe, a terminal), within the size limit. */
function readResources(source: string): string {
  try {
    return source === '-' ? readBounded(0, DOCUMENT_SIZE_LIMIT).toString('utf8') : readRegularFile(source);
  } catch (err) {
    if (err instanceof CallerFileError) throw new Error(`--resources ${source === '-' ? 'standard input' : source}: ${err.message}`);
    throw err;
  }
}

export const command: Command = {
  usage: '[command options] <container-id>',
  description: 'Update the resource limits of a running container (its cgroup), from options or from a JSON file.',
  flags,
  args: { min: 1, max: 1 },
  async run(ctx, parsed) {
    const [{ parseResourcesJson, resourcesFromFlags }, { updateContainer }] = await Promise.all([
      import('../../cgroups/update.js'),
      import('../../container/update.js'),
    ]);
    const source = str(parsed.flags, 'resources');
    const request =
      source !== undefined && source !== ''
        ? parseResourcesJson(readResources(source), source === '-' ? 'standard input' : source)
        : resourcesFromFlags((flag) => str(parsed.flags, flag));
    const rdt: { l3CacheSchema?: string; memBwSchema?: string } = {};
    const l3 = str(parsed.flags, 'l3-cache-schema');
    const mb = str(parsed.flags, 'mem-bw-schema');
    if (l3) rdt.l3CacheSchema = l3;
    if (mb) rdt.memBwSchema = mb;
    await updateContainer(new StateStore(ctx.globals.root), parsed.positionals[0] as string, request, rdt);
    return 0;
  },
};
