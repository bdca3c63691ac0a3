// The runtime-spec's own good/bad example documents (spec-schemas/test/<kind>/{good,bad}/)
// against the generated validators.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateConfig, validateFeatures, validateState, type ValidateFn } from '../../../src/spec/generated/validators.js';

const FIXTURES = fileURLToPath(new URL('../../../spec-schemas/test', import.meta.url));

const KINDS: Record<string, ValidateFn> = {
  config: validateConfig,
  state: validateState,
  features: validateFeatures,
};

function fixtures(kind: string, verdict: 'good' | 'bad'): string[] {
  return readdirSync(join(FIXTURES, kind, verdict)).filter((f) => f.endsWith('.json'));
}

/** Whether the document parses and passes; a syntax error counts as a failure. */
function accepted(validate: ValidateFn, file: string): boolean {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
  return validate(document);
}

describe.each(Object.entries(KINDS))('%s schema fixtures', (kind, validate) => {
  it('has both good and bad examples', () => {
    expect(fixtures(kind, 'good').length).toBeGreaterThan(0);
    expect(fixtures(kind, 'bad').length).toBeGreaterThan(0);
  });

  it.each(fixtures(kind, 'good'))('accepts good/%s', (file) => {
    const ok = accepted(validate, join(FIXTURES, kind, 'good', file));
    expect(ok, JSON.stringify(validate.errors)).toBe(true);
  });

  it.each(fixtures(kind, 'bad'))('rejects bad/%s', (file) => {
    expect(accepted(validate, join(FIXTURES, kind, 'bad', file))).toBe(false);
  });
});
