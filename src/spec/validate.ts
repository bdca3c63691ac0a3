// Loading and validating OCI documents. Schema validation runs code generated at build time
// (scripts/gen-validators.mjs): nothing is compiled at run time.
import { join, resolve } from 'node:path';
import { SEMANTIC_CHECKS } from './checks.js';
import { ConfigError, type SpecProblem } from './config-error.js';
import {
  validateConfig as configSchema,
  validateFeatures as featuresSchema,
  validateState as stateSchema,
  type ValidateFn,
} from './generated/validators.js';
import { loadJsonDocument } from './json-document.js';
import { PROCESS_REQUIRED, processArgsProblem } from './rules.js';
import { describeSchemaErrors } from './schema-errors.js';
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
export function loadConfig(bundleDir: string): Spec {
  const bundle = resolve(bundleDir);
  const file = configPath(bundle);
  const spec = loadJsonDocument(file, configSchema, 'a runtime-spec config');
  for (const check of SEMANTIC_CHECKS) {
    const problem = check(spec, bundle);
    if (problem !== undefined) throw new ConfigError(file, problem.path, problem.message);
  }
  return spec;
}

/**
 * `process` is optional in the schema (a config may describe only the environment) but
 * `create` and `run` need it, with at least the program to execute, as runc requires.
 */
export function requireProcess(spec: Spec, bundleDir: string): asserts spec is RunnableSpec {
  const problem = spec.process === undefined ? PROCESS_REQUIRED : processArgsProblem(spec.process);
  if (problem !== undefined) throw new ConfigError(configPath(bundleDir), problem.path, problem.message);
}

/** Schema problems of a runtime state document, one line each; empty when valid. */
export function validateState(state: unknown): string[] {
  return schemaProblems(stateSchema, state);
}

/** Schema problems of a `features` document, one line each; empty when valid. */
export function validateFeatures(features: unknown): string[] {
  return schemaProblems(featuresSchema, features);
}

function schemaProblems(validate: ValidateFn, document: unknown): string[] {
  if (validate(document)) return [];
  return describeSchemaErrors(validate.errors ?? [], document).map(formatProblem);
}

function formatProblem({ path, message }: SpecProblem): string {
  return path === '' ? message : `${path}: ${message}`;
}
