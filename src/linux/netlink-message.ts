// rtnetlink messages (include/uapi/linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h) as
// plain bytes: built and parsed here without the FFI; src/linux/netlink.ts sends them.
// Everything is host byte order (little-endian on x64 and arm64), attributes 4-byte aligned.

export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const RTM_NEWLINK = 16;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_GETADDR = 22;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP = 0x300;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;

export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_NET_NS_FD = 28;

export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_BROADCAST = 4;
export const IFA_FLAGS = 8;

export const IFF_UP = 0x1;
export const IFA_F_PERMANENT = 0x80;
export const RT_SCOPE_UNIVERSE = 0;

/** Flags an address keeps when it is added again: how it was configured, not its state (tentative, deprecated...). */
const IFA_F_CONFIG = 0x02 /* NODAD */ | 0x20 /* HOMEADDRESS */ | 0x100 /* MANAGETEMPADDR */ | 0x200 /* NOPREFIXROUTE */ | 0x400 /* MCAUTOJOIN */;

const NLMSG_HDRLEN = 16;

const align4 = (n: number): number => (n + 3) & ~3;

export interface Attr {
  type: number;
  data: Buffer;
}

export function u32Attr(type: number, value: number): Attr {
  const data = Buffer.alloc(4);
  data.writeUInt32LE(value >>> 0);
  return { type, data };
}

export function stringAttr(type: number, value: string): Attr {
  return { type, data: Buffer.concat([Buffer.from(value), Buffer.alloc(1)]) };
}

function encodeAttrs(attrs: readonly Attr[]): Buffer {
  return Buffer.concat(
    attrs.map(({ type, data }) => {
      const out = Buffer.alloc(align4(4 + data.length));
      out.writeUInt16LE(4 + data.length, 0);
      out.writeUInt16LE(type, 2);
      data.copy(out, 4);
      return out;
    }),
  );
}

/** One netlink message: header, fixed family header, attributes. */
export function message(type: number, flags: number, seq: number, body: Buffer, attrs: readonly Attr[] = []): Buffer {
  const payload = Buffer.concat([body, encodeAttrs(attrs)]);
  const header = Buffer.alloc(NLMSG_HDRLEN);
  header.writeUInt32LE(NLMSG_HDRLEN + payload.length, 0);
  header.writeUInt16LE(type, 4);
  header.writeUInt16LE(flags, 6);
  header.writeUInt32LE(seq, 8);
  header.writeUInt32LE(0, 12);
  return Buffer.concat([header, payload]);
}

/** struct ifinfomsg. */
export function ifinfomsg(index: number, flags = 0, change = 0): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(0, 0); // AF_UNSPEC
  b.writeUInt16LE(0, 2);
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags, 8);
  b.writeUInt32LE(change, 12);
  return b;
}

/** struct ifaddrmsg. */
export function ifaddrmsg(family: number, prefixlen: number, flags: number, scope: number, index: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(family, 0);
  b.writeUInt8(prefixlen, 1);
  b.writeUInt8(flags & 0xff, 2);
  b.writeUInt8(scope, 3);
  b.writeUInt32LE(index, 4);
  return b;
}

/** Moves link `index` into the network namespace `nsFd`, renamed to `name` (a %d template lets the kernel number it). */
export function linkMoveRequest(seq: number, index: number, name: string, nsFd: number): Buffer {
  return message(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq, ifinfomsg(index), [stringAttr(IFLA_IFNAME, name), u32Attr(IFLA_NET_NS_FD, nsFd)]);
}

export function linkUpRequest(seq: number, index: number): Buffer {
  return message(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq, ifinfomsg(index, IFF_UP, IFF_UP));
}

/** Sets the link named `name` up: the kernel finds it by name when the index is 0. */
export function linkUpByNameRequest(seq: number, name: string): Buffer {
  return message(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq, ifinfomsg(0, IFF_UP, IFF_UP), [stringAttr(IFLA_IFNAME, name)]);
}

export function linkDumpRequest(seq: number): Buffer {
  return message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq, ifinfomsg(0));
}

export function addrDumpRequest(seq: number): Buffer {
  return message(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq, ifaddrmsg(0, 0, 0, 0, 0));
}

export interface Address {
  family: number;
  prefixlen: number;
  /** ifa_flags widened by IFA_FLAGS when present. */
  flags: number;
  scope: number;
  index: number;
  local?: Buffer;
  address?: Buffer;
  broadcast?: Buffer;
}

export function addrAddRequest(seq: number, index: number, a: Address): Buffer {
  const flags = a.flags & IFA_F_CONFIG;
  const attrs: Attr[] = [];
  if (a.local) attrs.push({ type: IFA_LOCAL, data: a.local });
  if (a.address) attrs.push({ type: IFA_ADDRESS, data: a.address });
  if (a.broadcast) attrs.push({ type: IFA_BROADCAST, data: a.broadcast });
  attrs.push(u32Attr(IFA_FLAGS, flags));
  return message(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq, ifaddrmsg(a.family, a.prefixlen, flags, a.scope, index), attrs);
}

export interface Reply {
  type: number;
  seq: number;
  /** The bytes after the header. */
  payload: Buffer;
}

/** Splits a datagram into its messages. */
export function parseReplies(buf: Buffer): Reply[] {
  const out: Reply[] = [];
  let off = 0;
  while (off + NLMSG_HDRLEN <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > buf.length) break;
    out.push({ type: buf.readUInt16LE(off + 4), seq: buf.readUInt32LE(off + 8), payload: buf.subarray(off + NLMSG_HDRLEN, off + len) });
    off += align4(len);
  }
  return out;
}

/** NLMSG_ERROR's errno (positive; 0 is an acknowledgement). */
export function errorOf(reply: Reply): number {
  return Math.abs(reply.payload.readInt32LE(0));
}

export function parseAttrs(buf: Buffer): Map<number, Buffer> {
  const attrs = new Map<number, Buffer>();
  let off = 0;
  while (off + 4 <= buf.length) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > buf.length) break;
    attrs.set(buf.readUInt16LE(off + 2) & 0x3fff, buf.subarray(off + 4, off + len));
    off += align4(len);
  }
  return attrs;
}

export interface Link {
  index: number;
  name: string;
  /** IFF_* of ifinfomsg. */
  flags: number;
  mac?: Buffer;
}

export function parseLink(reply: Reply): Link {
  const attrs = parseAttrs(reply.payload.subarray(16));
  const name = attrs.get(IFLA_IFNAME);
  const end = name ? (name.indexOf(0) < 0 ? name.length : name.indexOf(0)) : 0;
  const link: Link = { index: reply.payload.readInt32LE(4), name: name ? name.toString('utf8', 0, end) : '', flags: reply.payload.readUInt32LE(8) };
  const mac = attrs.get(IFLA_ADDRESS);
  if (mac) link.mac = Buffer.from(mac);
  return link;
}

export function parseAddress(reply: Reply): Address {
  const p = reply.payload;
  const attrs = parseAttrs(p.subarray(8));
  const wide = attrs.get(IFA_FLAGS);
  const a: Address = {
    family: p.readUInt8(0),
    prefixlen: p.readUInt8(1),
    flags: wide ? wide.readUInt32LE(0) : p.readUInt8(2),
    scope: p.readUInt8(3),
    index: p.readUInt32LE(4),
  };
  const copy = (type: number): Buffer | undefined => {
    const v = attrs.get(type);
    return v ? Buffer.from(v) : undefined;
  };
  const local = copy(IFA_LOCAL);
  const address = copy(IFA_ADDRESS);
  const broadcast = copy(IFA_BROADCAST);
  if (local) a.local = local;
  if (address) a.address = address;
  if (broadcast) a.broadcast = broadcast;
  return a;
}

/** config-linux.md "netDevices": the addresses that move with a device, permanent and of global scope. */
export function addressesToKeep(all: readonly Address[], index: number): Address[] {
  return all.filter((a) => a.index === index && a.scope === RT_SCOPE_UNIVERSE && (a.flags & IFA_F_PERMANENT) !== 0);
}

/** Whether `name` is what the kernel made of the template (eth%d → eth0, eth1...). */
export function matchesTemplate(template: string, name: string): boolean {
  const [before = '', after = ''] = template.split('%d');
  return name.startsWith(before) && name.endsWith(after) && /^\d+$/.test(name.slice(before.length, name.length - after.length));
}
