// loadConfig end to end: what it accepts, and the one-line "<file>: <json path>: <expected>"
// messages it throws.
import { chmodSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configPath, loadConfig, requireProcess } from '../../../src/spec/validate.js';
import { validateFeatures, validateState } from '../../../src/spec/validate-documents.js';
import { minimalConfig, tempBundle } from './temp-bundle.js';

/** The ConfigError loadConfig throws for this config.json content. */
async function loadError(config: unknown): Promise<ConfigError> {
  const bundle = tempBundle(config);
  try {
    await loadConfig(bundle);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.message).not.toContain('\n');
    expect(configError.file).toBe(join(bundle, 'config.json'));
    expect(configError.message.startsWith(`${configError.file}: `)).toBe(true);
    return configError;
  }
  throw new Error('loadConfig accepted the config');
}

/** The message without the file prefix. */
async function shortMessage(config: unknown): Promise<string> {
  const error = await loadError(config);
  return error.message.slice(error.file.length + 2);
}

describe('loadConfig', () => {
  it('returns the parsed config of a valid bundle', async () => {
    const bundle = tempBundle(minimalConfig());
    expect(await loadConfig(bundle)).toEqual(minimalConfig());
  });

  it('accepts the recursive rootfsPropagation values runc and containerd\'s CRI use, and nothing else', async () => {
    for (const value of ['rprivate', 'rshared', 'rslave', 'runbindable', 'private', 'shared']) {
      const config = { ...minimalConfig(), linux: { namespaces: [{ type: 'mount' as const }], rootfsPropagation: value } };
      expect(await loadConfig(tempBundle(config))).toEqual(config);
    }
    expect(await shortMessage({ ...minimalConfig(), linux: { rootfsPropagation: 'rwhatever' } })).toContain('linux.rootfsPropagation');
  });

  it('resolves a relative bundle directory', async () => {
    const bundle = tempBundle(minimalConfig());
    expect(await loadConfig(relative(process.cwd(), bundle))).toEqual(minimalConfig());
    expect(configPath(relative(process.cwd(), bundle))).toBe(join(bundle, 'config.json'));
  });

  it('names the file when config.json is missing', async () => {
    expect(await shortMessage(undefined)).toBe('cannot read: no such file or directory');
  });

  it.runIf(process.getuid?.() !== 0)('names the file when config.json is unreadable', async () => {
    const bundle = tempBundle(minimalConfig());
    chmodSync(join(bundle, 'config.json'), 0);
    await expect(loadConfig(bundle)).rejects.toThrow(`${join(bundle, 'config.json')}: cannot read: permission denied`);
  });

  it('reports a directory in place of config.json', async () => {
    const bundle = tempBundle(undefined);
    mkdirSync(join(bundle, 'config.json'));
    await expect(loadConfig(bundle)).rejects.toThrow(/config\.json: not a regular file \(a directory\)$/);
  });

  describe('invalid JSON', () => {
    it('gives line and column of a bad token', async () => {
      expect(await shortMessage('{\n  "ociVersion": "1.2.0",\n  "root": tru\n}')).toBe(
        "line 3, column 14: invalid JSON: Unexpected token '\\n'",
      );
    });

    it.each([
      ['{]', 'line 1, column 2: invalid JSON: Expected property name or \'}\''],
      ['', 'line 1, column 1: invalid JSON: Unexpected end of JSON input'],
      ['{"ociVersion": "1.2.0",}', 'line 1, column 24: invalid JSON: Expected double-quoted property name'],
      ['{"a": 1}\n\nx', 'line 3, column 1: invalid JSON: Unexpected non-whitespace character after JSON'],
    ])('%j', async (text, expected) => {
      expect(await shortMessage(text)).toBe(expected);
    });

    it('never quotes the input, which may span lines', async () => {
      const message = await shortMessage('{\n"root": {"path": tru}\n}');
      expect(message).toMatch(/^line 2, column 21: invalid JSON: Unexpected token '}'$/);
    });
  });

  describe('schema errors', () => {
    it('names the JSON path and the expected type', async () => {
      expect(await shortMessage({ ...minimalConfig(), process: { cwd: '/', args: 'sh' } })).toBe('process.args: must be array');
    });

    it('lists the allowed values of an enum, at the deepest path', async () => {
      const config = { ...minimalConfig(), linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'pids' }] } };
      expect(await shortMessage(config)).toBe(
        'linux.namespaces[2].type: must be one of "mount", "pid", "network", "uts", "ipc", "user", "cgroup", "time"',
      );
    });

    it('points at a missing required property', async () => {
      expect(await shortMessage({ ociVersion: '1.2.0', root: {} })).toBe('root.path: is required');
      expect(await shortMessage({ root: { path: 'rootfs' } })).toBe('ociVersion: is required');
    });

    it('quotes keys that are not identifiers', async () => {
      const config = { ...minimalConfig(), annotations: { 'org.example/key': 1 } };
      expect(await shortMessage(config)).toBe('annotations["org.example/key"]: must be string');
    });

    it('shows patterns and bounds', async () => {
      const rlimit = { ...minimalConfig(), process: { cwd: '/', args: ['sh'], rlimits: [{ type: 'NOFILE', soft: 1, hard: 1 }] } };
      expect(await shortMessage(rlimit)).toBe('process.rlimits[0].type: must match pattern "^RLIMIT_[A-Z]+$"');
      const uid = { ...minimalConfig(), process: { cwd: '/', args: ['sh'], user: { uid: -1, gid: 0 } } };
      expect(await shortMessage(uid)).toBe('process.user.uid: must be >= 0');
    });

    it('describes a document that is not an object without a path', async () => {
      expect(await shortMessage('[]')).toBe('must be a JSON object (a runtime-spec config), got an array');
    });

    it('never prints the schema location', async () => {
      const message = await shortMessage({ ...minimalConfig(), linux: { resources: { blockIO: { weightDevice: [{ major: 8 }] } } } });
      expect(message).toBe('linux.resources.blockIO.weightDevice[0].minor: is required');
      expect(message).not.toMatch(/#|definitions|\.json/);
    });
  });

  it('runs the semantic checks after the schema', async () => {
    expect(await shortMessage({ ...minimalConfig(), process: { cwd: 'tmp', args: ['sh'] } })).toBe(
      'process.cwd: must be an absolute path, got "tmp"',
    );
  });

  it('checks the rootfs relative to the bundle', async () => {
    const bundle = tempBundle(minimalConfig(), { rootfs: false });
    await expect(loadConfig(bundle)).rejects.toThrow(
      `${join(bundle, 'config.json')}: root.path: ${join(bundle, 'rootfs')}: no such file or directory`,
    );
  });
});

describe('requireProcess', () => {
  it('accepts a config with a program to run', () => {
    const spec = minimalConfig();
    expect(() => requireProcess(spec, '/b')).not.toThrow();
  });

  it('rejects a config without process, naming the file', () => {
    const { process: _omitted, ...spec } = minimalConfig();
    expect(() => requireProcess(spec, '/b')).toThrow(new ConfigError('/b/config.json', 'process', 'is required to create a container'));
    expect(() => requireProcess(spec, '/b')).toThrow('/b/config.json: process: is required to create a container');
  });

  it('rejects empty args', () => {
    const spec = { ...minimalConfig(), process: { cwd: '/', args: [] } };
    expect(() => requireProcess(spec, '/b')).toThrow('/b/config.json: process.args: must name the program to run');
  });
});

describe('validateState / validateFeatures', () => {
  const state = { ociVersion: '1.2.0', id: 'c1', status: 'running', pid: 42, bundle: '/b' };

  it('accept valid documents', () => {
    expect(validateState(state)).toEqual([]);
    expect(validateFeatures({ ociVersionMin: '1.0.0', ociVersionMax: '1.2.0' })).toEqual([]);
  });

  it('return every problem, one line each', () => {
    expect(validateState({ ...state, status: 'paused', pid: -1 })).toEqual([
      'status: must be one of "creating", "created", "running", "stopped"',
      'pid: must be >= 0',
    ]);
    expect(validateFeatures({ ociVersionMin: '1.0.0', linux: { namespaces: ['net'] } })).toEqual([
      'ociVersionMax: is required',
      'linux.namespaces[0]: must be one of "mount", "pid", "network", "uts", "ipc", "user", "cgroup", "time"',
    ]);
  });
});
