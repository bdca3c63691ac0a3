// Locating a JSON syntax error. V8's JSON.parse names a position for some errors but not for
// others ("Unexpected token ..."), so a small scanner finds the first offending character.

/** "line 3, column 7: invalid JSON: <reason>" for a text JSON.parse rejected with `error`. */
export function describeJsonSyntaxError(text: string, error: Error): string {
  // V8 appends the position or a (possibly truncated) quote of the input; the offending
  // token itself may be a raw control character. The message must stay on one line.
  const reason = error.message
    .replace(/ (?:in JSON )?at position \d+.*$/s, '')
    .replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '')
    .replace(/[\u0000-\u001f]/g, (ch) => JSON.stringify(ch).slice(1, -1));
  let offset: number | undefined;
  try {
    offset = firstSyntaxErrorOffset(text);
  } catch (err) {
    // A nesting deep enough to exhaust the stack: the reason is still worth reporting.
    if (!(err instanceof RangeError)) throw err;
    offset = undefined;
  }
  if (offset === undefined) return `invalid JSON: ${reason}`;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}: invalid JSON: ${reason}`;
}

/**
 * Deepest nesting accepted. Validation, the state file (JSON.stringify) and structuredClone
 * recurse per level and exhaust V8's stack somewhere between 3,000 and 5,000 levels; real
 * configs nest fewer than 10. (Go's decoder, hence runc, stops at 10,000.)
 */
export const NESTING_LIMIT = 1000;

/** "line 3, column 7: nested deeper than 1000 levels" for valid JSON `text`, or undefined. */
export function nestingProblem(text: string, limit = NESTING_LIMIT): string | undefined {
  // Jumps from one structural character to the next and over whole strings: a 50 MB config is
  // mostly string content, which a character loop would crawl through.
  const structural = /["[\]{}]/g;
  let depth = 0;
  for (let m = structural.exec(text); m !== null; m = structural.exec(text)) {
    const ch = m[0];
    if (ch === '"') {
      structural.lastIndex = closingQuote(text, m.index + 1) + 1;
    } else if (ch === '[' || ch === '{') {
      if (++depth > limit) {
        const before = text.slice(0, m.index);
        const line = before.split('\n').length;
        return `line ${line}, column ${m.index - before.lastIndexOf('\n')}: nested deeper than ${limit} levels of objects and arrays`;
      }
    } else {
      depth--;
    }
  }
  return undefined;
}

/** Index of the quote that ends the string whose content starts at `from` (valid JSON). */
function closingQuote(text: string, from: number): number {
  for (let q = text.indexOf('"', from); q !== -1; q = text.indexOf('"', q + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return q;
  }
  return text.length;
}

/** JSON.parse, plus the nesting limit; a failure is a one-line reason for the caller to prefix. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    return { ok: false, reason: describeJsonSyntaxError(text, error as Error) };
  }
  const tooDeep = nestingProblem(text);
  return tooDeep === undefined ? { ok: true, value } : { ok: false, reason: tooDeep };
}

class SyntaxStop {
  constructor(readonly offset: number) {}
}

/** Offset of the first character that makes `text` invalid JSON (text.length if it ends early). */
export function firstSyntaxErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxStop(i);
  };
  const skipSpace = (): void => {
    while (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r') i++;
  };
  const expect = (ch: string): void => {
    if (text[i] !== ch) fail();
    i++;
  };
  const digits = (): void => {
    if (!isDigit(text[i])) fail();
    while (isDigit(text[i])) i++;
  };
  const string = (): void => {
    expect('"');
    for (;;) {
      const ch = text[i];
      if (ch === undefined || ch < ' ') fail();
      i++;
      if (ch === '"') return;
      if (ch !== '\\') continue;
      const escape = text[i];
      if (escape === 'u') {
        i++;
        for (let k = 0; k < 4; k++) {
          if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
          i++;
        }
      } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) {
        i++;
      } else {
        fail();
      }
    }
  };
  const number = (): void => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const members = (close: string, member: () => void): void => {
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      skipSpace();
      member();
      skipSpace();
      if (text[i] === close) {
        i++;
        return;
      }
      expect(',');
    }
  };
  const value = (): void => {
    skipSpace();
    const ch = text[i];
    if (ch === '{') {
      members('}', () => {
        string();
        skipSpace();
        expect(':');
        value();
      });
    } else if (ch === '[') {
      members(']', value);
    } else if (ch === '"') {
      string();
    } else if (ch === '-' || isDigit(ch)) {
      number();
    } else {
      const literal = ch === 't' ? 'true' : ch === 'f' ? 'false' : ch === 'n' ? 'null' : fail();
      for (const expected of literal) expect(expected);
    }
  };

  try {
    value();
    skipSpace();
    if (i < text.length) fail();
    return undefined;
  } catch (stop) {
    if (stop instanceof SyntaxStop) return stop.offset;
    throw stop;
  }
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}
