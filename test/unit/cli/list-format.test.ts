// `list` prints runc's tabwriter table (min width 12, padding 3).
import { describe, expect, it } from 'vitest';
import { formatTable } from '../../../src/cli/commands/list.js';

describe('formatTable', () => {
  it("prints runc's empty header exactly", () => {
    expect(formatTable([['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER']])).toBe('ID          PID         STATUS      BUNDLE      CREATED     OWNER\n');
  });

  it('widens a column to its longest cell plus 3', () => {
    const out = formatTable([
      ['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'],
      ['t1', '25351', 'running', '/srv/lab/bundle', '2026-11-22T04:59:12.014070171Z', 'root'],
    ]);
    expect(out).toBe(
      'ID          PID         STATUS      BUNDLE            CREATED                          OWNER\n' +
      't1          25351       running     /srv/lab/bundle   2026-11-22T04:59:12.014070171Z   root\n',
    );
  });

  it('nothing trails the last column', () => {
    for (const line of formatTable([['a', 'b'], ['ccccccccccccccccc', 'd']]).split('\n')) expect(line).toBe(line.trimEnd());
  });
});
