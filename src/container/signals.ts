import { signalNumber } from '../linux/signal-numbers.js';

// `kill ID SIGNAL`: names with or without SIG (TERM, SIGTERM, sigterm) or numbers, as runc takes them.

export function parseSignal(text: string | undefined): number {
  if (text === undefined || text === '') return 15;
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    // 0 sends nothing but still fails for a process that is gone (runc passes it through too).
    if (n <= 64) return n;
    throw new Error(`invalid signal number ${text}: must be 0 to 64`);
  }
  const upper = text.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const rt = /^SIGRTMIN(?:\+(\d+))?$/.exec(name) ?? /^SIGRTMAX(?:-(\d+))?$/.exec(name);
  if (rt) {
    const offset = Number(rt[1] ?? 0);
    const sig = name.startsWith('SIGRTMIN') ? 34 + offset : 64 - offset;
    if (sig >= 34 && sig <= 64) return sig;
  }
  const n = signalNumber(name);
  if (n === undefined) throw new Error(`unknown signal ${JSON.stringify(text)}`);
  return n;
}
