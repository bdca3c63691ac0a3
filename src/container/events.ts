import { watchOom, type OomWatch } from '../cgroups/oom.js';
import { statsEventJson } from '../cgroups/stats.js';
import type { CgroupManager } from '../cgroups/manager.js';
import { POLLIN } from '../linux/constants.js';
import { close, poll } from '../linux/libc.js';
import { cgroupOf } from '../state/cgroup-of.js';
import { openPidfdOf } from '../state/pidfd.js';
import type { ContainerRecord } from '../state/record.js';
import { deriveStatus } from '../state/status.js';
import type { StateStore } from '../state/store.js';

// runc's `events`: JSON lines {"type":"stats"|"oom","id":...,"data":...}. Read-only, so no
// container lock is taken: a stream that runs for hours must not block `delete`.

function openContainer(store: StateStore, id: string): { rec: ContainerRecord; cgroup: CgroupManager } {
  const rec = store.load(id);
  if (deriveStatus(store, rec) === 'stopped') throw new Error(`container with id ${id} is not running`);
  const cgroup = cgroupOf(rec);
  if (!cgroup) throw new Error(`container ${id} has no cgroup of its own: no stats or OOM events`);
  return { rec, cgroup };
}

/** `events --stats`: one stats event. */
export function statsOnce(store: StateStore, id: string): string {
  const { cgroup } = openContainer(store, id);
  return `${statsEventJson(id, cgroup.stats())}\n`;
}

export interface StreamSink {
  line(json: string): void;
  /** A stats read that failed; the stream goes on, as runc's does. */
  error(message: string): void;
}

/**
 * Streams stats every `intervalMs` and an "oom" event for each OOM in the container's memory
 * cgroup, until the container's init has exited or its cgroup is gone. Synchronous: it blocks
 * in poll(2) on the OOM notification fd and a pidfd of the init.
 */
export function streamEvents(store: StateStore, id: string, intervalMs: number, sink: StreamSink): void {
  const { rec, cgroup } = openContainer(store, id);
  const initFd = initPidfd(rec);
  if (initFd === undefined) return;
  let watch: OomWatch | undefined;
  try {
    watch = watchOom(cgroup);
    const fds = watch ? [initFd, watch.fd] : [initFd];
    const oom = JSON.stringify({ type: 'oom', id });
    const reportOoms = (): boolean => {
      const news = watch?.take() ?? { ooms: 0, gone: !cgroup.exists() };
      if (news.ooms > 0) sink.line(oom);
      return news.gone;
    };
    let nextStats = Date.now() + intervalMs;
    for (;;) {
      const [initExited = 0] = poll(fds, POLLIN, Math.ceil(Math.max(0, nextStats - Date.now())));
      // OOM news first: the OOM killer may just have ended the container.
      if (reportOoms()) return;
      if (initExited & POLLIN) {
        reportOoms();
        return;
      }
      const now = Date.now();
      if (now >= nextStats) {
        // Ticks missed while busy are dropped, as Go's time.Tick drops them.
        while (nextStats <= now) nextStats += intervalMs;
        try {
          sink.line(statsEventJson(id, cgroup.stats()));
        } catch (err) {
          sink.error(`unable to get container stats: ${(err as Error).message}`);
        }
      }
    }
  } finally {
    watch?.close();
    close(initFd);
  }
}

/** A pidfd of the container's init, readable once it exits; undefined when it already has. */
function initPidfd(rec: ContainerRecord): number | undefined {
  return openPidfdOf({ pid: rec.pid, startTime: rec.pidStartTime });
}
