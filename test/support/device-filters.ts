// What the kernel says about a cgroup v2 device filter, for tests that check the runtime
// attached exactly one (it replaces its own program, never stacks a second).
import { BPF_CGROUP_DEVICE, bpfProgQuery } from '../../src/linux/bpf.js';
import { O_CLOEXEC, O_DIRECTORY, O_RDONLY } from '../../src/linux/constants.js';
import { close, open } from '../../src/linux/libc.js';

/** How many device programs are attached to the cgroup itself. */
export function deviceFilterCount(dir: string): number {
  const dirFd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  try {
    return bpfProgQuery(dirFd, BPF_CGROUP_DEVICE).length;
  } finally {
    close(dirFd);
  }
}
