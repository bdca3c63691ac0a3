// rtnetlink messages (include/uapi/linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h) as
// plain bytes: built and parsed here without the FFI; src/linux/netlink.ts sends them.
// Everything is host byte order (little-endian on x64 and arm64), attributes 4-byte aligned.
// Bytes are Uint8Arrays read and written through DataViews, V8's own compiled code: the forked
// init sends one of these messages (its loopback), and Buffer's methods are Node's JavaScript,
// which V8 would compile there first (-0.7 ms CPU per run; bench/RESULTS.md).

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

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

export interface Attr {
  type: number;
  data: Uint8Array;
}

export function u32Attr(type: number, value: number): Attr {
  const data = new Uint8Array(4);
  view(data).setUint32(0, value >>> 0, true);
  return { type, data };
}

/** A NUL-terminated string attribute, UTF-8 as the kernel takes names. */
export function stringAttr(type: number, value: string): Attr {
  const ascii = /^[\x01-\x7f]*$/.test(value);
  // A code unit per byte for ASCII (interface names are): no encoder to load in the init.
  const bytes = ascii ? Uint8Array.from(value, (ch) => ch.charCodeAt(0)) : new Uint8Array(Buffer.from(value));
  const data = new Uint8Array(bytes.length + 1);
  data.set(bytes);
  return { type, data };
}

/** One netlink message: header, fixed family header, attributes. */
export function message(type: number, flags: number, seq: number, body: Uint8Array, attrs: readonly Attr[] = []): Uint8Array {
  const length = attrs.reduce((n, a) => n + align4(4 + a.data.length), NLMSG_HDRLEN + align4(body.length));
  const out = new Uint8Array(length);
  const v = view(out);
  v.setUint32(0, length, true);
  v.setUint16(4, type, true);
  v.setUint16(6, flags, true);
  v.setUint32(8, seq, true);
  out.set(body, NLMSG_HDRLEN);
  let off = NLMSG_HDRLEN + align4(body.length);
  for (const { type: attrType, data } of attrs) {
    v.setUint16(off, 4 + data.length, true);
    v.setUint16(off + 2, attrType, true);
    out.set(data, off + 4);
    off += align4(4 + data.length);
  }
  return out;
}

/** struct ifinfomsg (family AF_UNSPEC). */
export function ifinfomsg(index: number, flags = 0, change = 0): Uint8Array {
  const b = new Uint8Array(16);
  const v = view(b);
  v.setInt32(4, index, true);
  v.setUint32(8, flags, true);
  v.setUint32(12, change, true);
  return b;
}

/** struct ifaddrmsg. */
export function ifaddrmsg(family: number, prefixlen: number, flags: number, scope: number, index: number): Uint8Array {
  const b = Uint8Array.of(family, prefixlen, flags & 0xff, scope, 0, 0, 0, 0);
  view(b).setUint32(4, index, true);
  return b;
}

/** Moves link `index` into the network namespace `nsFd`, renamed to `name` (a %d template lets the kernel number it). */
export function linkMoveRequest(seq: number, index: number, name: string, nsFd: number): Uint8Array {
  return message(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq, ifinfomsg(index), [stringAttr(IFLA_IFNAME, name), u32Attr(IFLA_NET_NS_FD, nsFd)]);
}

export function linkUpRequest(seq: number, index: number): Uint8Array {
  return message(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq, ifinfomsg(index, IFF_UP, IFF_UP));
}

/** Sets the link named `name` up: the kernel finds it by name when the index is 0. */
export function linkUpByNameRequest(seq: number, name: string): Uint8Array {
  return message(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq, ifinfomsg(0, IFF_UP, IFF_UP), [stringAttr(IFLA_IFNAME, name)]);
}

export function linkDumpRequest(seq: number): Uint8Array {
  return message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq, ifinfomsg(0));
}

export function addrDumpRequest(seq: number): Uint8Array {
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

export function addrAddRequest(seq: number, index: number, a: Address): Uint8Array {
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
  payload: Uint8Array;
}

/** Splits a datagram into its messages. */
export function parseReplies(buf: Uint8Array): Reply[] {
  const out: Reply[] = [];
  const v = view(buf);
  let off = 0;
  while (off + NLMSG_HDRLEN <= buf.length) {
    const len = v.getUint32(off, true);
    if (len < NLMSG_HDRLEN || off + len > buf.length) break;
    out.push({ type: v.getUint16(off + 4, true), seq: v.getUint32(off + 8, true), payload: buf.subarray(off + NLMSG_HDRLEN, off + len) });
    off += align4(len);
  }
  return out;
}

/** NLMSG_ERROR's errno (positive; 0 is an acknowledgement). */
export function errorOf(reply: Reply): number {
  return Math.abs(view(reply.payload).getInt32(0, true));
}

export function parseAttrs(buf: Uint8Array): Map<number, Uint8Array> {
  const attrs = new Map<number, Uint8Array>();
  const v = view(buf);
  let off = 0;
  while (off + 4 <= buf.length) {
    const len = v.getUint16(off, true);
    if (len < 4 || off + len > buf.length) break;
    attrs.set(v.getUint16(off + 2, true) & 0x3fff, buf.subarray(off + 4, off + len));
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
  const v = view(reply.payload);
  const link: Link = { index: v.getInt32(4, true), name: name ? Buffer.from(name.subarray(0, end)).toString('utf8') : '', flags: v.getUint32(8, true) };
  const mac = attrs.get(IFLA_ADDRESS);
  if (mac) link.mac = Buffer.from(mac);
  return link;
}

export function parseAddress(reply: Reply): Address {
  const p = reply.payload;
  const attrs = parseAttrs(p.subarray(8));
  const wide = attrs.get(IFA_FLAGS);
  const a: Address = {
    family: p[0] ?? 0,
    prefixlen: p[1] ?? 0,
    flags: wide ? view(wide).getUint32(0, true) : (p[2] ?? 0),
    scope: p[3] ?? 0,
    index: view(p).getUint32(4, true),
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
