// A small seeded generator of hostile config.json files: a valid base config with one to three
// mutations (wrong types, removed and unknown keys, long strings, huge arrays, deep nesting, odd
// numbers, invalid UTF-8, truncation). Seeded so that a failing case can be replayed exactly.
import type { Spec } from '../../src/spec/types.js';

/** mulberry32: tiny, fast, good enough to spread cases; not for anything secret. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = Array<string | number>;

export interface HostileCase {
  /** What was done, for the test name and failure messages. */
  label: string;
  /** The bytes of config.json. */
  bytes: Buffer;
  /** Keys the mutations touched: an error should name one of them. */
  touched: string[];
}

const DEEP = '__ocirun_deep__';
const BAD_UTF8 = '__ocirun_bad_utf8__';

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)] as T;
}

function paths(v: Json, at: Path = []): Path[] {
  const out: Path[] = at.length > 0 ? [at] : [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function parentOf(doc: Json, path: Path): { parent: Json; key: string | number } {
  let cur = doc;
  for (const k of path.slice(0, -1)) cur = (cur as Record<string | number, Json>)[k] as Json;
  return { parent: cur, key: path[path.length - 1] as string | number };
}

function randomString(rand: () => number, length: number): string {
  const alphabets = ['abcxyz019', ' \t\n"\\/', '\u00e9\u4e2d\u{1F600}', '\u0001\u001f\u007f', '../', '%s%n'];
  const alphabet = [...pick(rand, alphabets)];
  let s = '';
  while (s.length < length) s += pick(rand, alphabet);
  return s;
}

function randomValue(rand: () => number, notLike: Json): Json {
  const makers: Array<() => Json> = [
    () => null,
    () => rand() < 0.5,
    () => pick(rand, [-1, 0, 1.5, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, 4294967296]),
    () => randomString(rand, 1 + Math.floor(rand() * 20)),
    () => [randomString(rand, 3), 7, null],
    () => ({ [randomString(rand, 4)]: 1 }),
  ];
  for (;;) {
    const v = pick(rand, makers)();
    if (typeof v !== typeof notLike || Array.isArray(v) !== Array.isArray(notLike)) return v;
  }
}

function keyName(path: Path): string {
  const named = path.filter((k): k is string => typeof k === 'string');
  return named[named.length - 1] ?? 'config';
}

type Mutation = (doc: Json, rand: () => number) => { label: string; touched: string };

const MUTATIONS: Readonly<Record<string, Mutation>> = {
  wrongType(doc, rand) {
    const path = pick(rand, paths(doc));
    const { parent, key } = parentOf(doc, path);
    const old = (parent as Record<string | number, Json>)[key] as Json;
    (parent as Record<string | number, Json>)[key] = randomValue(rand, old);
    return { label: `wrong type at ${path.join('.')}`, touched: keyName(path) };
  },
  removeKey(doc, rand) {
    const path = pick(rand, paths(doc).filter((p) => typeof p[p.length - 1] === 'string'));
    const { parent, key } = parentOf(doc, path);
    delete (parent as Record<string, Json>)[key as string];
    return { label: `removed ${path.join('.')}`, touched: keyName(path) };
  },
  unknownKey(doc, rand) {
    const objects = [[] as Path, ...paths(doc)].filter((p) => {
      const v = p.length === 0 ? doc : (parentOf(doc, p).parent as Record<string | number, Json>)[p[p.length - 1] as string];
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    });
    const path = pick(rand, objects);
    const target = (path.length === 0 ? doc : (parentOf(doc, path).parent as Record<string | number, Json>)[path[path.length - 1] as string]) as Record<string, Json>;
    const name = `x-${randomString(rand, 6)}`;
    target[name] = randomValue(rand, 0);
    return { label: `unknown key under ${path.join('.') || '(top)'}`, touched: name };
  },
  longString(doc, rand) {
    const path = pick(rand, paths(doc).filter((p) => typeof (parentOf(doc, p).parent as Record<string | number, Json>)[p[p.length - 1] as string] === 'string'));
    const { parent, key } = parentOf(doc, path);
    const length = pick(rand, [256, 4097, 65_537, 1 << 20]);
    (parent as Record<string | number, Json>)[key] = randomString(rand, length);
    return { label: `${length}-char string at ${path.join('.')}`, touched: keyName(path) };
  },
  hugeArray(doc, rand) {
    const path = pick(rand, paths(doc).filter((p) => Array.isArray((parentOf(doc, p).parent as Record<string | number, Json>)[p[p.length - 1] as string])));
    const { parent, key } = parentOf(doc, path);
    const arr = (parent as Record<string | number, Json>)[key] as Json[];
    const n = pick(rand, [1000, 100_000]);
    (parent as Record<string | number, Json>)[key] = Array.from({ length: n }, (_, i) => structuredClone(arr[i % Math.max(1, arr.length)] ?? i));
    return { label: `${n}-entry array at ${path.join('.')}`, touched: keyName(path) };
  },
  deepNesting(doc, rand) {
    const at = pick(rand, ['annotations', 'x-deep', 'linux', 'process']);
    (doc as Record<string, Json>)[at] = DEEP;
    return { label: `100000-deep nesting at ${at}`, touched: at };
  },
  badUtf8(doc, rand) {
    const path = pick(rand, paths(doc).filter((p) => typeof (parentOf(doc, p).parent as Record<string | number, Json>)[p[p.length - 1] as string] === 'string'));
    const { parent, key } = parentOf(doc, path);
    (parent as Record<string | number, Json>)[key] = BAD_UTF8;
    return { label: `invalid UTF-8 at ${path.join('.')}`, touched: keyName(path) };
  },
};

function serialize(doc: Json, truncateAt: number | undefined): Buffer {
  let text = JSON.stringify(doc);
  const depth = 100_000;
  text = text.split(JSON.stringify(DEEP)).join('['.repeat(depth) + ']'.repeat(depth));
  if (truncateAt !== undefined) text = text.slice(0, Math.floor(text.length * truncateAt));
  const parts = text.split(BAD_UTF8);
  const bytes: Buffer[] = [];
  parts.forEach((p, i) => {
    if (i > 0) bytes.push(Buffer.from([0xc3, 0x28, 0xff, 0xed, 0xa0, 0x80]));
    bytes.push(Buffer.from(p, 'utf8'));
  });
  return Buffer.concat(bytes);
}

/** Case n of the stream for `seed`: one to three mutations of `base`, sometimes truncated. */
export function hostileCase(base: Spec, seed: number, n: number): HostileCase {
  const rand = prng(seed * 1_000_003 + n);
  const doc = JSON.parse(JSON.stringify(base)) as Json;
  const names = Object.keys(MUTATIONS);
  const steps = 1 + Math.floor(rand() * 3);
  const labels: string[] = [];
  const touched: string[] = [];
  for (let i = 0; i < steps; i++) {
    const m = (MUTATIONS[pick(rand, names)] as Mutation)(doc, rand);
    labels.push(m.label);
    touched.push(m.touched);
  }
  const truncate = rand() < 0.1 ? 0.2 + rand() * 0.7 : undefined;
  if (truncate !== undefined) labels.push(`truncated to ${Math.round(truncate * 100)}%`);
  return { label: labels.join('; '), bytes: serialize(doc, truncate), touched };
}
