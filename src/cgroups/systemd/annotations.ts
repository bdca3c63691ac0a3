import { parseGVariant, type TypedValue } from './gvariant.js';
import type { UnitProperty } from './unit-property.js';

// runc's org.systemd.property.* annotations (libcontainer/specconv): the key's suffix is a unit
// property name (ASCII letters only, at least three), the value a GVariant text. A name ending
// in a lowercase letter + "Sec" (TimeoutStopSec, as the unit file spells it) is sent as
// "...USec" with the number converted from seconds to microseconds, since D-Bus only knows the
// USec form.

const PREFIX = 'org.systemd.property.';
const USEC_PER_SEC = 1_000_000n;

function checkName(key: string, name: string): void {
  if (name.length < 3) throw new Error(`annotation ${key}: the property name ${JSON.stringify(name)} is too short (at least 3 letters)`);
  if (!/^[A-Za-z]+$/.test(name)) throw new Error(`annotation ${key}: the property name ${JSON.stringify(name)} must be ASCII letters only`);
}

function secondsToUsec(key: string, v: TypedValue): bigint {
  const notNumber = (): never => {
    throw new Error(`annotation ${key}: a number of seconds expected, got a value of type ${JSON.stringify(v.signature)}`);
  };
  if (v.signature === 'd') {
    const d = v.value as number;
    if (!Number.isFinite(d) || d < 0) notNumber();
    return BigInt(Math.floor(d * 1_000_000));
  }
  if (!'ynqiuxt'.includes(v.signature) || v.signature.length !== 1) notNumber();
  const n = BigInt(v.value as number | bigint);
  if (n < 0n) throw new Error(`annotation ${key}: a number of seconds cannot be negative`);
  return n * USEC_PER_SEC;
}

/** The unit properties the annotations ask for; throws a one-line error naming a bad annotation. */
export function annotationProperties(annotations: Readonly<Record<string, string>> | undefined): UnitProperty[] {
  const out: UnitProperty[] = [];
  for (const [key, text] of Object.entries(annotations ?? {})) {
    if (!key.startsWith(PREFIX)) continue;
    let name = key.slice(PREFIX.length);
    checkName(key, name);
    let value: TypedValue;
    try {
      value = parseGVariant(text);
    } catch (err) {
      throw new Error(`annotation ${key}=${JSON.stringify(text)}: not a GVariant text value: ${(err as Error).message}`);
    }
    if (/[a-z]Sec$/.test(name)) {
      name = `${name.slice(0, -'Sec'.length)}USec`;
      value = { signature: 't', value: secondsToUsec(key, value) };
    }
    out.push({ name, signature: value.signature, value: value.value });
  }
  return out;
}
