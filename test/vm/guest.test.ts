// The VM stage of the host suite: boots the cgroup v2 + systemd guest (test/vm/run.sh), runs
// every set of test/guest/ there, and reports each guest test as a test of its own, failing with
// the guest's failure message. Sets share one boot, except that each distinct list of kernel
// arguments (a set's kernel-args file) boots once more. Where the VM cannot run here (no QEMU or
// mmdebstrap, the image cannot be built, OCIRUN_VM=0) every set shows as skipped with the reason.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'vitest';
import { REPO } from '../support/ocirun.js';

/** The parts of vitest's JSON reporter output this file reads. */
interface Report {
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { ancestorTitles: string[]; title: string; status: string; failureMessages: string[] }[];
  }[];
}

type GuestRun =
  | { kind: 'skipped'; reason: string }
  | { kind: 'ran'; exitCode: number | null; report: Report | undefined; output: string; job: string };

const guestDir = join(REPO, 'test/guest');
const sets = readdirSync(guestDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && readdirSync(join(guestDir, d.name)).some((f) => f.endsWith('.test.ts')))
  .map((d) => d.name)
  .sort();

/** A set's extra kernel arguments, whitespace-normalised as run.sh reads them; '' for none. */
function kernelArgs(set: string): string {
  const file = join(guestDir, set, 'kernel-args');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split(/\s+/).join(' ') : '';
}

/** The sets of each boot: one per distinct kernel-args, the plain boot first. */
const boots = new Map<string, string[]>();
for (const set of sets) boots.set(kernelArgs(set), [...(boots.get(kernelArgs(set)) ?? []), set]);

async function runGuest(bootSets: string[]): Promise<GuestRun> {
  if (process.env['OCIRUN_VM'] === '0') return { kind: 'skipped', reason: 'OCIRUN_VM=0' };
  const job = mkdtempSync(join(tmpdir(), 'ocirun-vm-job-'));
  const logPath = join(job, 'run.log');
  const log = openSync(logPath, 'w');
  const env = { ...process.env };
  delete env['NODE_EXTRA_CA_CERTS'];
  const child = spawn('bash', [join(REPO, 'test/vm/run.sh'), '--quiet', '--job-dir', job, ...bootSets], { stdio: ['ignore', log, log], env });
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  closeSync(log);
  const guestOutput = join(job, 'output');
  const output = readFileSync(logPath, 'utf8') + (existsSync(guestOutput) ? readFileSync(guestOutput, 'utf8') : '');
  if (exitCode === 77) {
    rmSync(job, { recursive: true, force: true });
    return { kind: 'skipped', reason: output.trim().split('\n').pop() ?? 'the VM cannot run here' };
  }
  // The stage's times (boot, tests, total) go to the suite's log.
  const times = /^vm: boot=.*$/m.exec(output);
  if (times) console.info(times[0]);
  const reportPath = join(job, 'report.json');
  const report = existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, 'utf8')) as Report) : undefined;
  return { kind: 'ran', exitCode, report, output, job };
}

for (const [args, bootSets] of [...boots].sort(([a], [b]) => a.localeCompare(b))) {
  // One boot at a time: the CPU is shared, and each boot is most of the stage's time.
  const guest = await runGuest(bootSets);
  describeBoot(args ? `guest (cgroup v2 + systemd VM, booted with ${args})` : 'guest (cgroup v2 + systemd VM)', bootSets, guest);
}

function describeBoot(title: string, bootSets: string[], guest: GuestRun): void {
  if (guest.kind === 'skipped') {
    console.warn(`guest tests skipped: ${guest.reason}`);
    describe(title, () => {
      for (const set of bootSets) it.skip(`${set}: skipped, ${guest.reason}`, () => {});
    });
  } else {
    const { report, exitCode, output, job } = guest;
    const tail = `\n--- run output (job dir ${job}) ---\n${output.split('\n').slice(-40).join('\n')}`;
    describe(title, () => {
      it('the guest run finished with a report', () => {
        if (!report) throw new Error(`no report from the guest (exit ${exitCode})${tail}`);
        const failed = report.testResults.some((f) => f.status === 'failed');
        if (exitCode !== 0 && !failed) throw new Error(`the guest run exited ${exitCode} though no test failed${tail}`);
      });
      for (const set of bootSets) {
        const files = (report?.testResults ?? []).filter((f) => relative(guestDir, f.name).startsWith(`${set}/`));
        if (report) it(`${set}: the set ran`, () => {
          if (files.length === 0) throw new Error(`no test file of test/guest/${set} ran in the guest${tail}`);
        });
        for (const file of files) {
          describe(relative(REPO, file.name), () => {
            if (file.assertionResults.length === 0 && file.status === 'failed') {
              it('loads', () => {
                throw new Error(file.message ?? 'failed without a message');
              });
            }
            for (const t of file.assertionResults) {
              const name = [...t.ancestorTitles, t.title].join(' > ');
              if (t.status === 'passed') it(name, () => {});
              else if (t.status === 'failed') it(name, () => {
                throw new Error(t.failureMessages.join('\n') || 'failed in the guest');
              });
              else it.skip(name, () => {});
            }
          });
        }
      }
    });
    if (report && exitCode === 0) rmSync(job, { recursive: true, force: true });
  }
}
