import dbus from '@homebridge/dbus-native';
import type { DbusValue } from './gvariant.js';
import type { UnitProperty } from './unit-property.js';
import type { UserBus } from './user-manager.js';

// Talking to systemd's manager over D-Bus, through @homebridge/dbus-native (the wire protocol,
// authentication and marshalling are the library's). This module is bundled apart
// (dist/cli/systemd-bus.cjs, scripts/bundle.mjs) and loaded only under --systemd-cgroup, so
// no other command pays for the library. Everything that crosses its boundary is plain data.

/**
 * Which bus: the system bus for root, as runc (DBUS_SYSTEM_BUS_ADDRESS or
 * /run/dbus/system_bus_socket, and systemd's private socket when no bus daemon answers); a
 * rootless caller's user manager on the user's session bus (user-manager.ts).
 */
export type BusChoice = 'system' | UserBus;

export interface SystemdBus {
  /** The manager's version number ("252.19-1~deb12u1" → 252). */
  version(): Promise<number>;
  /** The manager's own cgroup (its ControlGroup property), e.g. "/user.slice/user-1000.slice/user@1000.service". */
  controlGroup(): Promise<string>;
  /** StartTransientUnit, then waits for its job; a job that ends other than "done" is an error naming the unit. */
  startTransientUnit(unit: string, properties: readonly UnitProperty[]): Promise<void>;
  setUnitProperties(unit: string, properties: readonly UnitProperty[]): Promise<void>;
  /** StopUnit and wait for the job; a unit systemd does not know is already stopped. */
  stopUnit(unit: string): Promise<void>;
  /** ResetFailedUnit, so a failed unit is garbage-collected; a unit systemd does not know is fine. */
  resetFailedUnit(unit: string): Promise<void>;
  close(): void;
}

const SYSTEMD = 'org.freedesktop.systemd1';
const MANAGER_PATH = '/org/freedesktop/systemd1';
const MANAGER = 'org.freedesktop.systemd1.Manager';
const SIGNAL = 4;
const JOB_TIMEOUT_MS = 30_000;
const PRIVATE_SOCKET = '/run/systemd/private';

interface DbusError {
  name?: string;
  message?: string;
}

interface Message {
  type: number;
  member?: string;
  interface?: string;
  body?: unknown[];
}

interface Client {
  connection: NodeJS.EventEmitter & { end(): void };
  invoke(msg: Record<string, unknown>, cb: (err: DbusError | null, ...values: unknown[]) => void): void;
}

type CreateClient = (opts: { busAddress?: string; socket?: string; direct?: boolean; authMethods?: string[] }) => Client;

class BusCallError extends Error {
  constructor(
    readonly dbusName: string,
    message: string,
  ) {
    super(message);
  }
}

/** The library's marshaller takes 64-bit numbers as decimal strings and byte arrays as arrays. */
function wire(v: DbusValue): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(wire);
  return v;
}

function wireProperties(properties: readonly UnitProperty[]): unknown[] {
  return properties.map((p) => [p.name, [p.signature, wire(p.value)]]);
}

function addressFor(choice: BusChoice): string {
  if (choice === 'system') return process.env.DBUS_SYSTEM_BUS_ADDRESS ?? 'unix:path=/run/dbus/system_bus_socket';
  return choice.address;
}

/**
 * The library's EXTERNAL authentication claims process.getuid(), read once, synchronously, as
 * createClient starts the handshake. Inside a user namespace (rootless podman runs the runtime
 * as uid 0 in its own) the bus sees the caller's uid outside it and rejects any other claim, so
 * for the duration of that call the library is shown the uid the bus knows.
 */
function claimingUid<T>(uid: number, start: () => T): T {
  const real = process.getuid;
  if (real === undefined || real.call(process) === uid) return start();
  process.getuid = () => uid;
  try {
    return start();
  } finally {
    process.getuid = real;
  }
}

function open(opts: Parameters<CreateClient>[0], claimUid?: number): Promise<Client> {
  const createClient = (dbus as unknown as { createClient: CreateClient }).createClient;
  return new Promise((resolve, reject) => {
    const client = claimUid === undefined ? createClient(opts) : claimingUid(claimUid, () => createClient(opts));
    const failed = (err: Error): void => reject(err);
    client.connection.once('error', failed);
    client.connection.once('connect', () => {
      client.connection.off('error', failed);
      resolve(client);
    });
  });
}

async function connect(choice: BusChoice): Promise<{ client: Client; direct: boolean }> {
  const address = addressFor(choice);
  if (choice !== 'system') {
    try {
      // EXTERNAL only: the cookie fallback would try again as the namespace's uid.
      return { client: await open({ busAddress: address, authMethods: ['EXTERNAL'] }, choice.uid), direct: false };
    } catch (err) {
      throw new Error(`--systemd-cgroup: cannot reach the user's systemd on the session bus at ${address} (as uid ${choice.uid}): ${(err as Error).message}`);
    }
  }
  try {
    return { client: await open({ busAddress: address }), direct: false };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // go-systemd's fallback for root: systemd's own socket works without a bus daemon.
    if (process.getuid?.() !== 0 || (code !== 'ENOENT' && code !== 'ECONNREFUSED')) {
      throw new Error(`cannot connect to the D-Bus system bus at ${address}: ${(err as Error).message}`);
    }
    try {
      return { client: await open({ socket: PRIVATE_SOCKET, direct: true }), direct: true };
    } catch (err2) {
      throw new Error(`cannot connect to systemd: neither the system bus (${address}) nor ${PRIVATE_SOCKET} answers: ${(err2 as Error).message}`);
    }
  }
}

export async function connectSystemd(choice: BusChoice): Promise<SystemdBus> {
  const { client, direct } = await connect(choice);
  // A broken connection later fails the call in flight; without a listener it would throw.
  let broken: Error | undefined;
  client.connection.on('error', (err: Error) => {
    broken = err;
  });
  const finished = new Map<string, string>();
  const waiting = new Map<string, (result: string) => void>();
  client.connection.on('message', (msg: Message) => {
    if (msg.type !== SIGNAL || msg.interface !== MANAGER || msg.member !== 'JobRemoved') return;
    const [, job, , result] = (msg.body ?? []) as [number, string, string, string];
    const wake = waiting.get(job);
    if (wake) wake(result);
    else finished.set(job, result);
  });

  const call = (member: string, signature: string, body: unknown[], iface = MANAGER): Promise<unknown[]> =>
    new Promise((resolve, reject) => {
      if (broken) {
        reject(new Error(`D-Bus connection to systemd failed: ${broken.message}`));
        return;
      }
      client.invoke({ destination: SYSTEMD, path: MANAGER_PATH, interface: iface, member, signature, body }, (err, ...values) => {
        if (err) reject(new BusCallError(err.name ?? 'org.freedesktop.DBus.Error.Failed', err.message || err.name || 'unknown error'));
        else resolve(values);
      });
    });

  const jobResult = (job: string, unit: string, verb: string): Promise<string> => {
    const done = finished.get(job);
    if (done !== undefined) return Promise.resolve(done);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(job);
        reject(new Error(`timed out after ${JOB_TIMEOUT_MS / 1000} s waiting for systemd to ${verb} ${unit}`));
      }, JOB_TIMEOUT_MS);
      waiting.set(job, (result) => {
        clearTimeout(timer);
        waiting.delete(job);
        resolve(result);
      });
    });
  };

  if (!direct) {
    await new Promise<void>((resolve, reject) => {
      const match = `type='signal',sender='${SYSTEMD}',path='${MANAGER_PATH}',interface='${MANAGER}',member='JobRemoved'`;
      client.invoke(
        { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'AddMatch', signature: 's', body: [match] },
        (err) => (err ? reject(new Error(`D-Bus AddMatch failed: ${err.message ?? err.name}`)) : resolve()),
      );
    });
  }

  const resetFailedUnit = async (unit: string): Promise<void> => {
    try {
      await call('ResetFailedUnit', 's', [unit]);
    } catch (err) {
      if (!(err instanceof BusCallError && err.dbusName.endsWith('.NoSuchUnit'))) throw err;
    }
  };

  const property = async (name: string): Promise<string> => {
    const [variant] = await call('Get', 'ss', [MANAGER, name], 'org.freedesktop.DBus.Properties');
    return JSON.stringify(variant);
  };

  return {
    async version() {
      const m = /"v?(\d+)/.exec(await property('Version'));
      return m ? Number(m[1]) : 0;
    },
    async controlGroup() {
      const m = /"(\/[^"]*)"/.exec(await property('ControlGroup'));
      if (!m) throw new Error('systemd did not report its ControlGroup');
      return m[1] as string;
    },
    async startTransientUnit(unit, properties) {
      const start = (): Promise<unknown[]> => call('StartTransientUnit', 'ssa(sv)a(sa(sv))', [unit, 'replace', wireProperties(properties), []]);
      let reply: unknown[];
      try {
        reply = await start();
      } catch (err) {
        if (!(err instanceof BusCallError && err.dbusName.endsWith('.UnitExists'))) {
          throw new Error(`systemd refused to create ${unit}: ${(err as Error).message}`);
        }
        // A failed unit of the same name lingers until reset (runc retries once the same way).
        await resetFailedUnit(unit);
        try {
          reply = await start();
        } catch (err2) {
          throw new Error(`systemd refused to create ${unit}: ${(err2 as Error).message}`);
        }
      }
      const result = await jobResult(String(reply[0]), unit, 'start');
      if (result !== 'done') {
        await resetFailedUnit(unit).catch(() => undefined);
        throw new Error(`systemd could not start ${unit}: its job ended "${result}" (see: journalctl -u ${unit})`);
      }
    },
    async setUnitProperties(unit, properties) {
      if (properties.length === 0) return;
      try {
        await call('SetUnitProperties', 'sba(sv)', [unit, true, wireProperties(properties)]);
      } catch (err) {
        throw new Error(`systemd refused the new properties of ${unit}: ${(err as Error).message}`);
      }
    },
    async stopUnit(unit) {
      let reply: unknown[];
      try {
        reply = await call('StopUnit', 'ss', [unit, 'replace']);
      } catch (err) {
        if (err instanceof BusCallError && err.dbusName.endsWith('.NoSuchUnit')) return;
        throw new Error(`systemd could not stop ${unit}: ${(err as Error).message}`);
      }
      await jobResult(String(reply[0]), unit, 'stop');
      await resetFailedUnit(unit);
    },
    resetFailedUnit,
    close() {
      client.connection.end();
    },
  };
}
