import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import ts from 'typescript';

/** Imports between the top-level parts of src/ (a folder, or a file directly in src/ such as log.ts). */
export type FolderEdges = Map<string, Map<string, string[]>>;

export function partOf(srcRoot: string, file: string): string {
  const parts = relative(srcRoot, file).split(sep);
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.[jt]s$/, '');
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Static, type-only and dynamic imports and re-exports alike: each is a dependency. */
export function folderEdges(srcRoot: string): FolderEdges {
  const edges: FolderEdges = new Map();
  for (const file of tsFiles(srcRoot)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = normalize(join(dirname(file), fileName));
      const from = partOf(srcRoot, file);
      const to = partOf(srcRoot, target);
      if (from === to) continue;
      const byTarget = edges.get(from) ?? new Map<string, string[]>();
      edges.set(from, byTarget);
      byTarget.set(to, [...(byTarget.get(to) ?? []), `${relative(srcRoot, file)} imports ${fileName}`]);
    }
  }
  return edges;
}

/** Every import that goes up the layers (a higher rank is nearer the command line). */
export function upwardImports(edges: FolderEdges, rank: Readonly<Record<string, number>>): string[] {
  const found: string[] = [];
  for (const [from, targets] of edges) {
    for (const [to, where] of targets) {
      const a = rank[from];
      const b = rank[to];
      if (a === undefined) found.push(`src/${from} has no layer: add it to the layer table`);
      else if (b === undefined) found.push(`src/${to} has no layer: add it to the layer table`);
      else if (b > a) found.push(`${from} -> ${to} goes up the layers: ${where.join(', ')}`);
    }
  }
  return [...new Set(found)];
}

/** Groups of parts that import each other, directly or through others (Tarjan's strongly connected components). */
export function folderCycles(edges: FolderEdges): string[][] {
  const nodes = new Set<string>([...edges.keys(), ...[...edges.values()].flatMap((t) => [...t.keys()])]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) cycles.push(group.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!index.has(v)) visit(v);
  return cycles;
}
