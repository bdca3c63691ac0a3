// runc's log lines (logrus): engines parse the JSON form, people read the text form.
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatLine, Logger } from '../../../src/log.js';
import { GOLDEN_DIR } from '../../support/golden.js';

const AT = new Date('2026-11-22T04:59:12.345Z');
const dir = mkdtempSync(join(tmpdir(), 'ocirun-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('formatLine json', () => {
  it("matches runc's lines byte for byte (keys level, msg, time; seconds; Z)", () => {
    const golden = readFileSync(join(GOLDEN_DIR, 'runc-log.json'), 'utf8').split('\n')[0] as string;
    const at = new Date((JSON.parse(golden) as { time: string }).time);
    expect(formatLine('json', 'error', 'container does not exist', at)).toBe(golden + '\n');
    const fail = readFileSync(join(GOLDEN_DIR, 'runc-log-fail.json'), 'utf8').trim();
    const { msg, time } = JSON.parse(fail) as { msg: string; time: string };
    expect(formatLine('json', 'error', msg, new Date(time))).toBe(fail + '\n');
  });

  it('escapes HTML characters as Go does', () => {
    expect(formatLine('json', 'warning', 'a <b> & c', AT)).toBe('{"level":"warning","msg":"a \\u003cb\\u003e \\u0026 c","time":"2026-11-22T04:59:12Z"}\n');
  });

  it('is one line whatever the message holds', () => {
    expect(formatLine('json', 'error', 'a\nb', AT).split('\n')).toHaveLength(2);
  });
});

describe('formatLine text (logrus)', () => {
  it('quotes values with spaces, leaves simple ones bare', () => {
    expect(formatLine('text', 'error', 'container does not exist', AT)).toBe('time="2026-11-22T04:59:12Z" level=error msg="container does not exist"\n');
    expect(formatLine('text', 'info', 'ok', AT)).toBe('time="2026-11-22T04:59:12Z" level=info msg=ok\n');
  });

  it('escapes quotes and newlines', () => {
    expect(formatLine('text', 'error', 'exec: "x"\nnext', AT)).toBe('time="2026-11-22T04:59:12Z" level=error msg="exec: \\"x\\"\\nnext"\n');
  });
});

describe('Logger', () => {
  it('appends to --log and drops debug lines unless --debug', () => {
    const path = join(dir, 'log.json');
    const log = new Logger({ format: 'json', debug: false, path });
    log.debug('hidden');
    log.warn('w');
    log.error('e');
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(lines.map((l) => [l.level, l.msg])).toEqual([['warning', 'w'], ['error', 'e']]);
    expect(log.toStderr).toBe(false);
    new Logger({ format: 'json', debug: true, path }).debug('shown');
    expect(readFileSync(path, 'utf8')).toMatch(/"level":"debug","msg":"shown"/);
  });

  it('a log path that cannot be written does not throw', () => {
    expect(() => new Logger({ format: 'text', debug: false, path: '/nonexistent/dir/log' }).error('x')).not.toThrow();
  });
});
