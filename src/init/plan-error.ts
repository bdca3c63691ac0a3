import type { SpecProblem } from '../spec/config-error.js';

/** A config field the planner cannot turn into steps; the message starts with its JSON path. */
export class PlanError extends Error {}

/** Fails the plan with the problem a shared rule (spec/rules.ts) found. */
export function fail(problem: SpecProblem): never {
  throw new PlanError(`${problem.path}: ${problem.message}`);
}

export function enforce(problem: SpecProblem | undefined): void {
  if (problem !== undefined) fail(problem);
}

/** Runs a parser that throws plain Errors naming the field (id-list.ts) as part of a plan. */
export function asPlanError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof PlanError || !(err instanceof Error)) throw err;
    throw new PlanError(err.message);
  }
}
