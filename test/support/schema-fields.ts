// Every property path of the vendored config schema, found by walking config-schema.json and
// following its $refs into config-linux.json, defs*.json and the other platforms' files.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './ocirun.js';

type Schema = { [key: string]: unknown };

const SCHEMA_DIR = join(REPO, 'spec-schemas');

function loadSchemas(): Map<string, Schema> {
  const files = new Map<string, Schema>();
  for (const f of readdirSync(SCHEMA_DIR).filter((n) => n.endsWith('.json'))) {
    files.set(f, JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8')) as Schema);
  }
  return files;
}

function resolveRef(files: Map<string, Schema>, file: string, ref: string): [string, Schema] {
  const [target, pointer = ''] = ref.split('#');
  const name = target === '' || target === undefined ? file : target;
  let node = files.get(name) as unknown;
  if (node === undefined) throw new Error(`${file}: $ref ${ref}: no schema ${name}`);
  for (const part of pointer.split('/').filter(Boolean)) node = (node as Schema)[part];
  if (node === undefined) throw new Error(`${file}: $ref ${ref} does not resolve`);
  return [name, node as Schema];
}

/**
 * The property paths: "linux.resources.memory.limit", "mounts[].options", "linux.sysctl.*".
 * Every object, array and map along the way is a path of its own too.
 */
export function configSchemaPaths(): string[] {
  const files = loadSchemas();
  const out = new Set<string>();
  const walk = (file: string, node: Schema, path: string, refs: ReadonlySet<string>): void => {
    if (typeof node.$ref === 'string') {
      const [f, target] = resolveRef(files, file, node.$ref);
      const key = `${f}#${node.$ref.split('#')[1] ?? ''}`;
      if (!refs.has(key)) walk(f, target, path, new Set([...refs, key]));
    }
    for (const combinator of ['allOf', 'anyOf', 'oneOf'] as const) {
      for (const sub of (node[combinator] as Schema[] | undefined) ?? []) walk(file, sub, path, refs);
    }
    const child = (p: string, sub: Schema): void => {
      out.add(p);
      walk(file, sub, p, refs);
    };
    for (const [key, sub] of Object.entries((node.properties as Record<string, Schema> | undefined) ?? {})) child(path === '' ? key : `${path}.${key}`, sub);
    for (const sub of Object.values((node.patternProperties as Record<string, Schema> | undefined) ?? {})) child(`${path}.*`, sub);
    if (typeof node.additionalProperties === 'object' && node.additionalProperties !== null) child(`${path}.*`, node.additionalProperties as Schema);
    const items = node.items as Schema | Schema[] | undefined;
    for (const sub of items === undefined ? [] : Array.isArray(items) ? items : [items]) walk(file, sub, `${path}[]`, refs);
  };
  const root = files.get('config-schema.json');
  if (!root) throw new Error('spec-schemas/config-schema.json is missing');
  walk('config-schema.json', root, '', new Set());
  return [...out].sort();
}
