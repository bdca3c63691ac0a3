// Loading and validating a bundle's config.json: the schema check (schema-verdict.ts over the
// schemas as data), ajv's code generated at build time (scripts/gen-validators.mjs) only to say
// where a rejected config is wrong, then the semantic checks. Nothing is compiled at run time.
import { join, resolve } from 'node:path';
import { SEMANTIC_CHECKS } from './checks.js';
import { ConfigError } from './config-error.js';
import { SCHEMAS } from './generated/schemas.js';
import { readJsonObject, schemaRejection } from './json-document.js';
import { PROCESS_REQUIRED, processArgsProblem } from './rules.js';
import { schemaAccepts } from './schema-verdict.js';
import type { Process, Spec } from './types.js';

export * from './checks.js';
export * from './rules.js';
export { ConfigError, type SpecProblem } from './config-error.js';

/** A spec that `create` can run: it names a program. */
export type RunnableSpec = Spec & { process: Process & { args: [string, ...string[]] } };

/** Absolute path of a bundle's config.json. */
export function configPath(bundleDir: string): string {
  return join(resolve(bundleDir), 'config.json');
}

/**
 * Reads and validates `<bundle>/config.json`: JSON syntax, the runtime-spec schema, then the
 * semantic checks. Throws a ConfigError naming the file, the JSON path and what was expected.
 */
export async function loadConfig(bundleDir: string): Promise<Spec> {
  const bundle = resolve(bundleDir);
  const file = configPath(bundle);
  const document = readJsonObject(file, 'a runtime-spec config');
  const spec = isSpec(document) ? document : await explainRejection(file, document);
  for (const check of SEMANTIC_CHECKS) {
    const problem = check(spec, bundle);
    if (problem !== undefined) throw new ConfigError(file, problem.path, problem.message);
  }
  return spec;
}

function isSpec(document: object): document is Spec {
  return schemaAccepts(SCHEMAS, 'config-schema.json', document);
}

/** ajv's validator, loaded now, says where the config is wrong; it is the reference, should the two disagree. */
async function explainRejection(file: string, document: object): Promise<Spec> {
  const { validateConfig } = await import('./generated/validators.js');
  if (validateConfig(document)) return document;
  throw schemaRejection(file, validateConfig, document);
}

/**
 * `process` is optional in the schema (a config may describe only the environment) but
 * `create` and `run` need it, with at least the program to execute, as runc requires.
 */
export function requireProcess(spec: Spec, bundleDir: string): asserts spec is RunnableSpec {
  const problem = spec.process === undefined ? PROCESS_REQUIRED : processArgsProblem(spec.process);
  if (problem !== undefined) throw new ConfigError(configPath(bundleDir), problem.path, problem.message);
}
