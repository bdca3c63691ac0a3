// src/spec/types.ts is written by hand; the validators are generated from spec-schemas/ and are
// type guards for those types. This test holds the two together: every schema property has a
// field of a compatible type, every field is a schema property, and a field the type promises
// (not optional) is one the schema requires, so that a guard never claims more than it checked.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { widenSchema } from '../../../scripts/schema-widening.mjs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCHEMA_DIR = join(ROOT, 'spec-schemas');
const TYPES_FILE = join(ROOT, 'src/spec/types.ts');

type Json = Record<string, unknown>;

const schemas = new Map<string, Json>(
  readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f, widenSchema(f, JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8'))) as Json]),
);

/** What a schema accepts, with $refs, allOf and single-branch anyOf resolved. */
type Shape =
  | { kind: 'string'; enum?: string[] }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'array'; items: Shape }
  | { kind: 'object'; props: Map<string, { shape: Shape; required: boolean }> }
  | { kind: 'map'; values: Shape }
  | { kind: 'any-object' };

function resolveRef(ref: string, file: string): { node: Json; file: string } {
  const [target = '', pointer = ''] = ref.split('#');
  const inFile = target === '' ? file : target;
  let node: unknown = schemas.get(inFile);
  for (const token of pointer.split('/').filter(Boolean)) node = (node as Json)[token];
  if (typeof node !== 'object' || node === null) throw new Error(`unresolved $ref ${ref} in ${file}`);
  return { node: node as Json, file: inFile };
}

function shapeOf(node: Json, file: string): Shape {
  if (typeof node['$ref'] === 'string') {
    const target = resolveRef(node['$ref'], file);
    return shapeOf(target.node, target.file);
  }
  if (Array.isArray(node['allOf'])) {
    const props = new Map<string, { shape: Shape; required: boolean }>();
    for (const branch of node['allOf'] as Json[]) {
      const shape = shapeOf(branch, file);
      if (shape.kind !== 'object') throw new Error(`allOf of a ${shape.kind} in ${file}`);
      for (const [k, v] of shape.props) props.set(k, { shape: v.shape, required: v.required || (props.get(k)?.required ?? false) });
    }
    return { kind: 'object', props };
  }
  if (Array.isArray(node['anyOf'])) {
    const branches = node['anyOf'] as Json[];
    // More branches would need a union type: extend this test when the schema grows one.
    if (branches.length !== 1) throw new Error(`anyOf with ${branches.length} branches in ${file}`);
    return shapeOf(branches[0] as Json, file);
  }
  switch (node['type']) {
    case 'string': {
      if (Array.isArray(node['enum'])) return { kind: 'string', enum: node['enum'] as string[] };
      // A pattern of one character class ("^[cbup]$") is an enum of its characters.
      const oneOf = /^\^\[(\w+)\]\$$/.exec(String(node['pattern'] ?? ''))?.[1];
      return oneOf !== undefined ? { kind: 'string', enum: [...oneOf] } : { kind: 'string' };
    }
    case 'integer':
    case 'number':
      return { kind: 'number' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'array':
      return { kind: 'array', items: shapeOf(node['items'] as Json, file) };
    case 'object': {
      if (node['properties'] !== undefined) {
        const required = new Set((node['required'] as string[] | undefined) ?? []);
        const props = new Map<string, { shape: Shape; required: boolean }>();
        for (const [k, v] of Object.entries(node['properties'] as Record<string, Json>)) props.set(k, { shape: shapeOf(v, file), required: required.has(k) });
        return { kind: 'object', props };
      }
      const pattern = node['patternProperties'] as Record<string, Json> | undefined;
      const values = pattern !== undefined ? Object.values(pattern)[0] : (node['additionalProperties'] as Json | undefined);
      return values !== undefined && typeof values === 'object' ? { kind: 'map', values: shapeOf(values, file) } : { kind: 'any-object' };
    }
    default:
      throw new Error(`schema node without a type in ${file}: ${JSON.stringify(node).slice(0, 120)}`);
  }
}

/** The exported types of a TypeScript file, read by the compiler itself. */
function exportedTypes(file: string, host?: ts.CompilerHost): { checker: ts.TypeChecker; types: Map<string, ts.Type> } {
  const program = ts.createProgram([file], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, types: [] }, host);
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
  const types = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.name, checker.getDeclaredTypeOfSymbol(s)]));
  return { checker, types };
}

function literalStrings(t: ts.Type): string[] | undefined {
  const parts = t.isUnion() ? t.types : [t];
  if (!parts.every((p) => p.isStringLiteral())) return undefined;
  return parts.map((p) => (p as ts.StringLiteralType).value).sort();
}

/**
 * Sections types.ts leaves opaque (Record<string, unknown>, which promises nothing): the other
 * platforms' objects, which checks.ts refuses whole, so ocirun never reads inside them.
 */
const OPAQUE = new Set(['Spec.solaris', 'Spec.windows', 'Spec.vm', 'Spec.zos', 'Spec.freebsd']);

function isUnknownRecord(checker: ts.TypeChecker, t: ts.Type): boolean {
  const values = checker.getIndexTypeOfType(t, ts.IndexKind.String);
  return values !== undefined && (values.flags & ts.TypeFlags.Unknown) !== 0 && checker.getPropertiesOfType(t).length === 0;
}

/** Every disagreement between `shape` and `t` at `path`, as one line each. */
function compare(checker: ts.TypeChecker, shape: Shape, type: ts.Type, path: string, problems: string[]): void {
  const t = checker.getNonNullableType(type);
  const typeText = checker.typeToString(t);
  const mismatch = (expected: string): void => {
    problems.push(`${path}: the schema has ${expected}, types.ts has ${typeText}`);
  };
  switch (shape.kind) {
    case 'string': {
      if (t.flags & ts.TypeFlags.String) return;
      const literals = literalStrings(t);
      if (literals === undefined) return mismatch('a string');
      const allowed = [...(shape.enum ?? [])].sort();
      if (shape.enum === undefined || literals.join() !== allowed.join()) mismatch(shape.enum ? `one of ${allowed.join(', ')}` : 'any string');
      return;
    }
    case 'number':
      if (!(t.flags & ts.TypeFlags.Number)) mismatch('a number');
      return;
    case 'boolean':
      if (!(t.flags & ts.TypeFlags.Boolean)) mismatch('a boolean');
      return;
    case 'array': {
      if (!checker.isArrayType(t)) return mismatch('an array');
      const [element] = checker.getTypeArguments(t as ts.TypeReference);
      compare(checker, shape.items, element!, `${path}[]`, problems);
      return;
    }
    case 'map': {
      const values = checker.getIndexTypeOfType(t, ts.IndexKind.String);
      if (values === undefined) return mismatch('an object of any keys');
      compare(checker, shape.values, values, `${path}[*]`, problems);
      return;
    }
    case 'any-object':
      if (!(t.flags & ts.TypeFlags.Object)) mismatch('an object');
      return;
    case 'object': {
      if (!(t.flags & ts.TypeFlags.Object) || checker.isArrayType(t)) return mismatch('an object');
      if (OPAQUE.has(path) && isUnknownRecord(checker, t)) return;
      for (const [name, { shape: propShape, required }] of shape.props) {
        const prop = t.getProperty(name);
        if (prop === undefined) {
          problems.push(`${path}.${name}: in the schema, missing from types.ts`);
          continue;
        }
        if (!required && !(prop.flags & ts.SymbolFlags.Optional)) problems.push(`${path}.${name}: optional in the schema, required in types.ts`);
        compare(checker, propShape, checker.getTypeOfSymbol(prop), `${path}.${name}`, problems);
      }
      for (const prop of checker.getPropertiesOfType(t)) {
        if (!shape.props.has(prop.name)) problems.push(`${path}.${prop.name}: in types.ts, not in the schema`);
      }
    }
  }
}

const handWritten = exportedTypes(TYPES_FILE);

function disagreements(typeName: string, schemaFile: string): string[] {
  const problems: string[] = [];
  const type = handWritten.types.get(typeName);
  if (type === undefined) throw new Error(`types.ts exports no ${typeName}`);
  compare(handWritten.checker, shapeOf(schemas.get(schemaFile)!, schemaFile), type, typeName, problems);
  return problems;
}

describe('src/spec/types.ts agrees with spec-schemas/', () => {
  it.each([
    ['Spec', 'config-schema.json'],
    ['State', 'state-schema.json'],
  ])('%s and %s', (typeName, schemaFile) => {
    expect(disagreements(typeName, schemaFile)).toEqual([]);
  });
});

describe('the comparison itself', () => {
  it('finds a missing field, an extra one, a wrong type, a promise the schema does not make and a different enum', () => {
    const file = 'virtual.ts';
    const source = `export interface T { a: string; b?: number; extra?: string; c?: 'x' | 'y'; d?: string[]; m?: Record<string, string> }`;
    const host = ts.createCompilerHost({});
    const original = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version) => (name === file ? ts.createSourceFile(file, source, version) : original(name, version));
    const { checker, types } = exportedTypes(file, host);
    const field = (shape: Shape, required = false): { shape: Shape; required: boolean } => ({ shape, required });
    const shape: Shape = {
      kind: 'object',
      props: new Map([
        ['a', field({ kind: 'string' })],
        ['b', field({ kind: 'boolean' })],
        ['c', field({ kind: 'string', enum: ['x', 'y', 'z'] })],
        ['d', field({ kind: 'array', items: { kind: 'number' } })],
        ['m', field({ kind: 'map', values: { kind: 'number' } })],
        ['missing', field({ kind: 'string' }, true)],
      ]),
    };
    const problems: string[] = [];
    compare(checker, shape, types.get('T')!, 'T', problems);
    expect(problems).toEqual([
      'T.a: optional in the schema, required in types.ts',
      'T.b: the schema has a boolean, types.ts has number',
      'T.c: the schema has one of x, y, z, types.ts has "x" | "y"',
      'T.d[]: the schema has a number, types.ts has string',
      'T.m[*]: the schema has a number, types.ts has string',
      'T.missing: in the schema, missing from types.ts',
      'T.extra: in types.ts, not in the schema',
    ]);
  });
});
