// LISTEN_FDS and NOTIFY_SOCKET from the caller's environment reach the container, as with runc.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { baseSpec, OCIRUN, Sandbox, uniqueId } from '../../test/support/ocirun.js';

const sb = new Sandbox('passthrough');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

describe('caller environment passthrough', () => {
  it('LISTEN_FDS: fd 3 stays open in the container and LISTEN_FDS/LISTEN_PID are set', () => {
    const file = join(sb.dir, 'activation');
    writeFileSync(file, 'socket-activated\n');
    const fd = openSync(file, 'r');
    try {
      const bundle = sb.bundle(baseSpec(['sh', '-c', 'echo $LISTEN_FDS $LISTEN_PID; cat /proc/self/fd/3']));
      const r = spawnSync(OCIRUN, ['--root', sb.root, 'run', '--bundle', bundle, uniqueId()], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe', fd],
        env: { ...process.env, LISTEN_FDS: '1', NODE_EXTRA_CA_CERTS: '' },
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe('1 1\nsocket-activated\n');
    } finally {
      closeSync(fd);
    }
  });

  it('NOTIFY_SOCKET: the caller\'s socket is reachable at the path the container is told', async () => {
    const path = join(sb.dir, 'notify.sock');
    const server: Server = createServer();
    await new Promise<void>((ok) => server.listen(path, ok));
    try {
      const bundle = sb.bundle(baseSpec(['sh', '-c', 'echo $NOTIFY_SOCKET; test -S "$NOTIFY_SOCKET" && echo socket']));
      const r = sb.run(['run', '--bundle', bundle, uniqueId()], { env: { NOTIFY_SOCKET: path } });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe('/run/notify/notify.sock\nsocket\n');
    } finally {
      server.close();
    }
  });
});
