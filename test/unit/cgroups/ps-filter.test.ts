// `ps`: runc's JSON shape and its filtering of the host's ps output by the PID column.
import { describe, expect, it } from 'vitest';
import { filterPsOutput, pidsJson } from '../../../src/container/ps.js';

const EF = `UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 10:00 ?        00:00:01 /sbin/init
root       25351   25340  0 10:01 ?        00:00:00 sleep 100
root       25360   25351  0 10:01 ?        00:00:00 sh -c true
`;

describe('pidsJson', () => {
  it('prints an array as runc does (../shared/golden/runc-1.1.5/runc-ps.json), null for none', () => {
    expect(pidsJson([25351])).toBe('[25351]\n');
    expect(pidsJson([1, 2])).toBe('[1,2]\n');
    expect(pidsJson([])).toBe('null\n');
  });
});

describe('filterPsOutput', () => {
  it('keeps the header and the lines whose PID is the container\'s', () => {
    expect(filterPsOutput(EF, [25351, 25360])).toBe(
      'UID          PID    PPID  C STIME TTY          TIME CMD\n' +
        'root       25351   25340  0 10:01 ?        00:00:00 sleep 100\n' +
        'root       25360   25351  0 10:01 ?        00:00:00 sh -c true\n',
    );
  });

  it('finds the PID column wherever the ps options put it', () => {
    const out = '  PPID    PID COMMAND\n 25340  25351 sleep\n     0      1 init\n';
    expect(filterPsOutput(out, [25351])).toBe('  PPID    PID COMMAND\n 25340  25351 sleep\n');
  });

  it('refuses an output without a PID column, as runc does', () => {
    expect(() => filterPsOutput('COMMAND\ninit\n', [1])).toThrow("couldn't find PID field in ps output");
  });
});
