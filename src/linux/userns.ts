import { readFileSync } from 'node:fs';

// Whether this process runs inside a user namespace other than the initial one, decided as
// runc does (moby/sys userns): only the initial namespace maps the whole 32-bit range onto itself.

/** The first line of /proc/self/uid_map says "not the initial namespace". */
export function uidMapShowsUserNamespace(firstLine: string): boolean {
  // An empty map: a namespace just made, not yet mapped.
  if (firstLine.trim() === '') return true;
  const fields = firstLine.trim().split(/\s+/);
  if (fields.length !== 3 || !fields.every((f) => /^\d+$/.test(f))) return false;
  return !(fields[0] === '0' && fields[1] === '0' && fields[2] === '4294967295');
}

export function runningInUserNamespace(): boolean {
  let text: string;
  try {
    text = readFileSync('/proc/self/uid_map', 'utf8');
  } catch {
    // Only kernels without user namespaces lack the file.
    return false;
  }
  return uidMapShowsUserNamespace(text.split('\n')[0] ?? '');
}
