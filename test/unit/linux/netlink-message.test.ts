// The rtnetlink bytes ocirun sends for netDevices, and its parsing of the kernel's answers.
import { describe, expect, it } from 'vitest';
import {
  addrAddRequest, addressesToKeep, errorOf, IFA_F_PERMANENT, linkDumpRequest, linkMoveRequest, linkUpByNameRequest, linkUpRequest, matchesTemplate, message,
  parseAddress, parseLink, parseReplies, type Address,
} from '../../../src/linux/netlink-message.js';

/** The bytes as a Buffer (a view, not a copy), for its readers. */
const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const hex = (b: Uint8Array): string => buf(b).toString('hex');

describe('requests', () => {
  it('RTM_NEWLINK moving a link: header, ifinfomsg, IFLA_IFNAME (NUL-terminated, padded), IFLA_NET_NS_FD', () => {
    const m = linkMoveRequest(7, 42, 'eth0', 9);
    expect(m.length).toBe(16 + 16 + 12 + 8);
    expect(hex(m.subarray(0, 16))).toBe(
      '34000000' + // length 52
        '1000' + // RTM_NEWLINK
        '0500' + // NLM_F_REQUEST | NLM_F_ACK
        '07000000' + // seq
        '00000000', // port id
    );
    expect(hex(m.subarray(16, 32))).toBe('00000000' + '2a000000' + '00000000' + '00000000');
    expect(hex(m.subarray(32, 44))).toBe('0900' + '0300' + hex(Buffer.from('eth0\0')) + '000000');
    expect(hex(m.subarray(44))).toBe('0800' + '1c00' + '09000000');
  });

  it('a name outside ASCII goes as its UTF-8 bytes, NUL-terminated', () => {
    const m = linkMoveRequest(1, 2, 'v\u00e9th', 3);
    expect(hex(m.subarray(32, 44))).toBe('0a00' + '0300' + hex(Buffer.from('v\u00e9th\0')) + '0000');
  });

  it('setting a link up: IFF_UP in flags and change', () => {
    expect(hex(linkUpRequest(1, 5).subarray(16))).toBe('00000000' + '05000000' + '01000000' + '01000000');
  });

  it('setting a link up by name: index 0, IFF_UP in flags and change, IFLA_IFNAME', () => {
    const m = buf(linkUpByNameRequest(2, 'lo'));
    expect(m.readUInt16LE(4)).toBe(16);
    expect(m.readUInt16LE(6)).toBe(0x5);
    expect(hex(m.subarray(16, 32))).toBe('00000000' + '00000000' + '01000000' + '01000000');
    expect(hex(m.subarray(32))).toBe('0700' + '0300' + hex(Buffer.from('lo\0')) + '00');
    expect(m.readUInt32LE(0)).toBe(m.length);
  });

  it('a dump asks NLM_F_REQUEST | NLM_F_DUMP', () => {
    expect(buf(linkDumpRequest(3)).readUInt16LE(6)).toBe(0x301);
    expect(buf(linkDumpRequest(3)).readUInt16LE(4)).toBe(18);
  });

  it('RTM_NEWADDR re-adds an address with its configuration flags only, on the new index', () => {
    const a: Address = { family: 2, prefixlen: 24, flags: IFA_F_PERMANENT | 0x200 | 0x40, scope: 0, index: 3, local: Buffer.from([10, 0, 0, 1]), address: Buffer.from([10, 0, 0, 1]) };
    const m = buf(addrAddRequest(9, 11, a));
    expect(m.readUInt16LE(4)).toBe(20);
    expect(m.readUInt16LE(6)).toBe(0x1 | 0x4 | 0x400 | 0x200);
    // family, prefixlen, flags (NOPREFIXROUTE kept; PERMANENT and DEPRECATED are states), scope, index
    expect(hex(m.subarray(16, 24))).toBe('02' + '18' + '00' + '00' + '0b000000');
    expect(hex(m.subarray(24))).toBe('0800' + '0200' + '0a000001' + '0800' + '0100' + '0a000001' + '0800' + '0800' + '00020000');
  });
});

describe('replies', () => {
  it('splits a datagram into messages and reads NLMSG_ERROR codes', () => {
    const ack = message(2, 0, 4, Buffer.from('00000000', 'hex'));
    const err = message(2, 0, 5, Buffer.from('efffffff', 'hex'));
    const replies = parseReplies(Buffer.concat([ack, err]));
    expect(replies.map((r) => [r.type, r.seq, errorOf(r)])).toEqual([[2, 4, 0], [2, 5, 17]]);
  });

  it('parses a link: index, flags, name and MAC', () => {
    const body = Buffer.concat([Buffer.from('0000010003000000' + '43100100' + '00000000', 'hex')]);
    const attrs = Buffer.concat([Buffer.from('0a000300', 'hex'), Buffer.from('veth1\0'), Buffer.from('0000', 'hex'), Buffer.from('0a000100', 'hex'), Buffer.from('aabbccddeeff', 'hex'), Buffer.from('0000', 'hex')]);
    const [reply] = parseReplies(message(16, 2, 1, Buffer.concat([body, attrs])));
    const link = parseLink(reply as NonNullable<typeof reply>);
    expect(link).toMatchObject({ index: 3, name: 'veth1', flags: 0x11043 });
    expect(link.mac?.toString('hex')).toBe('aabbccddeeff');
  });

  it('parses an address, IFA_FLAGS widening ifa_flags', () => {
    const body = Buffer.from('0a40' + '80' + '00' + '07000000', 'hex');
    const attrs = Buffer.from('1400' + '0100' + '20010db8000000000000000000000001' + '0800' + '0800' + '80020000', 'hex');
    const [reply] = parseReplies(message(20, 2, 1, Buffer.concat([body, attrs])));
    const a = parseAddress(reply as NonNullable<typeof reply>);
    expect(a).toMatchObject({ family: 10, prefixlen: 64, flags: 0x280, scope: 0, index: 7 });
    expect(a.address?.toString('hex')).toBe('20010db8000000000000000000000001');
  });

  it('keeps the permanent addresses of global scope of that device only (config-linux.md)', () => {
    const base = { family: 2, prefixlen: 24, index: 3 };
    const all: Address[] = [
      { ...base, flags: IFA_F_PERMANENT, scope: 0 },
      { ...base, flags: 0, scope: 0 },
      { ...base, flags: IFA_F_PERMANENT, scope: 253 },
      { ...base, flags: IFA_F_PERMANENT, scope: 0, index: 4 },
    ];
    expect(addressesToKeep(all, 3)).toEqual([all[0]]);
  });

  it('recognises the names a %d template gives', () => {
    expect(matchesTemplate('eth%d', 'eth0')).toBe(true);
    expect(matchesTemplate('eth%d', 'eth12')).toBe(true);
    expect(matchesTemplate('eth%d', 'ethx')).toBe(false);
    expect(matchesTemplate('n%dx', 'n3x')).toBe(true);
    expect(matchesTemplate('eth%d', 'veth0')).toBe(false);
  });
});
