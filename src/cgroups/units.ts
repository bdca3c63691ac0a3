// The value syntaxes of runc's command line: memory sizes as docker/go-units RAMInBytes reads
// them ("512m", "1.5G", "100 MiB": binary multiples, optional "i" and "b"), and Go durations
// as time.ParseDuration reads them ("5s", "1m30s", "250ms").

const SIZE = /^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const BINARY: Readonly<Record<string, number>> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/** Bytes, truncated to an integer as go-units does; "-1" is not a size (callers handle it). */
export function ramInBytes(text: string): number {
  const m = SIZE.exec(text);
  if (!m?.[1]) throw new Error(`invalid size: '${text}'`);
  const mult = m[2] ? (BINARY[m[2].toLowerCase()] ?? 1) : 1;
  return Math.trunc(Number(m[1]) * mult);
}

const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration in milliseconds; a bare "0" is allowed, any other number needs a unit. */
export function parseGoDuration(text: string): number {
  const invalid = (): Error => new Error(`time: invalid duration ${JSON.stringify(text)}`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let total = 0;
  // µs and μs (micro sign, Greek mu) escaped: the bundles stay ASCII (scripts/bundle.mjs).
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/;
  while (rest !== '') {
    const m = part.exec(rest);
    if (!m?.[1] || !m[2]) throw invalid();
    total += Number(m[1]) * (DURATION_UNIT_MS[m[2]] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}
