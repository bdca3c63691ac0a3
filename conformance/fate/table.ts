// The field-fate table: for every property of the vendored config schema (spec-schemas/), the
// test that proves ocirun applies it or the test that proves ocirun refuses it by name.
// test/unit/spec/field-fate.test.ts walks the schema and fails when a property has no row, when
// a row names a property the schema does not have, or when a row's test does not exist.
//
// Adding a row: in the area file of this directory that fits (process.ts, linux.ts, ...; a new
// area is a new file exporting `rows`, picked up by itself), add
//
//   applied('conformance/x/y.test.ts', 'the test title as written', 'linux.foo', 'linux.foo.bar'),
//   refused('conformance/x/y.test.ts', 'the test title', 'why: host lacks it / not supported', 'linux.baz'),
//
// Paths are the schema's: objects by name ("linux.resources.memory.limit"), array items as "[]"
// ("mounts[].options"), map values as "*" ("linux.sysctl.*"). `under(prefix, ...)` spells
// several paths below one prefix. The title is the string given to it()/test() (for it.each the
// template, e.g. '%s is refused by name and leaves nothing'). A refused object refuses
// everything under it: its row with `whole` covers its subtree.

export type Fate = 'applied' | 'refused';

export interface FateRow {
  fate: Fate;
  /** The test file, relative to the repository root. */
  test: string;
  /** The test's title, exactly as written in the file. */
  name: string;
  paths: string[];
  /** Refused rows: why (the host cannot, or ocirun does not support it). */
  reason?: string;
  /** A refused object: every property below it shares its fate. */
  whole?: boolean;
}

export function applied(test: string, name: string, ...paths: string[]): FateRow {
  return { fate: 'applied', test, name, paths };
}

export function refused(test: string, name: string, reason: string, ...paths: string[]): FateRow {
  return { fate: 'refused', test, name, paths, reason };
}

/** A refused object whose whole subtree is refused with it (another platform's section). */
export function refusedWhole(test: string, name: string, reason: string, path: string): FateRow {
  return { fate: 'refused', test, name, paths: [path], reason, whole: true };
}

/** "prefix" and "prefix<suffix>" for each suffix: under('a.b', '', '.c', '[].d'). */
export function under(prefix: string, ...suffixes: string[]): string[] {
  return suffixes.map((s) => `${prefix}${s}`);
}
