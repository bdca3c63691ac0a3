// The guest is the host the rest of this set needs: systemd as PID 1 on pure cgroup v2 with every
// controller of config-linux.md, so a skipped resource test here would be a harness defect.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hierarchies } from '../../../conformance/cgroups/support.js';

describe('the guest host', () => {
  it('runs systemd as PID 1 on a pure cgroup v2 hierarchy', () => {
    expect(readFileSync('/proc/1/comm', 'utf8').trim()).toBe('systemd');
    expect(hierarchies.mode).toBe('v2');
    expect(hierarchies.unified?.mountpoint).toBe('/sys/fs/cgroup');
  });

  it('offers every controller the resource tests use, and reserved huge pages', () => {
    const controllers = readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').trim().split(/\s+/);
    expect(controllers).toEqual(expect.arrayContaining(['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc']));
    expect(Number(readFileSync('/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages', 'utf8'))).toBeGreaterThan(0);
  });
});
