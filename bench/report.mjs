// Turns bench/run.sh's hyperfine JSON exports and memory samples into markdown tables: medians
// per runtime and the ocirun/runc ratio, then each ocirun build's own work above the `node -e 0`
// floor of the same run against runc's whole time, headed by the machine and date.
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, release } from 'node:os';

const [jsonDir, memoryTsv, runtimeList, loop] = process.argv.slice(2);
const runtimes = runtimeList.split(' ');

const SCENARIOS = [
  ['run', '`run` /bin/true'],
  ['create-start-wait-delete', 'create + start + wait + delete'],
  ['state', '`state` (running)'],
  ['exec', '`exec` /bin/true (running)'],
  ['delete-force', '`delete --force` (running)'],
  [`run-x${loop}`, `${loop} sequential \`run\`s`],
];
const MEMORY = [
  ['create-max-rss-kib', 'max RSS of `create`', (v) => `${(v / 1024).toFixed(1)} MiB`],
  ['init-cgroup-charge-bytes', 'waiting init, charged to its cgroup', (v) => `${(v / 1048576).toFixed(2)} MiB`],
  ['min-memory-limit-bytes', 'smallest memory limit for `run`', (v) => `${Math.round(v / 1024)} KiB`],
];

/** Per command: the median wall time in ms, or with `cpu` the mean user + system CPU time. */
function medians(scenario, cpu = false) {
  const path = `${jsonDir}/${scenario}.json`;
  try {
    const { results } = JSON.parse(readFileSync(path, 'utf8'));
    return Object.fromEntries(results.map((r) => [r.command, (cpu ? r.user + r.system : r.median) * 1000]));
  } catch {
    return {}; // The scenario failed or was skipped (its error is in the log above).
  }
}

function version(cmd) {
  try {
    return execFileSync(cmd, ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return `${cmd}: unknown`;
  }
}

const ms = (v) => (v === undefined ? 'n/a' : `${v.toFixed(1)} ms`);
const ratio = (a, b) => (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? 'n/a' : `${(a / b).toFixed(2)}×`);
const lines = [];
const head = ['', ...runtimes, 'ocirun/runc'];
lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
let state = {};
for (const [key, label] of SCENARIOS) {
  const m = medians(key);
  if (key === 'state') state = m;
  lines.push(`| ${label} | ${runtimes.map((r) => ms(m[r])).join(' | ')} | ${ratio(m.ocirun, m.runc)} |`);
}
const mem = {};
if (existsSync(memoryTsv)) {
  for (const line of readFileSync(memoryTsv, 'utf8').trim().split('\n').filter(Boolean)) {
    const [rt, key, value] = line.split('\t');
    (mem[key] ??= {})[rt] = value === 'n/a' || value === '' ? undefined : Number(value);
  }
}
for (const [key, label, fmt] of MEMORY) {
  const m = mem[key] ?? {};
  const cell = (v) => (v === undefined || Number.isNaN(v) ? 'n/a' : fmt(v));
  lines.push(`| ${label} | ${runtimes.map((r) => cell(m[r])).join(' | ')} | ${ratio(m.ocirun, m.runc)} |`);
}

// Targets (issue 16): own work of `run` and `exec` within 1.5× runc's whole, `state` within floor + 3 ms.
const ABOVE_FLOOR = [
  ['run', '`run` /bin/true', 'ratio', 1.5],
  ['exec', '`exec` /bin/true', 'ratio', 1.5],
  ['state', '`state`', 'ms', 3],
  ['delete-force', '`delete --force`', 'ratio', undefined],
];
const builds = runtimes.filter((r) => r === 'ocirun' || r === 'baseline');
function aboveTable(cpu) {
  const head = ['', 'floor', ...builds.flatMap((b) => [`${b} − floor`, `÷ runc`]), 'runc', 'target'];
  const rows = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const [key, label, kind, target] of ABOVE_FLOOR) {
    const m = medians(key, cpu);
    const own = (b) => (m[b] === undefined || m.floor === undefined ? undefined : m[b] - m.floor);
    const cells = builds.flatMap((b) => [ms(own(b)), ratio(own(b), m.runc)]);
    const goal = target === undefined ? '—' : kind === 'ratio' ? `≤ ${target}× runc` : `≤ floor + ${target} ms`;
    rows.push(`| ${label} | ${ms(m.floor)} | ${cells.join(' | ')} | ${ms(m.runc)} | ${goal} |`);
  }
  return rows.join('\n');
}

const cpu = cpus();
const machine = `${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, Linux ${release()}, Node ${process.version}, ${runtimes.filter((r) => r !== 'ocirun' && r !== 'baseline').map(version).join(', ')}`;
console.log(`Medians (hyperfine, NODE_EXTRA_CA_CERTS unset), ${new Date().toISOString().slice(0, 10)}, ${machine}. \`node -e 0\` in the \`state\` run: ${ms(state.floor)}.\n\n${lines.join('\n')}\n\nOwn work above the floor (median of the command − median of \`node -e 0\` in the same run), against runc's whole time:\n\n${aboveTable(false)}\n\nThe same in CPU time (user + system, means; a command's reaped children included), which waiting for a busy CPU does not inflate:\n\n${aboveTable(true)}`);
