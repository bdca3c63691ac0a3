import { detectHierarchies } from '../cgroups/detect.js';
import { cgroupBindSources } from '../init/cgroup-mount.js';
import { cgroupLayout } from '../init/cgroup-layout.js';

/** What criu/options.ts cgroupBinds() needs of this host's cgroup layout. */
export function cgroupNames(): string[] | 'unified' {
  const layout = cgroupLayout(detectHierarchies());
  return layout.version === 2 ? 'unified' : layout.hierarchies.map((h) => h.name);
}

/** Each bind destination with the container's directory that `create` binds there, in order. */
export function cgroupBindSourcesOf(destinations: string[], dirs: Readonly<Record<string, string>>): Array<{ destination: string; source: string }> {
  if (destinations.length === 0) return [];
  const sources = cgroupBindSources(cgroupLayout(detectHierarchies()), dirs);
  return destinations.map((destination, i) => ({ destination, source: sources[i % sources.length] as string }));
}
