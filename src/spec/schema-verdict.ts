// Whether a document matches a JSON schema (draft-04), without the reasons: the check `create`
// and `run` make on every config. ajv's code generated from the same schemas
// (scripts/gen-validators.mjs) stays the reference and explains a rejection; it is loaded
// only then. Its ~290 KB cost every create ~3 ms to load (bench/RESULTS.md), while walking a
// config through the schemas as data costs a fraction of that.
//
// Only the keywords the OCI schemas use are implemented, as ajv applies them (each one to the
// JSON type it concerns); test/unit/spec/schema-verdict.test.ts fails on a schema that uses any
// other keyword and holds the verdicts to ajv's on the runtime-spec's examples and on thousands
// of altered configs.

/** The schema documents by file name: a $ref "defs.json#/definitions/x" names one of them. */
export type SchemaSet = Readonly<Record<string, unknown>>;

type Schema = Readonly<Record<string, unknown>>;

/** Keywords checked, and those that only annotate. */
export const SCHEMA_KEYWORDS: ReadonlySet<string> = new Set([
  '$ref', 'type', 'enum', 'minimum', 'maximum', 'pattern', 'minItems', 'items', 'required', 'properties',
  'patternProperties', 'additionalProperties', 'anyOf', 'allOf',
  '$schema', 'description', 'definitions',
]);

const patterns = new Map<string, RegExp>();

function regex(source: string): RegExp {
  let re = patterns.get(source);
  if (re === undefined) {
    re = new RegExp(source, 'u');
    patterns.set(source, re);
  }
  return re;
}

function isObject(data: unknown): data is Readonly<Record<string, unknown>> {
  return typeof data === 'object' && data !== null && !Array.isArray(data);
}

function hasType(type: string, data: unknown): boolean {
  switch (type) {
    case 'object': return isObject(data);
    case 'array': return Array.isArray(data);
    case 'string': return typeof data === 'string';
    case 'boolean': return typeof data === 'boolean';
    case 'null': return data === null;
    case 'number': return typeof data === 'number' && Number.isFinite(data);
    case 'integer': return typeof data === 'number' && Number.isInteger(data);
    default: return false;
  }
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => equal(v, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
}

export interface Resolved {
  schema: Schema;
  /** The file further $refs in the schema are relative to. */
  file: string;
}

/** Resolved $refs by set, base file and reference: a config meets the same few hundred times. */
const resolvedRefs = new WeakMap<SchemaSet, Map<string, Resolved>>();

/** The schema a $ref names, from a schema in `baseFile` ("" for a reference that names its file). */
export function resolveRef(set: SchemaSet, ref: string, baseFile: string): Resolved {
  let known = resolvedRefs.get(set);
  if (known === undefined) {
    known = new Map();
    resolvedRefs.set(set, known);
  }
  const key = `${baseFile}\0${ref}`;
  let resolved = known.get(key);
  if (resolved === undefined) {
    resolved = lookUpRef(set, ref, baseFile);
    known.set(key, resolved);
  }
  return resolved;
}

/** The schema a $ref names, and the file further $refs in it are relative to. */
function lookUpRef(set: SchemaSet, ref: string, baseFile: string): Resolved {
  const hash = ref.indexOf('#');
  const file = hash === 0 ? baseFile : hash < 0 ? ref : ref.slice(0, hash);
  let node: unknown = set[file];
  const pointer = hash < 0 ? '' : ref.slice(hash + 1);
  for (const token of pointer.split('/').slice(1)) {
    const key = decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[key] : undefined;
  }
  if (!isObject(node)) throw new Error(`schema reference ${JSON.stringify(ref)} (from ${baseFile || 'the caller'}) names no schema`);
  return { schema: node, file };
}

function accepts(set: SchemaSet, s: Schema, file: string, data: unknown): boolean {
  const sub = (schema: unknown, value: unknown): boolean => accepts(set, schema as Schema, file, value);
  if (typeof s.$ref === 'string') {
    const target = resolveRef(set, s.$ref, file);
    if (!accepts(set, target.schema, target.file, data)) return false;
  }
  const { type } = s;
  if (type !== undefined && !(Array.isArray(type) ? type : [type]).some((t: string) => hasType(t, data))) return false;
  if (Array.isArray(s.enum) && !s.enum.some((v) => equal(v, data))) return false;
  if (Array.isArray(s.allOf) && !s.allOf.every((schema) => sub(schema, data))) return false;
  if (Array.isArray(s.anyOf) && !s.anyOf.some((schema) => sub(schema, data))) return false;
  if (typeof data === 'number') {
    if (typeof s.minimum === 'number' && !(data >= s.minimum)) return false;
    if (typeof s.maximum === 'number' && !(data <= s.maximum)) return false;
  } else if (typeof data === 'string') {
    if (typeof s.pattern === 'string' && !regex(s.pattern).test(data)) return false;
  } else if (Array.isArray(data)) {
    if (typeof s.minItems === 'number' && data.length < s.minItems) return false;
    if (isObject(s.items) && !data.every((item) => sub(s.items, item))) return false;
  } else if (isObject(data)) {
    return objectAccepted(s, data, sub);
  }
  return true;
}

function objectAccepted(s: Schema, data: Readonly<Record<string, unknown>>, sub: (schema: unknown, value: unknown) => boolean): boolean {
  if (Array.isArray(s.required) && s.required.some((key: string) => data[key] === undefined)) return false;
  const properties = isObject(s.properties) ? s.properties : undefined;
  const patternProperties = isObject(s.patternProperties) ? Object.entries(s.patternProperties) : [];
  const { additionalProperties } = s;
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (value === undefined) continue;
    let matched = false;
    const declared = properties !== undefined && Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (declared !== undefined) {
      matched = true;
      if (!sub(declared, value)) return false;
    }
    for (const [pattern, schema] of patternProperties) {
      if (!regex(pattern).test(key)) continue;
      matched = true;
      if (!sub(schema, value)) return false;
    }
    if (matched || additionalProperties === undefined || additionalProperties === true) continue;
    if (additionalProperties === false || !sub(additionalProperties, value)) return false;
  }
  return true;
}

/** Whether `data` matches the schema `ref` names ("config-schema.json", or with a "#/pointer"). */
export function schemaAccepts(set: SchemaSet, ref: string, data: unknown): boolean {
  const { schema, file } = resolveRef(set, ref, '');
  return accepts(set, schema, file, data);
}
