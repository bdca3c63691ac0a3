// The layers of README's "Layers" section, read from the import statements of src/: a new
// cycle between folders, or an import that goes up, fails here with the file that does it.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { folderCycles, folderEdges, upwardImports, type FolderEdges } from '../support/import-graph.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

// cli → container → exec/security/criu → init/state/hooks → cgroups → linux; spec/ (config types,
// validation), log.ts and debug/ (fault injection) import no other part of src/ and sit below
// everything, so every layer may use them.
const LAYER: Readonly<Record<string, number>> = {
  cli: 6,
  container: 5,
  exec: 4,
  security: 4,
  criu: 4,
  init: 3,
  state: 3,
  hooks: 3,
  cgroups: 2,
  linux: 1,
  spec: 0,
  log: 0,
  debug: 0,
};

describe('the layers of src/', () => {
  const edges = folderEdges(SRC);

  it('has no import going up a layer', () => {
    expect(upwardImports(edges, LAYER)).toEqual([]);
  });

  it('has no cycle between folders, not even within a layer', () => {
    expect(folderCycles(edges)).toEqual([]);
  });

  it('sees the imports it checks (the graph is not empty)', () => {
    expect(edges.get('cli')?.has('container')).toBe(true);
    expect(edges.get('cgroups')?.has('linux')).toBe(true);
  });
});

describe('the checks themselves', () => {
  const graph = (pairs: [string, string][]): FolderEdges => {
    const edges: FolderEdges = new Map();
    for (const [a, b] of pairs) {
      const t = edges.get(a) ?? new Map<string, string[]>();
      edges.set(a, t.set(b, [`${a}/x.ts imports ../${b}/y.js`]));
    }
    return edges;
  };

  it('report a cycle through three folders', () => {
    expect(folderCycles(graph([['init', 'hooks'], ['hooks', 'state'], ['state', 'init'], ['init', 'linux']]))).toEqual([['hooks', 'init', 'state']]);
  });

  it('report an upward import and a folder missing from the table', () => {
    expect(upwardImports(graph([['linux', 'cgroups'], ['cli', 'newfolder']]), LAYER)).toEqual([
      'linux -> cgroups goes up the layers: linux/x.ts imports ../cgroups/y.js',
      'src/newfolder has no layer: add it to the layer table',
    ]);
  });
});
