// The GVariant text format (docs.gtk.org/glib/gvariant-text-format.html), the part runc's
// org.systemd.property.* annotations use: booleans, numbers with or without a type keyword
// ("uint64 123", "456", "1.5"), strings in single or double quotes, byte strings (b'..'),
// arrays and tuples, and "@TYPE value" annotations (needed for an empty array: "@as []").
// An untyped integer is an int32 and an untyped decimal a double, as GVariant and godbus read
// them. Parsing builds a tree first, so "[1, uint64 2]" takes the type its typed element gives.

/** A D-Bus value as the bus module marshals it: 64-bit integers as bigint, structs and arrays as arrays. */
export type DbusValue = boolean | number | bigint | string | Uint8Array | DbusValue[];

export interface TypedValue {
  /** D-Bus signature of one complete type, e.g. "t", "as", "a(ss)". */
  signature: string;
  value: DbusValue;
}

type Node =
  | { k: 'num'; text: string; type?: string }
  | { k: 'bool'; value: boolean }
  | { k: 'str'; value: string; type?: string }
  | { k: 'bytes'; value: Uint8Array }
  | { k: 'array'; items: Node[] }
  | { k: 'tuple'; items: Node[] }
  | { k: 'typed'; type: string; node: Node };

const NUMBER_KEYWORDS: Readonly<Record<string, string>> = {
  byte: 'y', int16: 'n', uint16: 'q', int32: 'i', uint32: 'u', int64: 'x', uint64: 't', double: 'd',
};
const STRING_KEYWORDS: Readonly<Record<string, string>> = { objectpath: 'o', signature: 'g' };

const INT_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  y: [0n, 255n],
  n: [-32768n, 32767n],
  q: [0n, 65535n],
  i: [-2147483648n, 2147483647n],
  u: [0n, 4294967295n],
  x: [-(2n ** 63n), 2n ** 63n - 1n],
  t: [0n, 2n ** 64n - 1n],
};

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07', '\\': '\\', "'": "'", '"': '"' };

class Parser {
  private i = 0;

  constructor(private readonly text: string) {}

  fail(why: string): never {
    throw new Error(`${why} at offset ${this.i}`);
  }

  done(): boolean {
    this.skipSpace();
    return this.i >= this.text.length;
  }

  private skipSpace(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i] as string)) this.i++;
  }

  private peek(): string {
    return this.text[this.i] ?? '';
  }

  private word(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.i));
    return m ? m[0] : '';
  }

  value(): Node {
    this.skipSpace();
    const c = this.peek();
    if (c === '') this.fail('value expected');
    if (c === '@') {
      this.i++;
      const m = /^[^\s]+/.exec(this.text.slice(this.i));
      if (!m) this.fail('type expected after "@"');
      this.i += m[0].length;
      return { k: 'typed', type: m[0], node: this.value() };
    }
    if (c === '[') return { k: 'array', items: this.list('[', ']') };
    if (c === '(') return { k: 'tuple', items: this.list('(', ')') };
    if (c === "'" || c === '"') return { k: 'str', value: this.string() };
    if (c === 'b' && (this.text[this.i + 1] === "'" || this.text[this.i + 1] === '"')) {
      this.i++;
      return { k: 'bytes', value: new TextEncoder().encode(this.string()) };
    }
    const w = this.word();
    if (w === 'true' || w === 'false') {
      this.i += w.length;
      return { k: 'bool', value: w === 'true' };
    }
    if (w === 'boolean') {
      this.i += w.length;
      const inner = this.value();
      if (inner.k !== 'bool') this.fail('true or false expected after "boolean"');
      return inner;
    }
    if (NUMBER_KEYWORDS[w] !== undefined) {
      this.i += w.length;
      this.skipSpace();
      return { k: 'num', text: this.number(), type: NUMBER_KEYWORDS[w] };
    }
    if (STRING_KEYWORDS[w] !== undefined) {
      this.i += w.length;
      this.skipSpace();
      return { k: 'str', value: this.string(), type: STRING_KEYWORDS[w] };
    }
    if (/[-+0-9.]/.test(c) || w === 'inf' || w === 'nan') return { k: 'num', text: this.number() };
    return this.fail(w ? `unsupported word ${JSON.stringify(w)}` : `unexpected ${JSON.stringify(c)}`);
  }

  private list(open: string, close: string): Node[] {
    this.i++;
    const items: Node[] = [];
    this.skipSpace();
    if (this.peek() === close) {
      this.i++;
      return items;
    }
    for (;;) {
      items.push(this.value());
      this.skipSpace();
      const c = this.peek();
      this.i++;
      if (c === close) return items;
      if (c !== ',') this.fail(`"," or "${close}" expected after an element of "${open}...${close}"`);
    }
  }

  private number(): string {
    const m = /^[-+]?(0[xX][0-9a-fA-F]+|inf|nan|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)/.exec(this.text.slice(this.i));
    if (!m) this.fail('number expected');
    this.i += m[0].length;
    return m[0];
  }

  private string(): string {
    const quote = this.peek();
    if (quote !== "'" && quote !== '"') this.fail('quoted string expected');
    this.i++;
    let out = '';
    for (;;) {
      const c = this.text[this.i++];
      if (c === undefined) this.fail('unterminated string');
      if (c === quote) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[this.i++] ?? '';
      if (e === 'u' || e === 'U') {
        const len = e === 'u' ? 4 : 8;
        const hex = this.text.slice(this.i, this.i + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) this.fail(`\\${e} needs ${len} hex digits`);
        out += String.fromCodePoint(Number.parseInt(hex, 16));
        this.i += len;
      } else {
        out += ESCAPES[e] ?? e;
      }
    }
  }
}

/** The index just past the complete type starting at `i` of a signature. */
function typeEnd(sig: string, i: number): number {
  const c = sig[i];
  if (c === undefined) throw new Error(`incomplete type signature ${JSON.stringify(sig)}`);
  if (c === 'a') return typeEnd(sig, i + 1);
  if (c === '(') {
    let j = i + 1;
    while (sig[j] !== ')') {
      if (j >= sig.length) throw new Error(`unbalanced "(" in type signature ${JSON.stringify(sig)}`);
      j = typeEnd(sig, j);
    }
    return j + 1;
  }
  if ('ybnqiuxtdsog'.includes(c)) return i + 1;
  throw new Error(`unsupported type ${JSON.stringify(c)} in ${JSON.stringify(sig)}`);
}

function splitTuple(sig: string): string[] {
  const parts: string[] = [];
  for (let i = 1; i < sig.length - 1; ) {
    const end = typeEnd(sig, i);
    parts.push(sig.slice(i, end));
    i = end;
  }
  return parts;
}

/** The type a node states or its elements imply; undefined when only a default would decide. */
function stated(n: Node): string | undefined {
  switch (n.k) {
    case 'num':
      return n.type;
    case 'bool':
      return 'b';
    case 'str':
      return n.type ?? 's';
    case 'bytes':
      return 'ay';
    case 'typed':
      return n.type;
    case 'array': {
      for (const item of n.items) {
        const t = stated(item);
        if (t !== undefined) return `a${t}`;
      }
      return undefined;
    }
    case 'tuple': {
      const types = n.items.map(stated);
      return types.every((t) => t !== undefined) ? `(${types.join('')})` : undefined;
    }
  }
}

function defaulted(n: Node): string {
  const t = stated(n);
  if (t !== undefined) return t;
  if (n.k === 'num') return /^[-+]?(\d*\.|inf|nan|\d+[eE])/.test(n.text) ? 'd' : 'i';
  if (n.k === 'tuple') return `(${n.items.map(defaulted).join('')})`;
  if (n.k === 'array') {
    const first = n.items[0];
    if (!first) throw new Error('an empty array needs its type, e.g. "@as []"');
    return `a${defaulted(first)}`;
  }
  throw new Error('internal: no default type');
}

function resolve(n: Node, sig: string): DbusValue {
  const mismatch = (): never => {
    throw new Error(`a value of type ${JSON.stringify(sig)} expected`);
  };
  switch (n.k) {
    case 'typed':
      if (n.type !== sig) mismatch();
      return resolve(n.node, n.type);
    case 'bool':
      return sig === 'b' ? n.value : mismatch();
    case 'str':
      return (n.type ?? sig) === sig && 'sog'.includes(sig) ? n.value : mismatch();
    case 'bytes':
      return sig === 'ay' ? n.value : mismatch();
    case 'num':
      if (n.type !== undefined && n.type !== sig) mismatch();
      return number(n.text, sig);
    case 'array': {
      if (!sig.startsWith('a')) mismatch();
      const elem = sig.slice(1);
      return n.items.map((item) => resolve(item, elem));
    }
    case 'tuple': {
      if (!sig.startsWith('(')) mismatch();
      const types = splitTuple(sig);
      if (types.length !== n.items.length) mismatch();
      return n.items.map((item, i) => resolve(item, types[i] as string));
    }
  }
}

function number(text: string, sig: string): number | bigint {
  if (sig === 'd') {
    const v = Number(text.replace(/^([-+]?)inf$/, '$1Infinity').replace(/^[-+]?nan$/, 'NaN'));
    if (Number.isNaN(v) && !/nan$/.test(text)) throw new Error(`${JSON.stringify(text)} is not a number`);
    return v;
  }
  const range = INT_RANGES[sig];
  if (!range) throw new Error(`a number cannot be of type ${JSON.stringify(sig)}`);
  if (!/^[-+]?(0[xX][0-9a-fA-F]+|\d+)$/.test(text)) throw new Error(`${JSON.stringify(text)} is not an integer`);
  const negative = text.startsWith('-');
  const v = (negative ? -1n : 1n) * BigInt(text.replace(/^[-+]/, ''));
  if (v < range[0] || v > range[1]) throw new Error(`${text} is out of range for type ${JSON.stringify(sig)}`);
  return sig === 'x' || sig === 't' ? v : Number(v);
}

/** Parses one value in the GVariant text format; throws an Error saying what is wrong. */
export function parseGVariant(text: string): TypedValue {
  const p = new Parser(text);
  const node = p.value();
  if (!p.done()) p.fail('unexpected text after the value');
  const signature = defaulted(node);
  typeEnd(signature, 0);
  return { signature, value: resolve(node, signature) };
}
