// The GVariant text values runc's org.systemd.property.* annotations take (godbus ParseVariant).
import { describe, expect, it } from 'vitest';
import { parseGVariant } from '../../../../src/cgroups/systemd/gvariant.js';

describe('parseGVariant', () => {
  it.each([
    ['true', 'b', true],
    ['false', 'b', false],
    ['boolean true', 'b', true],
    ['123', 'i', 123],
    ['-5', 'i', -5],
    ['0x10', 'i', 16],
    ['1.5', 'd', 1.5],
    ['2e3', 'd', 2000],
    ['byte 234', 'y', 234],
    ['int16 -3', 'n', -3],
    ['uint16 3', 'q', 3],
    ['int32 7', 'i', 7],
    ['uint32 7', 'u', 7],
    ['int64 -7', 'x', -7n],
    ['uint64 18446744073709551615', 't', 18446744073709551615n],
    ['double 3', 'd', 3],
    ["'inactive-or-failed'", 's', 'inactive-or-failed'],
    ['"a\\"b\\n"', 's', 'a"b\n'],
    ["'caf\\u00e9'", 's', 'café'],
    ["objectpath '/org/x'", 'o', '/org/x'],
    ["signature 'a(ss)'", 'g', 'a(ss)'],
  ])('%s', (text, signature, value) => {
    expect(parseGVariant(text)).toEqual({ signature, value });
  });

  it('reads arrays, their type from a typed element, and tuples', () => {
    expect(parseGVariant("['a', 'b']")).toEqual({ signature: 'as', value: ['a', 'b'] });
    expect(parseGVariant('[1, uint64 2]')).toEqual({ signature: 'at', value: [1n, 2n] });
    expect(parseGVariant('[1, 2]')).toEqual({ signature: 'ai', value: [1, 2] });
    expect(parseGVariant("[('/dev/null', 'rwm'), ('char-pts', 'rw')]")).toEqual({
      signature: 'a(ss)',
      value: [['/dev/null', 'rwm'], ['char-pts', 'rw']],
    });
    expect(parseGVariant("(uint32 1, 'x', true)")).toEqual({ signature: '(usb)', value: [1, 'x', true] });
  });

  it('takes @TYPE annotations, which an empty array needs', () => {
    expect(parseGVariant('@as []')).toEqual({ signature: 'as', value: [] });
    expect(parseGVariant('@t 5')).toEqual({ signature: 't', value: 5n });
    expect(parseGVariant('@au [1, 2]')).toEqual({ signature: 'au', value: [1, 2] });
    expect(() => parseGVariant('[]')).toThrow('empty array needs its type');
  });

  it('reads byte strings as ay', () => {
    expect(parseGVariant("b'ab'")).toEqual({ signature: 'ay', value: new Uint8Array([97, 98]) });
  });

  it.each([
    ['invalid-value', 'unsupported word'],
    ['', 'value expected'],
    ["'open", 'unterminated string'],
    ['byte 256', 'out of range'],
    ['uint32 -1', 'out of range'],
    ['2147483648', 'out of range'],
    ['uint64 1.5', 'not an integer'],
    ["[1, 'a']", 'cannot be of type "s"'],
    ['1 2', 'unexpected text'],
    ['[1, 2', '"," or "]" expected'],
    ['@q true', 'expected'],
    ['{1: 2}', 'unexpected'],
  ])('refuses %j', (text, why) => {
    expect(() => parseGVariant(text)).toThrow(why);
  });
});
