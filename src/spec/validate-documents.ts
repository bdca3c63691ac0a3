// The runtime's own JSON documents (state, features) against their runtime-spec schemas, one
// problem per line: what the tests hold `state` and `features` output to. The runtime itself
// never loads this (it writes these documents, it does not read foreign ones).
import type { SpecProblem } from './config-error.js';
import { validateFeatures as featuresSchema, validateState as stateSchema, type ValidateFn } from './generated/validators.js';
import { describeSchemaErrors } from './schema-errors.js';

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
