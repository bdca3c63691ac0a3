// runc's org.systemd.property.* rules (libcontainer/specconv initSystemdProps), with its test cases.
import { describe, expect, it } from 'vitest';
import { annotationProperties } from '../../../../src/cgroups/systemd/annotations.js';

const one = (key: string, value: string) => annotationProperties({ [key]: value });

describe('annotationProperties', () => {
  it('passes a property through with its GVariant type', () => {
    expect(one('org.systemd.property.TimeoutStopUSec', 'uint64 123456789')).toEqual([{ name: 'TimeoutStopUSec', signature: 't', value: 123456789n }]);
    expect(one('org.systemd.property.CollectMode', "'inactive-or-failed'")).toEqual([{ name: 'CollectMode', signature: 's', value: 'inactive-or-failed' }]);
  });

  it.each([
    ['456', 456_000_000n],
    ['byte 234', 234_000_000n],
    ['int16 234', 234_000_000n],
    ['uint16 234', 234_000_000n],
    ['int32 234', 234_000_000n],
    ['uint32 234', 234_000_000n],
    ['int64 234', 234_000_000n],
    ['uint64 234', 234_000_000n],
    ['234.789', 234_789_000n],
  ])('converts TimeoutStopSec=%s to TimeoutStopUSec in microseconds', (text, usec) => {
    expect(one('org.systemd.property.TimeoutStopSec', text)).toEqual([{ name: 'TimeoutStopUSec', signature: 't', value: usec }]);
  });

  it('converts only a lowercase letter + "Sec" ending', () => {
    expect(one('org.systemd.property.FOOSec', '123')).toEqual([{ name: 'FOOSec', signature: 'i', value: 123 }]);
    expect(one('org.systemd.property.Sec', '123')).toEqual([{ name: 'Sec', signature: 'i', value: 123 }]);
  });

  it('ignores other annotations', () => {
    expect(annotationProperties({ 'some.other.annotation': '0', 'org.systemd.propertyX': 'junk' })).toEqual([]);
    expect(annotationProperties(undefined)).toEqual([]);
  });

  it.each([
    ['org.systemd.property.TimeoutStopSec', 'false', 'number of seconds expected'],
    ['org.systemd.property.TimeoutStopSec', "'covfefe'", 'number of seconds expected'],
    ['org.systemd.property.TimeoutStopSec', '-1', 'cannot be negative'],
    ['org.systemd.property.Xo', '1', 'too short'],
    ['org.systemd.property.Number1', '1', 'ASCII letters only'],
    ['org.systemd.property.ValidName', 'invalid-value', 'not a GVariant text value'],
  ])('refuses %s=%s in one line naming the annotation', (key, value, why) => {
    let message = '';
    try {
      one(key, value);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`annotation ${key}`);
    expect(message).toContain(why);
    expect(message).not.toContain('\n');
  });
});
