import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { baseSpec, Sandbox } from '../../test/support/ocirun.js';

const sb = new Sandbox('lifecycle-smoke');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

describe('create → start → state → kill → delete', () => {
  it('walks a container through every status', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    expect(sb.state(id).status).toBe('created');
    sb.ok(['start', id]);
    expect(sb.state(id).status).toBe('running');
    sb.ok(['kill', id, 'KILL']);
    const deadline = Date.now() + 5000;
    while (sb.state(id).status !== 'stopped' && Date.now() < deadline);
    expect(sb.state(id)).toMatchObject({ status: 'stopped', pid: 0 });
    sb.ok(['delete', id]);
    expect(sb.run(['state', id]).stderr).toMatch(/container does not exist/);
  });

  it('cleanup removes a running container it was never told to delete', () => {
    const id = sb.create(baseSpec(['sleep', '100']));
    sb.ok(['start', id]);
    expect(sb.cleanup()).toEqual([]);
    expect(sb.run(['state', id]).status).toBe(1);
  });
});
