// The create ↔ init message format over the SEQPACKET socketpair.
import { describe, expect, it } from 'vitest';
import * as K from '../../../src/linux/constants.js';
import { close, socketpair } from '../../../src/linux/libc.js';
import { decode, encode, expect as expect_, send, type SyncMessage } from '../../../src/init/sync.js';

describe('sync encode/decode', () => {
  it.each<SyncMessage>([
    { kind: 'userns' },
    { kind: 'enter' },
    { kind: 'recorded' },
    { kind: 'moved' },
    { kind: 'ready' },
    { kind: 'seccomp' },
    { kind: 'pid', pid: 12345 },
    { kind: 'error', message: 'unable to start container process: exec: "x": executable file not found in $PATH' },
    { kind: 'error', message: '' },
    { kind: 'hook-error', message: 'unable to start container process: error running createContainer hook #0: hook /bin/false exited with status 1' },
  ])('round-trips %j', (msg) => {
    expect(decode(encode(msg))).toEqual(msg);
  });

  it('keeps spaces and newlines inside an error message', () => {
    expect(decode(encode({ kind: 'error', message: 'a b\nc' }))).toEqual({ kind: 'error', message: 'a b\nc' });
  });

  it('turns garbage into an error naming it', () => {
    expect(decode('hello there')).toEqual({ kind: 'error', message: 'unexpected message from init: "hello there"' });
  });
});

describe('send to a peer that has gone', () => {
  it('reports the error message the peer left behind, not EPIPE', () => {
    const [a, b] = socketpair(K.AF_UNIX, K.SOCK_SEQPACKET | K.SOCK_CLOEXEC) as [number, number];
    send(b, { kind: 'error', message: 'process.cwd "/x" is outside the container\'s root' });
    close(b);
    expect(() => send(a, { kind: 'recorded' })).toThrow('process.cwd "/x" is outside the container\'s root');
    close(a);
  });

  it('a peer gone without a word: EPIPE itself', () => {
    const [a, b] = socketpair(K.AF_UNIX, K.SOCK_SEQPACKET | K.SOCK_CLOEXEC) as [number, number];
    close(b);
    expect(() => send(a, { kind: 'recorded' })).toThrow(/broken pipe|EPIPE/i);
    close(a);
  });
});

describe('receive from a peer that has gone', () => {
  it('leaving a message of ours unread: its own error message, not ECONNRESET', () => {
    const [a, b] = socketpair(K.AF_UNIX, K.SOCK_SEQPACKET | K.SOCK_CLOEXEC) as [number, number];
    send(a, { kind: 'recorded' });
    send(b, { kind: 'error', message: 'unable to start container process: no cwd' });
    close(b);
    expect(() => expect_(a, 'join')).toThrow('unable to start container process: no cwd');
    close(a);
  });
});
