// runc's run flags --keep (the container stays after its process exits) and --no-subreaper
// (ocirun does not become a subreaper, so it can wait only for an init it forked itself).
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { baseSpec, leftoversOf, Sandbox, uniqueId, withUserNamespace } from '../../test/support/ocirun.js';

const sb = new Sandbox('run-flags');
afterEach(() => expect(sb.cleanup()).toEqual([]));
afterAll(() => sb.destroy());

describe('run --keep', () => {
  it('the process\'s exit code is run\'s, and the container stays, stopped, until delete', () => {
    const id = uniqueId();
    const r = sb.run(['run', '--keep', '--bundle', sb.bundle(baseSpec(['sh', '-c', 'exit 3'])), id]);
    expect(r.status, r.stderr).toBe(3);
    expect(sb.state(id).status).toBe('stopped');
    sb.ok(['delete', id]);
    expect(sb.run(['state', id]).status).toBe(1);
    expect(leftoversOf(id)).toEqual([]);
  });

  it('without --keep the container is gone after the run (control)', () => {
    const id = uniqueId();
    expect(sb.run(['run', '--bundle', sb.bundle(baseSpec(['true'])), id]).status).toBe(0);
    expect(sb.run(['state', id]).status).toBe(1);
  });
});

describe('run --no-subreaper', () => {
  it('runs a container whose init ocirun forks itself, passing on its exit code', () => {
    const id = uniqueId();
    const r = sb.run(['run', '--no-subreaper', '--bundle', sb.bundle(baseSpec(['sh', '-c', 'echo hi; exit 4'])), id]);
    expect(r.status, r.stderr).toBe(4);
    expect(r.stdout).toBe('hi\n');
    expect(sb.run(['state', id]).status).toBe(1);
  });

  it('with a user namespace (an intermediate process forks the init) it is refused by name, leaving nothing', () => {
    const id = uniqueId();
    const r = sb.run(['run', '--no-subreaper', '--bundle', sb.bundle(withUserNamespace(baseSpec(['true']))), id]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--no-subreaper: a new user or time namespace');
    expect(sb.run(['state', id]).status).toBe(1);
    expect(leftoversOf(id)).toEqual([]);
    // The same config runs with the subreaper.
    expect(sb.run(['run', '--bundle', sb.bundle(withUserNamespace(baseSpec(['true']))), uniqueId()]).status).toBe(0);
  });
});
