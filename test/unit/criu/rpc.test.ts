// The protobuf bytes CRIU reads and writes: field numbers and wire types must be rpc.proto's,
// so these are checked against encodings written out by hand from that file.
import { describe, expect, it } from 'vitest';
import { decodeResponse, encodeRequest } from '../../../src/criu/rpc.js';

describe('encodeRequest', () => {
  it('writes criu_req with criu_opts as rpc.proto numbers them', () => {
    const bytes = encodeRequest({
      type: 'RESTORE',
      opts: { imagesDirFd: 4, rstSibling: true, manageCgroupsMode: 'SOFT', external: ['m'], inheritFd: [{ key: 'k', fd: 1 }], orphanPtsMaster: true },
    });
    expect(bytes.toString('hex')).toBe([
      '0802', // type = 2 (RESTORE)
      '1217', // opts, 23 bytes
      '0804', // images_dir_fd (1) = 4
      'd00101', // rst_sibling (26) = true
      'da0105', '0a016b', '1001', // inherit_fd (27) { key (1) = "k", fd (2) = 1 }
      '900203', // manage_cgroups_mode (34) = SOFT (3)
      'aa02016d', // external (37) = "m"
      '900301', // orphan_pts_master (50) = true
    ].join(''));
  });

  it('answers a notification with notify_success', () => {
    expect(encodeRequest({ type: 'NOTIFY', notifySuccess: true }).toString('hex')).toBe('08061801');
  });
});

describe('decodeResponse', () => {
  it('reads a notification, a restore answer and a failure', () => {
    // type NOTIFY, success, notify { script "setup-namespaces", pid 77 }
    const script = Buffer.from('setup-namespaces');
    const notify = Buffer.concat([Buffer.from([0x0a, script.length]), script, Buffer.from([0x10, 77])]);
    expect(decodeResponse(Buffer.concat([Buffer.from([0x08, 6, 0x10, 1, 0x2a, notify.length]), notify]))).toEqual({ type: 'NOTIFY', success: true, notify: { script: 'setup-namespaces', pid: 77 } });
    expect(decodeResponse(Buffer.from('080210012203089601', 'hex'))).toEqual({ type: 'RESTORE', success: true, restore: { pid: 150 } });
    // type DUMP, success false, cr_errno 13, cr_errmsg "no", and an unknown field 11 skipped
    expect(decodeResponse(Buffer.from('08011000380d4a026e6f5801', 'hex'))).toEqual({ type: 'DUMP', success: false, crErrno: 13, crErrmsg: 'no' });
  });

  it('refuses bytes that are not a criu_resp', () => {
    expect(() => decodeResponse(Buffer.from([0x0a, 0x05, 0x01]))).toThrow(/criu swrk sent a message that is not a criu_resp/);
  });
});
