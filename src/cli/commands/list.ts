import { readFileSync, statSync } from 'node:fs';
import { bool, str } from '../args.js';
import type { Command } from '../command.js';
import { writeOut } from '../output.js';
import { toOciState, type OciState } from '../../state/record.js';
import { brokenReason, deriveStatus } from '../../state/status.js';
import { BrokenStateError, StateStore } from '../../state/store.js';

type ListEntry = OciState | { id: string; pid: 0; status: 'broken'; bundle: ''; created: ''; owner: string; reason: string };

function ownerName(uid: number): string {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (Number(f[2]) === uid && f[0]) return f[0];
    }
  } catch {
    // No passwd: fall through to the number.
  }
  return `#${uid}`;
}

/** Go's tabwriter as runc configures it: min width 12, padding 3. */
export function formatTable(rows: readonly string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length + 3, 12)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 12))).join('') + '\n').join('');
}

export const command: Command = {
  usage: '[command options]',
  description: 'List the containers under --root; a container whose state cannot be read is shown as broken.',
  flags: {
    format: { kind: 'string', alias: ['f'], describe: 'table or json' },
    quiet: { kind: 'boolean', alias: ['q'], describe: 'print only the ids' },
  },
  args: { min: 0, max: 0 },
  run(ctx, { flags }) {
    const format = str(flags, 'format') ?? 'table';
    if (format !== 'table' && format !== 'json') throw new Error(`invalid --format ${JSON.stringify(format)}: must be table or json`);
    const store = new StateStore(ctx.globals.root);
    const entries: ListEntry[] = [];
    for (const id of store.ids()) {
      let owner = '';
      try {
        owner = ownerName(statSync(store.dir(id)).uid);
        const rec = store.load(id);
        entries.push({ ...toOciState(rec, deriveStatus(store, rec)), owner });
      } catch (err) {
        const reason = err instanceof BrokenStateError ? brokenReason(store, id, err) : (err as Error).message;
        entries.push({ id, pid: 0, status: 'broken', bundle: '', created: '', owner, reason });
      }
    }
    if (bool(flags, 'quiet')) {
      writeOut(1, entries.map((e) => `${e.id}\n`).join(''));
    } else if (format === 'json') {
      // runc prints a nil slice: null, not [], when there are no containers.
      writeOut(1, (entries.length === 0 ? 'null' : JSON.stringify(entries)) + '\n');
    } else {
      const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'], ...entries.map((e) => [e.id, String(e.pid), e.status, e.bundle, e.created, e.owner])];
      writeOut(1, formatTable(rows));
    }
    return 0;
  },
};
