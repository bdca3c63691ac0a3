import { describe, expect, it } from 'vitest';
import { hookState } from '../../../src/hooks/lifecycle.js';
import { planInitHooks } from '../../../src/init/plan.js';
import { baseSpec } from '../../support/ocirun.js';

describe('hookState', () => {
  it('carries the status of the moment and omits empty annotations', () => {
    const json = hookState({ ociVersion: '1.2.0', id: 'c1', pid: 42, bundle: '/b', annotations: {} }, 'creating');
    expect(JSON.parse(json)).toEqual({ ociVersion: '1.2.0', id: 'c1', status: 'creating', pid: 42, bundle: '/b' });
  });

  it('has no pid once stopped and keeps annotations', () => {
    const json = hookState({ ociVersion: '1.2.0', id: 'c1', pid: 42, bundle: '/b', annotations: { a: 'b' } }, 'stopped');
    expect(JSON.parse(json)).toEqual({ ociVersion: '1.2.0', id: 'c1', status: 'stopped', bundle: '/b', annotations: { a: 'b' } });
  });
});

describe('planInitHooks', () => {
  it('does not stop the init when no hook needs it', () => {
    expect(planInitHooks({ ...baseSpec(), hooks: { poststart: [{ path: '/x' }], poststop: [{ path: '/y' }] } }).stopBeforePivot).toBe(false);
  });

  it.each(['prestart', 'createRuntime', 'createContainer', 'startContainer'] as const)('stops the init for %s hooks', (kind) => {
    expect(planInitHooks({ ...baseSpec(), hooks: { [kind]: [{ path: '/x' }] } }).stopBeforePivot).toBe(true);
  });
});
