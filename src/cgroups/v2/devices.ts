import { O_CLOEXEC, O_DIRECTORY, O_RDONLY } from '../../linux/constants.js';
import {
  BPF_CGROUP_DEVICE,
  BPF_F_ALLOW_MULTI,
  BPF_PROG_TYPE_CGROUP_DEVICE,
  bpfProgAttach,
  bpfProgDetach,
  bpfProgGetFdById,
  bpfProgLoad,
  bpfProgQuery,
} from '../../linux/bpf.js';
import { close, open } from '../../linux/libc.js';
import type { DeviceState } from '../devices-emulator.js';
import { DEVICE_FILTER_LICENSE, deviceFilterProgram, encodeProgram } from '../devices-v2-bpf.js';

/**
 * Replaces the cgroup's device filter: the new program is attached before the old ones are
 * detached, so there is no moment without a filter. BPF_F_ALLOW_MULTI lets it coexist with
 * programs an ancestor attached (systemd's); the kernel requires all of them to allow.
 */
export function applyDeviceFilterV2(dir: string, state: DeviceState): void {
  const dirFd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  try {
    const previous = bpfProgQuery(dirFd, BPF_CGROUP_DEVICE);
    const progFd = bpfProgLoad(BPF_PROG_TYPE_CGROUP_DEVICE, encodeProgram(deviceFilterProgram(state)), DEVICE_FILTER_LICENSE);
    try {
      bpfProgAttach(dirFd, progFd, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI);
    } finally {
      close(progFd);
    }
    for (const id of previous) {
      const oldFd = bpfProgGetFdById(id);
      try {
        bpfProgDetach(dirFd, oldFd, BPF_CGROUP_DEVICE);
      } finally {
        close(oldFd);
      }
    }
  } finally {
    close(dirFd);
  }
}
