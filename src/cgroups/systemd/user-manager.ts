import type { CgroupWrite } from '../plan.js';

// The rootless side of the systemd driver: a caller that may not ask the system manager for a
// unit asks its own user manager (user@UID.service), over the user's session bus. Pure decisions
// here; bus.ts talks, manager.ts (cgroups) reads the process's identity and environment.

/** How to reach a user's systemd manager. */
export interface UserBus {
  address: string;
  /** The uid the bus knows the caller by (its uid outside any user namespace): EXTERNAL auth claims it. */
  uid: number;
}

/**
 * The caller's uid as the kernel reports it to a peer outside its user namespace, from the text
 * of /proc/self/uid_map (runc's DetectUID asks busctl for the bus owner instead). The initial
 * namespace maps every id onto itself, so outside a user namespace this is `euid`. One level: a
 * namespace nested in another maps to its parent's ids, which rootless podman's is not.
 */
export function ownerUid(uidMap: string, euid: number): number {
  for (const line of uidMap.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 3 || !f.every((x) => /^\d+$/.test(x))) continue;
    const [inside, outside, count] = f.map(Number) as [number, number, number];
    if (euid >= inside && euid - inside < count) return outside + (euid - inside);
  }
  throw new Error(`--systemd-cgroup: uid ${euid} is not mapped in this user namespace (/proc/self/uid_map), so the user's systemd cannot know the caller`);
}

/**
 * runc's rule (DetectUserDbusSessionBusAddress): $DBUS_SESSION_BUS_ADDRESS, else
 * "unix:path=$XDG_RUNTIME_DIR/bus" when that socket exists; otherwise an error that says what to
 * install or set.
 */
export function userBusAddress(env: Readonly<Record<string, string | undefined>>, exists: (path: string) => boolean): string {
  const set = env.DBUS_SESSION_BUS_ADDRESS;
  if (set) return set;
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg) {
    const socket = `${xdg.replace(/\/+$/, '')}/bus`;
    if (exists(socket)) return `unix:path=${socket}`;
  }
  const looked = xdg ? `, and there is no ${xdg.replace(/\/+$/, '')}/bus` : ' nor XDG_RUNTIME_DIR';
  throw new Error(`--systemd-cgroup: a rootless caller needs its user's D-Bus session bus, but DBUS_SESSION_BUS_ADDRESS is not set${looked} (a user manager with dbus-user-session; for a user without a login session: loginctl enable-linger USER)`);
}

/** Where systemd puts the user manager of `uid` (its ControlGroup property). */
export function userManagerCgroup(uid: number): string {
  return `/user.slice/user-${uid}.slice/user@${uid}.service`;
}

/**
 * The uid whose user manager owns a cgroup, from the cgroup's path: only user@UID.service's own
 * manager makes units below it (the system manager delegates that subtree), so a saved scope
 * there is stopped through that manager.
 */
export function userManagerOf(cgroupPath: string): number | undefined {
  const m = /^\/user\.slice\/user-(\d+)\.slice\/user@(\d+)\.service\//.exec(cgroupPath);
  if (!m || m[1] !== m[2]) return undefined;
  return Number(m[1]);
}

/** Each controller the writes need ("memory" for memory.max), with the first field that needs it. */
export function neededControllers(writes: readonly CgroupWrite[]): Map<string, string> {
  const needed = new Map<string, string>();
  for (const w of writes) {
    const controller = w.file.slice(0, w.file.indexOf('.'));
    // cgroup.* files are the core's, there without any controller.
    if (controller === 'cgroup' || needed.has(controller)) continue;
    needed.set(controller, w.field);
  }
  return needed;
}

/**
 * The controllers a user manager can hand to its units: those listed in its own
 * cgroup.controllers. `needed` maps each controller to the first config field that needs it.
 * Returns the error for the first one missing.
 */
export function undelegatedController(available: ReadonlySet<string>, needed: ReadonlyMap<string, string>, managerDir: string): { field: string; message: string } | undefined {
  for (const [controller, field] of needed) {
    if (available.has(controller)) continue;
    const list = [...available].sort().join(' ') || 'none';
    return {
      field,
      message: `the user's systemd manager does not delegate the "${controller}" controller (${managerDir}/cgroup.controllers: ${list}); add it to Delegate= of user@.service (a drop-in such as /etc/systemd/system/user@.service.d/delegate.conf) or leave the limit out`,
    };
  }
  return undefined;
}
