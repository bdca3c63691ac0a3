#!/usr/bin/env node
// CPU time of commands measured side by side: `node bench/cpu-ab.mjs ROUNDS NAME=COMMAND ...`
// runs every command once per round, in a new random order each round, and prints per command
// the median, the quartiles, the median of its differences from the first command within each
// round, and the median wall time over the rounds. The CPU time of a run is
// its user + system time with the children it reaped (getrusage(RUSAGE_CHILDREN) before and
// after, through koffi): on a machine shared with other jobs, wall time mostly measures the
// wait for a CPU, and hyperfine, which runs each command's samples back to back, gives CPU
// time only as means that one descheduled run skews. COMMAND is split on spaces (no quoting);
// a run that fails stops the measurement.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const koffi = createRequire(import.meta.url)('koffi');
const RUSAGE_CHILDREN = -1;
const Timeval = koffi.struct('timeval', { sec: 'long', usec: 'long' });
const Rusage = koffi.struct('rusage', { utime: Timeval, stime: Timeval, rest: koffi.array('long', 14) });
const getrusage = koffi.load('libc.so.6').func('int getrusage(int who, _Out_ rusage *usage)');

function childrenCpuMs() {
  const r = {};
  if (getrusage(RUSAGE_CHILDREN, r) !== 0) throw new Error('getrusage failed');
  return (r.utime.sec + r.stime.sec) * 1000 + (r.utime.usec + r.stime.usec) / 1000;
}

const [roundsArg, ...specs] = process.argv.slice(2);
const rounds = Number(roundsArg);
if (!Number.isInteger(rounds) || rounds < 1 || specs.length === 0 || specs.some((s) => !s.includes('='))) {
  console.error('usage: node bench/cpu-ab.mjs ROUNDS NAME=COMMAND [NAME=COMMAND ...]');
  process.exit(2);
}
const commands = specs.map((s) => {
  const [name, command] = [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)];
  return { name, argv: command.split(' ').filter(Boolean), cpu: [], wall: [] };
});
const env = { ...process.env };
delete env.NODE_OPTIONS;
delete env.NODE_EXTRA_CA_CERTS;

for (let round = 0; round < rounds; round++) {
  const order = commands.map((c) => [Math.random(), c]).sort((a, b) => a[0] - b[0]).map(([, c]) => c);
  for (const c of order) {
    const cpu0 = childrenCpuMs();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(c.argv[0], c.argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    c.wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    c.cpu.push(childrenCpuMs() - cpu0);
    if (r.status !== 0) {
      console.error(`${c.name}: exit ${r.status ?? r.signal}: ${String(r.stderr ?? r.error).trim().split('\n')[0]}`);
      process.exit(1);
    }
  }
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  return s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i - Math.floor(i));
};
// Each command against the first, round by round: a drift of the machine's speed moves both
// runs of a round alike, so the median of the differences is steadier than the difference of
// the medians.
const [first] = commands;
console.log(`| command | CPU median | CPU p25–p75 | − ${first.name}, paired median (p25–p75) | wall median | runs |\n|---|---|---|---|---|---|`);
for (const c of commands) {
  const f = (v) => `${v.toFixed(1)} ms`;
  const diff = c.cpu.map((v, i) => v - first.cpu[i]);
  const paired = c === first ? '' : `${f(quantile(diff, 0.5))} (${quantile(diff, 0.25).toFixed(1)}–${quantile(diff, 0.75).toFixed(1)})`;
  console.log(`| ${c.name} | ${f(quantile(c.cpu, 0.5))} | ${quantile(c.cpu, 0.25).toFixed(1)}–${f(quantile(c.cpu, 0.75))} | ${paired} | ${f(quantile(c.wall, 0.5))} | ${c.cpu.length} |`);
}
