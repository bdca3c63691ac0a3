// Signal numbers by name, from Node's os.constants. node:os is loaded on first use, not
// imported: Node does not load it at start-up, and loading it cost each create, start, delete,
// run and exec ~0.5 ms of CPU for a table they read only when a signal arrives, or never.

/** The number of signal `name` ("SIGTERM"), or undefined for a name Node does not know. */
export function signalNumber(name: NodeJS.Signals): number;
export function signalNumber(name: string): number | undefined;
export function signalNumber(name: string): number | undefined {
  return (process.getBuiltinModule('node:os').constants.signals as Readonly<Record<string, number>>)[name];
}

/** The name of signal number `n`, or undefined. */
export function signalName(n: number): string | undefined {
  const table = process.getBuiltinModule('node:os').constants.signals as Readonly<Record<string, number>>;
  return Object.keys(table).find((name) => table[name] === n);
}
