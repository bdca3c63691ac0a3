import { statSync } from 'node:fs';

// What runc checks before reporting the container created, with its words: engines map
// "executable file not found" / "no such file or directory" to 127 and "permission denied" to 126.

export class ExecLookupError extends Error {}

function envValue(env: readonly string[], key: string): string | undefined {
  let value: string | undefined;
  for (const e of env) if (e.startsWith(`${key}=`)) value = e.slice(key.length + 1);
  return value;
}

function isExecutableFile(path: string): 'ok' | 'missing' | 'denied' {
  try {
    const st = statSync(path);
    return st.isFile() && (st.mode & 0o111) !== 0 ? 'ok' : 'denied';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EACCES' ? 'denied' : 'missing';
  }
}

export function lookupExecutable(arg0: string, env: readonly string[]): string {
  if (arg0.includes('/')) {
    const found = isExecutableFile(arg0);
    if (found === 'missing') throw new ExecLookupError(`exec: ${JSON.stringify(arg0)}: stat ${arg0}: no such file or directory`);
    if (found === 'denied') throw new ExecLookupError(`exec: ${JSON.stringify(arg0)}: permission denied`);
    return arg0;
  }
  let denied = false;
  // Go's SplitList: an unset or empty PATH has no elements (not one empty element, which is ".").
  const path = envValue(env, 'PATH') ?? '';
  for (const dir of path === '' ? [] : path.split(':')) {
    const candidate = `${dir === '' ? '.' : dir}/${arg0}`;
    const found = isExecutableFile(candidate);
    if (found === 'ok') return candidate;
    if (found === 'denied') denied = true;
  }
  if (denied) throw new ExecLookupError(`exec: ${JSON.stringify(arg0)}: permission denied`);
  throw new ExecLookupError(`exec: ${JSON.stringify(arg0)}: executable file not found in $PATH`);
}

/** HOME from /etc/passwd of the container when config.json sets none (runc does the same). */
export function withHome(env: readonly string[], uid: number, passwd: string | undefined): string[] {
  if (envValue(env, 'HOME') !== undefined) return [...env];
  let home = '/';
  for (const line of (passwd ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length >= 6 && Number(f[2]) === uid && f[5]) {
      home = f[5];
      break;
    }
  }
  return [...env, `HOME=${home}`];
}
