import type { DbusValue } from './gvariant.js';

/** One property of a transient unit: a name and a D-Bus variant (signature + value). */
export interface UnitProperty {
  name: string;
  signature: string;
  value: DbusValue;
}

export function prop(name: string, signature: string, value: DbusValue): UnitProperty {
  return { name, signature, value };
}
