import type { Spec } from '../spec/types.js';

/** Where the container finds the caller's sd_notify socket (NOTIFY_SOCKET passthrough). */
export const CONTAINER_NOTIFY_SOCKET = '/run/notify/notify.sock';

export interface Passthrough {
  spec: Spec;
  preserveFds: number;
}

/**
 * What the calling environment hands to the container, as runc does:
 * - LISTEN_FDS=N (socket activation): fds 3..3+N-1 stay open in the container, which gets
 *   LISTEN_FDS=N and LISTEN_PID=1; they come before the --preserve-fds ones.
 * - NOTIFY_SOCKET=PATH: the socket is bind-mounted into the container and NOTIFY_SOCKET points
 *   there, so the process's READY=1 reaches the caller (conmon, systemd).
 * Pure: the caller's environment comes in as a parameter.
 */
export function applyPassthrough(spec: Spec, env: NodeJS.ProcessEnv, preserveFds: number): Passthrough {
  if (!spec.process) return { spec, preserveFds };
  const extraEnv: string[] = [];
  const mounts = [...(spec.mounts ?? [])];
  let fds = preserveFds;
  const listen = env['LISTEN_FDS'];
  if (listen !== undefined && /^[1-9][0-9]*$/.test(listen)) {
    fds += Number(listen);
    extraEnv.push(`LISTEN_FDS=${listen}`, 'LISTEN_PID=1');
  }
  const notify = env['NOTIFY_SOCKET'];
  if (notify !== undefined && notify.startsWith('/')) {
    mounts.push({ destination: CONTAINER_NOTIFY_SOCKET, type: 'bind', source: notify, options: ['bind', 'nosuid', 'nodev', 'noexec'] });
    extraEnv.push(`NOTIFY_SOCKET=${CONTAINER_NOTIFY_SOCKET}`);
  }
  if (extraEnv.length === 0) return { spec, preserveFds };
  const names = new Set(extraEnv.map((e) => e.slice(0, e.indexOf('='))));
  const processEnv = (spec.process.env ?? []).filter((e) => !names.has(e.slice(0, e.indexOf('='))));
  return { spec: { ...spec, mounts, process: { ...spec.process, env: [...processEnv, ...extraEnv] } }, preserveFds: fds };
}
