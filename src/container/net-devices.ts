import * as K from '../linux/constants.js';
import { close, closeQuietly, open } from '../linux/libc.js';
import { RouteSocket } from '../linux/netlink.js';
import {
  addrAddRequest, addrDumpRequest, addressesToKeep, IFF_UP, linkDumpRequest, linkMoveRequest, linkUpRequest, matchesTemplate,
  parseAddress, parseLink, RTM_NEWADDR, RTM_NEWLINK, type Address, type Link,
} from '../linux/netlink-message.js';
import type { LinuxNetDevice } from '../spec/types.js';

// config-linux.md "netDevices": host interfaces moved into the container's network namespace by
// create, renamed when asked (a %d template lets the kernel number the name), their permanent
// global addresses added again inside (a move drops them) and set up. Nothing moves them back at
// delete: when the namespace goes, the kernel returns physical devices to the host and destroys
// virtual ones (the spec's rule). A create that fails after a move does move them back, with
// their addresses and state, so a refused container takes nothing from the host.

type NetDevices = Readonly<Record<string, LinuxNetDevice>>;

const field = (hostName: string): string => `linux.netDevices[${JSON.stringify(hostName)}]`;

function links(sock: RouteSocket): Link[] {
  const seq = sock.nextSeq();
  return sock.dump(linkDumpRequest(seq), seq, 'RTM_GETLINK').filter((r) => r.type === RTM_NEWLINK).map(parseLink);
}

function addresses(sock: RouteSocket): Address[] {
  const seq = sock.nextSeq();
  return sock.dump(addrDumpRequest(seq), seq, 'RTM_GETADDR').filter((r) => r.type === RTM_NEWADDR).map(parseAddress);
}

function setUp(sock: RouteSocket, index: number): void {
  const seq = sock.nextSeq();
  sock.request(linkUpRequest(seq, index), seq, 'RTM_NEWLINK');
}

function addAddresses(sock: RouteSocket, index: number, addrs: readonly Address[]): void {
  for (const a of addrs) {
    const seq = sock.nextSeq();
    sock.request(addrAddRequest(seq, index, a), seq, 'RTM_NEWADDR');
  }
}

function move(sock: RouteSocket, index: number, name: string, nsFd: number): void {
  const seq = sock.nextSeq();
  sock.request(linkMoveRequest(seq, index, name, nsFd), seq, 'RTM_NEWLINK');
}

/** Early, before anything exists: every named device is on the host. */
export function checkNetDevices(devices: NetDevices | undefined): void {
  const names = Object.keys(devices ?? {});
  if (names.length === 0) return;
  const sock = RouteSocket.open();
  try {
    const present = new Set(links(sock).map((l) => l.name));
    for (const name of names) {
      if (!present.has(name)) throw new Error(`${field(name)}: no network device ${JSON.stringify(name)} on the host`);
    }
  } finally {
    sock.close();
  }
}

interface Moved {
  hostName: string;
  hostLink: Link;
  addresses: Address[];
  /** Its link inside, once found. */
  inside?: Link;
}

/** The device `m` became inside: by name, or for a template by index (kept by a move unless taken) and MAC. */
function findInside(inner: Link[], m: Moved, target: string): Link | undefined {
  if (!target.includes('%d')) return inner.find((l) => l.name === target);
  const made = inner.filter((l) => matchesTemplate(target, l.name));
  return made.find((l) => l.index === m.hostLink.index) ?? made.find((l) => l.mac !== undefined && m.hostLink.mac !== undefined && l.mac.equals(m.hostLink.mac));
}

/** Puts moved devices back on the host under their names, with their addresses and up state. */
function moveBack(moved: readonly Moved[], nsFd: number): void {
  const inner = RouteSocket.open(nsFd);
  const host = RouteSocket.open();
  const hostNs = open('/proc/thread-self/ns/net', K.O_RDONLY | K.O_CLOEXEC);
  try {
    const now = links(inner);
    for (const m of moved) {
      const link = m.inside ?? now.find((l) => l.index === m.hostLink.index && m.hostLink.mac !== undefined && l.mac?.equals(m.hostLink.mac));
      if (!link) continue;
      try {
        move(inner, link.index, m.hostName, hostNs);
        const back = links(host).find((l) => l.name === m.hostName);
        if (!back) continue;
        addAddresses(host, back.index, m.addresses);
        if (m.hostLink.flags & IFF_UP) setUp(host, back.index);
      } catch {
        // Best effort: the create error that brought us here is the one to report.
      }
    }
  } finally {
    inner.close();
    host.close();
    close(hostNs);
  }
}

/**
 * Moves `devices` into the network namespace of process `pid`. Returns the undo for a create
 * that fails later (it keeps the namespace alive until called or released); on its own failure
 * it has already moved back what it moved.
 */
export function moveNetDevices(devices: NetDevices | undefined, pid: number): { undo: () => void; release: () => void } | undefined {
  const entries = Object.entries(devices ?? {});
  if (entries.length === 0) return undefined;
  const nsFd = open(`/proc/${pid}/ns/net`, K.O_RDONLY | K.O_CLOEXEC);
  const moved: Moved[] = [];
  const host = RouteSocket.open();
  const inner = RouteSocket.open(nsFd);
  try {
    const hostLinks = links(host);
    const hostAddrs = addresses(host);
    for (const [hostName, dev] of entries) {
      const target = dev.name || hostName;
      const hostLink = hostLinks.find((l) => l.name === hostName);
      if (!hostLink) throw new Error(`${field(hostName)}: no network device ${JSON.stringify(hostName)} on the host`);
      if (!target.includes('%d') && links(inner).some((l) => l.name === target)) {
        throw new Error(`${field(hostName)}.name: ${JSON.stringify(target)} already exists in the container's network namespace (end the name with %d to let the kernel number it)`);
      }
      const m: Moved = { hostName, hostLink, addresses: addressesToKeep(hostAddrs, hostLink.index) };
      try {
        move(host, hostLink.index, target, nsFd);
      } catch (err) {
        throw new Error(`${field(hostName)}: cannot move ${JSON.stringify(hostName)} into the container's network namespace as ${JSON.stringify(target)}: ${(err as Error).message}`);
      }
      moved.push(m);
      const inside = findInside(links(inner), m, target);
      if (!inside) throw new Error(`${field(hostName)}: moved, but not found as ${JSON.stringify(target)} in the container's network namespace`);
      m.inside = inside;
      try {
        addAddresses(inner, inside.index, m.addresses);
        setUp(inner, inside.index);
      } catch (err) {
        throw new Error(`${field(hostName)}: configuring ${JSON.stringify(inside.name)} inside the container: ${(err as Error).message}`);
      }
    }
  } catch (err) {
    moveBack(moved, nsFd);
    close(nsFd);
    throw err;
  } finally {
    host.close();
    inner.close();
  }
  return {
    undo: () => {
      moveBack(moved, nsFd);
      closeQuietly(nsFd);
    },
    release: () => closeQuietly(nsFd),
  };
}
