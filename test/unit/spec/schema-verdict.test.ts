// src/spec/schema-verdict.ts decides whether every config passes the schema; ajv's generated
// validators are the reference. Here the two must agree on the runtime-spec's own examples, the
// project's bundles and thousands of configs altered one or two values at a time, and every
// keyword the schemas use must be one the verdict implements.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SCHEMAS } from '../../../src/spec/generated/schemas.js';
import { validateProcess } from '../../../src/spec/generated/process-validator.js';
import { validateConfig } from '../../../src/spec/generated/validators.js';
import { resolveRef, SCHEMA_KEYWORDS, schemaAccepts, type SchemaSet } from '../../../src/spec/schema-verdict.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLES = join(REPO, 'spec-schemas', 'test', 'config');

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function readJson(file: string): Json | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Json;
  } catch {
    return undefined;
  }
}

function examples(): Array<[string, Json]> {
  const out: Array<[string, Json]> = [];
  for (const verdict of ['good', 'bad']) {
    for (const name of readdirSync(join(EXAMPLES, verdict))) {
      const doc = readJson(join(EXAMPLES, verdict, name));
      if (doc !== undefined) out.push([`${verdict}/${name}`, doc]);
    }
  }
  for (const name of readdirSync(join(REPO, 'bundles'), { withFileTypes: true })) {
    const doc = name.isDirectory() ? readJson(join(REPO, 'bundles', name.name, 'config.json')) : undefined;
    if (doc !== undefined) out.push([`bundles/${name.name}`, doc]);
  }
  return out;
}

/** Every schema object reachable from `ref`, following $refs, with the file it sits in. */
function reachableSchemas(set: SchemaSet, ref: string): Array<Record<string, unknown>> {
  const seen = new Set<unknown>();
  const out: Array<Record<string, unknown>> = [];
  const resolve = (target: string, base: string): [Record<string, unknown>, string] => {
    const { schema, file } = resolveRef(set, target, base);
    return [schema, file];
  };
  const visit = (schema: unknown, file: string): void => {
    if (typeof schema !== 'object' || schema === null || seen.has(schema)) return;
    seen.add(schema);
    const s = schema as Record<string, unknown>;
    out.push(s);
    if (typeof s.$ref === 'string') visit(...resolve(s.$ref, file));
    for (const key of ['properties', 'patternProperties', 'definitions']) {
      for (const sub of Object.values((s[key] ?? {}) as Record<string, unknown>)) visit(sub, file);
    }
    for (const key of ['items', 'additionalProperties']) visit(s[key], file);
    for (const key of ['anyOf', 'allOf']) for (const sub of (s[key] ?? []) as unknown[]) visit(sub, file);
  };
  visit(...resolve(ref, ''));
  return out;
}

const REPLACEMENTS: Json[] = [null, true, false, 0, -1, 1.5, 4294967296, 2 ** 63, '', 'x', 'RLIMIT_X', '/abs', [], ['a'], [1], {}, { a: 1 }];

/** `doc` with the value at `path` replaced (undefined: removed), as a new document. */
function withValue(doc: Json, path: Array<string | number>, value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? {} : value;
  const [head, ...rest] = path;
  if (Array.isArray(doc)) {
    const copy = [...doc];
    if (value === undefined && rest.length === 0) copy.splice(head as number, 1);
    else copy[head as number] = withValue(doc[head as number] as Json, rest, value);
    return copy;
  }
  const copy = { ...(doc as Record<string, Json>) };
  if (value === undefined && rest.length === 0) delete copy[head as string];
  else copy[head as string] = withValue((doc as Record<string, Json>)[head as string] as Json, rest, value);
  return copy;
}

function paths(doc: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(doc)) doc.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (doc !== null && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) out.push(...paths(v, [...prefix, k]));
  return out;
}

/** Each value replaced by each of REPLACEMENTS, removed, and given an unknown sibling; then pairs of those at random. */
function* alterations(doc: Json, seed: number): Generator<Json> {
  const all = paths(doc);
  const single: Array<[Array<string | number>, Json | undefined]> = [];
  for (const path of all.slice(1)) {
    for (const value of [...REPLACEMENTS, undefined]) single.push([path, value]);
  }
  for (const path of all) {
    const parent = path.length === 0 ? doc : path.reduce<Json>((node, key) => (node as Record<string, Json>)[key as string] as Json, doc);
    if (parent !== null && typeof parent === 'object' && !Array.isArray(parent)) single.push([[...path, 'unknownKey'], 'x']);
  }
  // Through JSON, as a config reaches the check (no array holes, no undefined values).
  const asParsed = (d: Json): Json => JSON.parse(JSON.stringify(d)) as Json;
  for (const [path, value] of single) yield asParsed(withValue(doc, path, value));
  let state = seed;
  const next = (n: number): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  for (let i = 0; i < 1500; i++) {
    const [p1, v1] = single[next(single.length)] as [Array<string | number>, Json | undefined];
    const [p2, v2] = single[next(single.length)] as [Array<string | number>, Json | undefined];
    const once = withValue(doc, p1, v1);
    try {
      yield asParsed(withValue(once, p2, v2));
    } catch {
      // The second path went away with the first change.
    }
  }
}

describe('schema-verdict', () => {
  it('implements every keyword the config schemas use', () => {
    const used = new Set<string>();
    for (const schema of reachableSchemas(SCHEMAS, 'config-schema.json')) for (const key of Object.keys(schema)) used.add(key);
    expect([...used].filter((k) => !SCHEMA_KEYWORDS.has(k))).toEqual([]);
    expect(used.has('$ref') && used.has('anyOf') && used.has('patternProperties')).toBe(true);
  });

  it.each(examples())('agrees with ajv on %s', (_name, doc) => {
    expect(schemaAccepts(SCHEMAS, 'config-schema.json', doc)).toBe(validateConfig(doc));
  });

  it.each(examples().filter(([name]) => !name.startsWith('bad/')))(
    'agrees with ajv on every alteration of %s',
    (_name, doc) => {
      let rejected = 0;
      let checked = 0;
      for (const altered of alterations(doc, 7)) {
        const expected = validateConfig(altered);
        if (schemaAccepts(SCHEMAS, 'config-schema.json', altered) !== expected) {
          expect.fail(`verdict differs from ajv (${expected ? 'accepted' : 'rejected'} there) for ${JSON.stringify(altered)}`);
        }
        if (!expected) rejected++;
        checked++;
      }
      // Both outcomes are exercised, many times over.
      expect(rejected).toBeGreaterThan(50);
      expect(checked - rejected).toBeGreaterThan(50);
    },
  );

  it('agrees with ajv on exec --process documents', () => {
    const example = readJson(join(EXAMPLES, 'good', 'spec-example.json')) as { process: Json };
    let checked = 0;
    for (const altered of alterations(example.process, 11)) {
      expect(schemaAccepts(SCHEMAS, 'config-schema.json#/properties/process', altered), JSON.stringify(altered)).toBe(validateProcess(altered));
      checked++;
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('names a reference that leads nowhere', () => {
    expect(() => schemaAccepts({ 'a.json': { $ref: 'b.json#/definitions/x' } }, 'a.json', 1)).toThrow(
      'schema reference "b.json#/definitions/x" (from a.json) names no schema',
    );
  });
});
