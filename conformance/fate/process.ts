// Fates of config.md's process fields (POSIX and Linux). How to add a row: table.ts.
import { applied, refused, under, type FateRow } from './table.js';

const PROCESS = 'conformance/process/process.test.ts';
const SCHED = 'conformance/process/scheduling.test.ts';
const CAPS = 'conformance/security/capabilities.test.ts';
// The guest booted with SELinux (test/guest/selinux/kernel-args).
const SELINUX = 'test/guest/selinux/selinux.test.ts';
// The guest's plain boot, AppArmor loaded.
const APPARMOR = 'test/guest/lsm/apparmor.test.ts';

export const rows: FateRow[] = [
  applied(PROCESS, 'args are passed as they are; env is exactly the config\'s plus HOME; cwd is entered', 'process', 'process.args', 'process.env', 'process.cwd'),
  applied('conformance/terminal/terminal.test.ts', 'sends the master in one message, as runc does, and the slave is the process\'s terminal', 'process.terminal', ...under('process.consoleSize', '', '.height', '.width')),
  applied(PROCESS, 'uid, gid and additionalGids as seen by the process', 'process.user', 'process.user.uid', 'process.user.gid', 'process.user.additionalGids'),
  applied(PROCESS, 'umask: the given one, else 0022', 'process.user.umask'),
  applied(PROCESS, 'rlimits are set on the process', ...under('process.rlimits', '', '[].type', '[].soft', '[].hard')),
  applied(PROCESS, 'oomScoreAdj is written for the process', 'process.oomScoreAdj'),
  applied(PROCESS, 'noNewPrivileges sets no_new_privs; false leaves it off', 'process.noNewPrivileges'),
  applied(CAPS, 'root: bounding and inheritable as configured; with no_new_privs execve keeps permitted to the configured set', 'process.capabilities', 'process.capabilities.bounding', 'process.capabilities.inheritable'),
  applied(CAPS, 'non-root with ambient capabilities: they survive execve as permitted and effective, and work', 'process.capabilities.ambient', 'process.capabilities.permitted', 'process.capabilities.effective'),
  refused(CAPS, '%s: create fails with an error naming the field, nothing left', 'the host has no AppArmor', 'process.apparmorProfile'),
  applied(APPARMOR, 'confines the container process: the profile is its label, the denied write fails', 'process.apparmorProfile'),
  refused(CAPS, '%s: create fails with an error naming the field, nothing left', 'the host has no SELinux', 'process.selinuxLabel'),
  applied(SELINUX, 'is the container process\'s context in /proc/self/attr/current, as under runc', 'process.selinuxLabel'),
  applied('conformance/process/extras.test.ts', 'ioPriority is set on the container process', ...under('process.ioPriority', '', '.class', '.priority')),

  applied(SCHED, 'SCHED_BATCH with nice 7 is the init\'s policy and nice', 'process.scheduler', 'process.scheduler.policy', 'process.scheduler.nice'),
  applied(SCHED, 'SCHED_FIFO priority 10 runs real-time under the cgroup\'s rt budget', 'process.scheduler.priority'),
  applied(SCHED, 'SCHED_DEADLINE takes runtime, deadline and period; SCHED_FLAG_RESET_ON_FORK gives children SCHED_OTHER', 'process.scheduler.flags', 'process.scheduler.runtime', 'process.scheduler.deadline', 'process.scheduler.period'),
  applied(SCHED, 'initial is the exec\'d process\'s affinity when final is not given', 'process.execCPUAffinity', 'process.execCPUAffinity.initial'),
  applied(SCHED, 'final replaces initial after the move into the cgroup; the init keeps every CPU', 'process.execCPUAffinity.final'),
];
