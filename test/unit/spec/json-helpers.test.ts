// The small JSON helpers behind the error messages.
import { describe, expect, it } from 'vitest';
import { childPath, pointerToPath } from '../../../src/spec/json-path.js';
import { firstSyntaxErrorOffset } from '../../../src/spec/json-syntax.js';

describe('firstSyntaxErrorOffset', () => {
  const samples = [
    '{}',
    '[]',
    ' {"a": [1, -2.5e+3, 0, true, false, null, "x\\"\\u00e9\\n"]} ',
    '"just a string"',
    '-0.0E-0',
    '{"a": 1,}',
    '[1,]',
    '[01]',
    '[1.]',
    '[.5]',
    '{"a" 1}',
    '{a: 1}',
    '"\\x"',
    '"\\u12g4"',
    '"tab\there"',
    'nul',
    'truex',
    '{"a": 1} {}',
    '',
    '   ',
    '[',
    '{"a": "unterminated',
  ];

  it.each(samples)('agrees with JSON.parse on %j', (text) => {
    let parses = true;
    try {
      JSON.parse(text);
    } catch {
      parses = false;
    }
    expect(firstSyntaxErrorOffset(text) === undefined).toBe(parses);
  });

  it('points at the offending character, or the end of the input', () => {
    expect(firstSyntaxErrorOffset('{"a": tru}')).toBe(9);
    expect(firstSyntaxErrorOffset('[1, 2')).toBe(5);
    expect(firstSyntaxErrorOffset('{"a": 1,}')).toBe(8);
  });
});

describe('pointerToPath', () => {
  const document = { linux: { namespaces: [{ type: 'pid' }], sysctl: { '0': 'x', 'net.core.x': 'y' } }, 'a/b': { '~': 1 } };

  it('uses [i] for array elements and dots for identifier keys', () => {
    expect(pointerToPath('/linux/namespaces/0/type', document)).toBe('linux.namespaces[0].type');
  });

  it('quotes other keys, including numeric-looking ones of objects', () => {
    expect(pointerToPath('/linux/sysctl/0', document)).toBe('linux.sysctl["0"]');
    expect(pointerToPath('/linux/sysctl/net.core.x', document)).toBe('linux.sysctl["net.core.x"]');
  });

  it('unescapes JSON Pointer tokens', () => {
    expect(pointerToPath('/a~1b/~0', document)).toBe('["a/b"]["~"]');
  });

  it('maps the document itself to the empty path', () => {
    expect(pointerToPath('', document)).toBe('');
    expect(childPath('', 'ociVersion')).toBe('ociVersion');
  });
});
