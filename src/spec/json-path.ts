// Dotted JSON paths for messages: `linux.namespaces[2].type`, `annotations["org.example/key"]`.

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The path of property `key` of the object at `base`. */
export function childPath(base: string, key: string): string {
  if (!IDENTIFIER.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base === '' ? key : `${base}.${key}`;
}

/** The path of element `index` of the array at `base`. */
export function indexPath(base: string, index: number): string {
  return `${base}[${index}]`;
}

/**
 * Converts a JSON Pointer (ajv's instancePath) into a dotted path. The document is walked
 * alongside, because a pointer cannot tell an array index from an object key that looks
 * like a number (a sysctl or annotation named "0").
 */
export function pointerToPath(pointer: string, document: unknown): string {
  if (pointer === '') return '';
  let path = '';
  let node = document;
  for (const token of pointer.slice(1).split('/')) {
    const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path = indexPath(path, Number(key));
      node = node[Number(key)];
    } else {
      path = childPath(path, key);
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return path;
}
