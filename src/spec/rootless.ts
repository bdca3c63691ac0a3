import { findNamespace } from './rules.js';
import type { IDMapping, Spec } from './types.js';

// What a config must give an unprivileged caller (euid other than 0), as runc's rootless
// validation asks: a user namespace of its own with mappings, and no uid=/gid= mount option
// naming an id that namespace does not map (the kernel would refuse the mount).

function mapped(id: number, mappings: readonly IDMapping[]): boolean {
  return mappings.some((m) => id >= m.containerID && id < m.containerID + m.size);
}

/** The first reason an unprivileged caller (uid `euid`) cannot run this config, or undefined. */
export function rootlessConfigProblem(spec: Spec, euid: number): { path: string; message: string } | undefined {
  const userns = findNamespace(spec, 'user');
  if (!userns) {
    return {
      path: 'linux.namespaces',
      message: `an unprivileged caller (uid ${euid}) needs a user namespace: add {"type": "user"} with uidMappings and gidMappings (\`ocirun spec --rootless\` writes such a config)`,
    };
  }
  if (userns.path) return undefined;
  const uids = spec.linux?.uidMappings ?? [];
  const gids = spec.linux?.gidMappings ?? [];
  for (const [i, m] of (spec.mounts ?? []).entries()) {
    for (const opt of m.options ?? []) {
      const match = /^(uid|gid)=(\d+)$/.exec(opt);
      if (!match) continue;
      const id = Number(match[2]);
      if (!mapped(id, match[1] === 'uid' ? uids : gids)) {
        return { path: `mounts[${i}].options`, message: `${JSON.stringify(opt)} names a container ${match[1]} that linux.${match[1]}Mappings does not map` };
      }
    }
  }
  return undefined;
}
