import { describe, expect, it } from 'vitest';
import { applyPassthrough, CONTAINER_NOTIFY_SOCKET } from '../../../src/container/passthrough.js';
import { baseSpec } from '../../support/ocirun.js';

describe('applyPassthrough', () => {
  it('changes nothing without LISTEN_FDS or NOTIFY_SOCKET', () => {
    const spec = baseSpec();
    expect(applyPassthrough(spec, {}, 2)).toEqual({ spec, preserveFds: 2 });
  });

  it('keeps LISTEN_FDS fds open before the preserved ones and tells the process', () => {
    const { spec, preserveFds } = applyPassthrough(baseSpec(), { LISTEN_FDS: '2' }, 1);
    expect(preserveFds).toBe(3);
    expect(spec.process?.env).toEqual(expect.arrayContaining(['LISTEN_FDS=2', 'LISTEN_PID=1']));
  });

  it('ignores a LISTEN_FDS that is not a positive count', () => {
    for (const v of ['0', '-1', 'x', '']) expect(applyPassthrough(baseSpec(), { LISTEN_FDS: v }, 0).preserveFds).toBe(0);
  });

  it('bind-mounts the notify socket and replaces a NOTIFY_SOCKET the config set', () => {
    const base = baseSpec();
    base.process?.env?.push('NOTIFY_SOCKET=/elsewhere');
    const { spec } = applyPassthrough(base, { NOTIFY_SOCKET: '/run/host/notify' }, 0);
    expect(spec.mounts?.at(-1)).toMatchObject({ destination: CONTAINER_NOTIFY_SOCKET, source: '/run/host/notify', type: 'bind' });
    expect(spec.process?.env?.filter((e) => e.startsWith('NOTIFY_SOCKET='))).toEqual([`NOTIFY_SOCKET=${CONTAINER_NOTIFY_SOCKET}`]);
    expect(base.mounts).toHaveLength(baseSpec().mounts?.length ?? 0);
  });

  it('leaves abstract notify sockets alone (they are not in the filesystem)', () => {
    const spec = baseSpec();
    expect(applyPassthrough(spec, { NOTIFY_SOCKET: '@abstract' }, 0).spec).toBe(spec);
  });
});
