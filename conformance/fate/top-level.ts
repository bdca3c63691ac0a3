// Fates of config.md's top-level fields: ociVersion, root, hostname, annotations, hooks,
// mounts, and the other platforms' sections. How to add a row: table.ts.
import { applied, refused, refusedWhole, under, type FateRow } from './table.js';

const CONFIG_ERRORS = 'conformance/errors/config.test.ts';
const HOOKS = 'conformance/hooks/hooks.test.ts';
const HOOK_ORDER = 'run in order with the status of their moment, in the right mount namespace';
const OTHER_OS = 'a section of another platform would be ignored on Linux';

export const rows: FateRow[] = [
  applied(CONFIG_ERRORS, '%s', 'ociVersion'),
  applied('conformance/security/escape-paths.test.ts', 'a relative root.path is resolved against the bundle, not the caller’s cwd', 'root', 'root.path'),
  applied('conformance/mounts/mounts.test.ts', 'true: the root cannot be written, the tmpfs mounts can', 'root.readonly'),
  applied('conformance/namespaces/namespaces.test.ts', 'every configured namespace is new; pid, uts, net, cgroup look right from inside', 'hostname'),
  applied('conformance/namespaces/namespaces.test.ts', 'domainname is set in the new uts namespace', 'domainname'),
  applied('conformance/lifecycle/status.test.ts', 'created → running → stopped, in runc\'s shape and key order; pid 0 once stopped', 'annotations', 'annotations.*'),

  applied(HOOKS, HOOK_ORDER, 'hooks', ...['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'].flatMap((h) => under(`hooks.${h}`, '', '[].path', '[].args', '[].env'))),
  applied(HOOKS, 'a hook that outlives its timeout is killed and fails the operation', ...['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'].map((h) => `hooks.${h}[].timeout`)),

  applied('conformance/mounts/mounts.test.ts', 'are all there, with their types and options', 'mounts', 'mounts[].destination', 'mounts[].type', 'mounts[].options'),
  applied('conformance/mounts/mounts.test.ts', 'rw and ro binds of a host directory, and of a single file', 'mounts[].source'),

  refusedWhole(CONFIG_ERRORS, '%s', OTHER_OS, 'windows'),
  refusedWhole(CONFIG_ERRORS, '%s', OTHER_OS, 'solaris'),
  refusedWhole(CONFIG_ERRORS, '%s', `${OTHER_OS} (ocirun runs containers, not virtual machines)`, 'vm'),
  refusedWhole(CONFIG_ERRORS, '%s', OTHER_OS, 'zos'),
  refusedWhole(CONFIG_ERRORS, '%s', OTHER_OS, 'freebsd'),
  refused(CONFIG_ERRORS, '%s', 'Windows-only: on Linux the command is process.args', 'process.commandLine'),
  refused(CONFIG_ERRORS, '%s', 'Windows-only: on Linux the user is process.user.uid and gid', 'process.user.username'),
];
