// The kernel's number of a capability is its index in the runtime's table (CAPABILITIES).
import { CAPABILITIES } from '../../src/security/capabilities.js';

export function capabilityNumber(name: string): number | undefined {
  const n = CAPABILITIES.indexOf(name);
  return n < 0 ? undefined : n;
}
