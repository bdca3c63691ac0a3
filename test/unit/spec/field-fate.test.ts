// The rule for every field (issue 14): each property of the vendored config schema is applied
// and proven by a test, or refused by name and proven by a test. The table is in
// conformance/fate/ (how to add a row: conformance/fate/table.ts); this walks the schema and
// checks that the table accounts for every property with a test that exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FateRow } from '../../../conformance/fate/table.js';
import { REPO } from '../../support/ocirun.js';
import { configSchemaPaths } from '../../support/schema-fields.js';

const FATE_DIR = join(REPO, 'conformance/fate');

async function loadRows(): Promise<FateRow[]> {
  const rows: FateRow[] = [];
  for (const file of readdirSync(FATE_DIR).filter((f) => f.endsWith('.ts') && f !== 'table.ts').sort()) {
    const mod = (await import(join(FATE_DIR, file))) as { rows?: FateRow[] };
    if (!Array.isArray(mod.rows)) throw new Error(`conformance/fate/${file} exports no rows`);
    rows.push(...mod.rows);
  }
  return rows;
}

/** The title as a string literal in the file, in any of the three quotes. */
function hasTest(source: string, title: string): boolean {
  const single = `'${title.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  const double = `"${title.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  const backtick = `\`${title}\``;
  return source.includes(single) || source.includes(double) || source.includes(backtick);
}

describe('field fate', async () => {
  const rows = await loadRows();
  const schemaPaths = configSchemaPaths();

  it('every row names a schema property, a test file and a test title that exist', () => {
    const known = new Set(schemaPaths);
    const problems: string[] = [];
    const sources = new Map<string, string>();
    for (const row of rows) {
      for (const p of row.paths) if (!known.has(p)) problems.push(`${p}: not a property of the config schema (row "${row.name}")`);
      const file = join(REPO, row.test);
      if (!row.test.endsWith('.test.ts') || !existsSync(file)) {
        problems.push(`${row.test}: no such test file (row for ${row.paths.join(', ')})`);
        continue;
      }
      if (!sources.has(file)) sources.set(file, readFileSync(file, 'utf8'));
      if (!hasTest(sources.get(file) as string, row.name)) problems.push(`${row.test}: no test titled ${JSON.stringify(row.name)}`);
      if (row.fate === 'refused' && !row.reason) problems.push(`${row.paths.join(', ')}: a refused row needs a reason`);
    }
    expect(problems).toEqual([]);
  });

  // A property may have both: applied where the host has what it needs, refused by name where not.
  it('every property of the config schema is applied or refused', () => {
    const fates = new Map<string, Set<string>>();
    const wholes = rows.filter((r) => r.whole).flatMap((r) => r.paths);
    for (const row of rows) for (const p of row.paths) fates.set(p, new Set([...(fates.get(p) ?? []), row.fate]));
    const covered = (p: string): boolean => fates.has(p) || wholes.some((w) => p.startsWith(`${w}.`) || p.startsWith(`${w}[]`));
    const missing = schemaPaths.filter((p) => !covered(p));
    expect(missing, 'properties with neither an "applied" nor a "refused" test').toEqual([]);
    const applied = schemaPaths.filter((p) => fates.get(p)?.has('applied')).length;
    const refusedOnly = schemaPaths.length - applied;
    const underWholes = schemaPaths.filter((p) => !fates.has(p)).length;
    console.log(
      `field fate: ${schemaPaths.length} properties of the config schema: ${applied} applied, ${refusedOnly} refused ` +
        `(${underWholes} of them inside the ${wholes.length} other-platform objects refused whole: ${wholes.join(', ')})`,
    );
  });
});
