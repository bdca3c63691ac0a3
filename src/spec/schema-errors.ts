// Turning ajv's error lists into one-line messages about the document, never about the schema.
import type { SchemaError } from './generated/validators.js';
import type { SpecProblem } from './config-error.js';
import { childPath, pointerToPath } from './json-path.js';

// These only say "some branch failed"; the errors of the branches say why.
const SUMMARY_KEYWORDS = new Set(['anyOf', 'oneOf', 'allOf', 'not', 'if']);

/** All errors, in ajv's order, with summaries dropped when a specific error is at hand. */
export function describeSchemaErrors(errors: readonly SchemaError[], document: unknown): SpecProblem[] {
  return ranked(errors, document).map(({ path, message }) => ({ path, message }));
}

/**
 * The single most useful error: the deepest one, since a failure high up (e.g. "must match a
 * schema in anyOf") is explained by the one further down. Ties go to the first reported.
 */
export function mostSpecificSchemaError(errors: readonly SchemaError[], document: unknown): SpecProblem {
  let best: RankedProblem = { path: '', message: 'does not match the schema', depth: -1 };
  for (const problem of ranked(errors, document)) {
    if (problem.depth > best.depth) best = problem;
  }
  return { path: best.path, message: best.message };
}

interface RankedProblem extends SpecProblem {
  /** How many properties/indexes down the document the problem is. */
  depth: number;
}

function ranked(errors: readonly SchemaError[], document: unknown): RankedProblem[] {
  const specific = errors.filter((e) => !SUMMARY_KEYWORDS.has(e.keyword));
  const seen = new Set<string>();
  const problems: RankedProblem[] = [];
  for (const error of specific.length > 0 ? specific : errors) {
    const problem = describe(error, document);
    const key = `${problem.path}\0${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function describe(error: SchemaError, document: unknown): RankedProblem {
  const path = pointerToPath(error.instancePath, document);
  const depth = error.instancePath === '' ? 0 : error.instancePath.split('/').length - 1;
  const { params } = error;
  switch (error.keyword) {
    case 'required':
      // Point at the missing property itself: "root.path: is required".
      return { path: childPath(path, String(params.missingProperty)), message: 'is required', depth: depth + 1 };
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      return { path, message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`, depth };
    }
    case 'pattern':
      return { path, message: `must match pattern ${JSON.stringify(params.pattern)}`, depth };
    default:
      return { path, message: error.message ?? `fails the "${error.keyword}" rule`, depth };
  }
}
