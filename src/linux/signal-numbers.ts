// Signal numbers by name, from Node's os.constants. node:os is loaded on first use, not
// imported: Node does not load it at start-up, and loading it cost each create, start, delete,
// run and exec CPU (bench/RESULTS.md) for a table they read only when a signal arrives, or never.

function signalTable(): Readonly<Record<string, number>> {
  return process.getBuiltinModule('node:os').constants.signals as Readonly<Record<string, number>>;
}

/** The number of signal `name` ("SIGTERM"), or undefined for a name Node does not know. */
export function signalNumber(name: NodeJS.Signals): number;
export function signalNumber(name: string): number | undefined;
export function signalNumber(name: string): number | undefined {
  return signalTable()[name];
}

/** The name of signal number `n`, or undefined. */
export function signalName(n: number): string | undefined {
  const table = signalTable();
  return Object.keys(table).find((name) => table[name] === n);
}
