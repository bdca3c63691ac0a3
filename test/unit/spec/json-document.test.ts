// The one loader of config.json and exec --process documents: each failure names the file and
// where in it. Pure, no root.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateProcess } from '../../../src/spec/generated/process-validator.js';
import { loadJsonDocument } from '../../../src/spec/json-document.js';

const dir = mkdtempSync(join(tmpdir(), 'json-document-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(text: string): unknown {
  const file = join(dir, 'p.json');
  writeFileSync(file, text);
  return loadJsonDocument(file, validateProcess, 'a process');
}

describe('loadJsonDocument', () => {
  it('returns the document, typed by its validator', () => {
    const proc = load('{"cwd": "/", "args": ["true"]}');
    expect(proc).toEqual({ cwd: '/', args: ['true'] });
  });

  it('names the line and column of a syntax error', () => {
    expect(() => load('{\n  "cwd": "/",\n  "args": [,]\n}')).toThrow(new RegExp(`^${join(dir, 'p.json')}: line 3, column 12: invalid JSON: `));
  });

  it.each([['42', 'a number'], ['null', 'null'], ['"x"', 'a string'], ['[]', 'an array']])('refuses %s at the top, naming what it is', (text, kind) => {
    expect(() => load(text)).toThrow(`${join(dir, 'p.json')}: must be a JSON object (a process), got ${kind}`);
  });

  it('names the JSON path of the most specific schema error', () => {
    expect(() => load('{"cwd": "/", "args": ["true"], "user": {"uid": "0"}}')).toThrow(`${join(dir, 'p.json')}: user.uid: must be integer`);
  });

  it('names the file it cannot read', () => {
    expect(() => loadJsonDocument(join(dir, 'missing.json'), validateProcess, 'a process')).toThrow(`${join(dir, 'missing.json')}: cannot read: no such file or directory`);
  });
});
