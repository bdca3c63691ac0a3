// The create ↔ init message format over the SEQPACKET socketpair.
import { describe, expect, it } from 'vitest';
import { decode, encode, type SyncMessage } from '../../../src/init/sync.js';

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
