import { bool, list, optional, str, type FlagSpecs, type FlagValues } from './args.js';
import { MANAGE_CGROUPS_MODES, type ManageCgroupsMode } from '../criu/options.js';
import { criuPrivilege } from '../criu/privilege.js';
import { runningInUserNamespace } from '../linux/userns.js';
import type { Logger } from '../log.js';

/** Flags `checkpoint` and `restore` share, as runc names them. */
export const COMMON_CRIU_FLAGS: FlagSpecs = {
  'image-path': { kind: 'string', describe: 'directory of the checkpoint images (default: ./checkpoint)' },
  'work-path': { kind: 'string', describe: 'directory for CRIU\'s logs and work files (default: the image path)' },
  'tcp-established': { kind: 'boolean', describe: 'allow open TCP connections' },
  'ext-unix-sk': { kind: 'boolean', describe: 'allow external unix sockets' },
  'shell-job': { kind: 'boolean', describe: 'allow a shell job (a container sharing the caller\'s session)' },
  'file-locks': { kind: 'boolean', describe: 'handle file locks' },
  'manage-cgroups-mode': { kind: 'string', describe: 'cgroups mode: soft (default), full, strict or ignore' },
  'empty-ns': { kind: 'list', describe: 'create this namespace empty, not from the images (network)' },
  'auto-dedup': { kind: 'boolean', describe: 'deduplicate the memory images' },
  'lazy-pages': { kind: 'boolean', describe: 'memory pages are served lazily (checkpoint: with --page-server; restore: from criu lazy-pages)' },
};

export function commonCriuFlags(flags: FlagValues) {
  const mode = str(flags, 'manage-cgroups-mode');
  if (mode !== undefined && !(MANAGE_CGROUPS_MODES as readonly string[]).includes(mode)) {
    throw new Error(`--manage-cgroups-mode: expected one of ${MANAGE_CGROUPS_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  }
  return {
    ...optional(flags, 'image-path'),
    ...optional(flags, 'work-path'),
    tcpEstablished: bool(flags, 'tcp-established'),
    extUnixSk: bool(flags, 'ext-unix-sk'),
    shellJob: bool(flags, 'shell-job'),
    fileLocks: bool(flags, 'file-locks'),
    emptyNs: list(flags, 'empty-ns'),
    autoDedup: bool(flags, 'auto-dedup'),
    lazyPages: bool(flags, 'lazy-pages'),
    ...(mode !== undefined ? { manageCgroupsMode: mode as ManageCgroupsMode } : {}),
  };
}

/** A rootless caller is refused before anything is done (criu/privilege.ts says why). */
export function requireCriuPrivilege(action: 'checkpoint' | 'restore', log: Logger): void {
  const verdict = criuPrivilege(action, { euid: process.geteuid?.() ?? 0, inUserNamespace: runningInUserNamespace() });
  if (!verdict.ok) throw new Error(verdict.error);
  if (verdict.warning !== undefined) log.warn(verdict.warning);
}
