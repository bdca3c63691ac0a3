import { describe, expect, it } from 'vitest';
import { criuPrivilege } from '../../../src/criu/privilege.js';

describe('criuPrivilege', () => {
  it('root in the initial user namespace: allowed, no warning', () => {
    expect(criuPrivilege('checkpoint', { euid: 0, inUserNamespace: false })).toEqual({ ok: true });
  });

  it('a rootless caller is refused by name, with CRIU\'s reason and what to do', () => {
    const v = criuPrivilege('restore', { euid: 1000, inUserNamespace: false });
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.error).toMatch(/^restore: rootless \(uid 1000\): CRIU .* only for root .*--unprivileged.*; run restore as root$/);
    expect(criuPrivilege('checkpoint', { euid: 1000, inUserNamespace: true }).ok).toBe(false);
  });

  it('root inside a user namespace: allowed with runc\'s warning', () => {
    const v = criuPrivilege('checkpoint', { euid: 0, inUserNamespace: true });
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.warning).toMatch(/checkpoint as root in a user namespace is untested/);
  });
});
