// process.selinuxLabel, linux.mountLabel and `exec --process-label` on a host with SELinux: this
// set boots the guest with security=selinux (kernel-args; AppArmor is off in that boot) and
// Debian's reference policy loaded, permissive. Permissive still gives every process and mount the
// label it asks for, which is what these tests read; enforcing would also need the checkout and the
// rootfs (shared over 9p, unlabelled) and a container policy (Debian has no container-selinux).
// runc runs every case beside ocirun with the same bundle as the reference.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Spec } from '../../../src/spec/types.js';
import { baseSpec, Sandbox, uniqueId } from '../../support/ocirun.js';
import { Runc } from '../cgroupv2/support.js';

// Debian's reference policy has no container module (no container_t): svirt_t is its
// MCS-confined sandbox domain (libvirt's, and the one container engines used before
// container_t) and svirt_image_t the files it works on. The MCS categories differ per container,
// as engines give them.
const PROCESS_LABEL = 'system_u:system_r:svirt_t:s0:c1,c2';
const EXEC_LABEL = 'system_u:system_r:svirt_t:s0:c3,c4';
const MOUNT_LABEL = 'system_u:object_r:svirt_image_t:s0:c1,c2';
// The fresh filesystems that take a context= option, in baseSpec's order; /sys/firmware is a
// masked directory (a read-only tmpfs over it). mqueue cannot take one (mount-label.ts): its root
// gets the label as a file label.
const LABELLED_MOUNTS = ['/dev', '/dev/pts', '/dev/shm', '/tmp', '/sys/firmware'];

describe.runIf(process.env['OCIRUN_GUEST'] === '1')('SELinux in the guest booted with security=selinux', () => {
  // Made in beforeAll: a skipped set must not leave a sandbox behind.
  let sb: Sandbox;
  let runc: Runc;

  beforeAll(() => {
    sb = new Sandbox('selinux');
    runc = new Runc(sb.dir);
    expect(readFileSync('/sys/fs/selinux/enforce', 'utf8').trim()).toBe('0');
    // The labels must be ones the policy knows, or every test below would prove an error path.
    for (const label of [PROCESS_LABEL, EXEC_LABEL, MOUNT_LABEL]) writeFileSync('/sys/fs/selinux/context', label);
  });

  afterEach(() => {
    runc.cleanup();
    expect(sb.cleanup()).toEqual([]);
  });
  afterAll(() => sb.destroy());

  function withLabels(args: string[], labels: { process?: string; mount?: string }): Spec {
    const spec = baseSpec(args);
    if (spec.process && labels.process !== undefined) spec.process.selinuxLabel = labels.process;
    if (spec.linux && labels.mount !== undefined) spec.linux.mountLabel = labels.mount;
    return spec;
  }

  /** The output of `runc run` of the bundle. */
  function runcRun(bundle: string): { status: number; stdout: string; stderr: string } {
    const out = join(sb.dir, `${uniqueId('runc-out')}`);
    const r = runc.run(['run', '--bundle', bundle, uniqueId('runc')], out);
    return { ...r, stdout: readFileSync(out, 'utf8') };
  }

  /** mount point → its context= option, from a process's mountinfo as the host sees it. */
  function mountContexts(pid: number): Map<string, string> {
    const out = new Map<string, string>();
    for (const line of readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n')) {
      const fields = line.split(' ');
      const superOptions = fields[fields.length - 1] ?? '';
      const context = /(?:^|,)context=("[^"]*"|[^,]*)/.exec(superOptions)?.[1];
      if (context !== undefined && fields[4] !== undefined) out.set(fields[4], context.replace(/^"(.*)"$/, '$1'));
    }
    return out;
  }

  /** A file's SELinux label (its security.selinux attribute), read by coreutils' stat. */
  function fileLabel(path: string): string {
    const r = spawnSync('stat', ['-c', '%C', path], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`stat -c %C ${path}: ${r.stderr.trim()}`);
    return r.stdout.trim();
  }

  /**
   * The SELinux label of a container's session keyring (`_ses.<id>`, runc's name too), found in
   * /proc/keys and read with keyctl(KEYCTL_GET_SECURITY), which busybox and the guest lack as
   * commands: python's ctypes makes the call.
   */
  function keyringLabel(id: string): string {
    const line = readFileSync('/proc/keys', 'utf8').split('\n').find((l) => l.includes(` _ses.${id}:`));
    if (line === undefined) throw new Error(`no session keyring _ses.${id} in /proc/keys`);
    const script = [
      'import ctypes, os, sys',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'buf = ctypes.create_string_buffer(256)',
      'n = libc.syscall(250, 17, int(sys.argv[1], 16), buf, 256)  # keyctl(KEYCTL_GET_SECURITY)',
      'sys.exit(os.strerror(ctypes.get_errno())) if n < 0 else print(buf.value.decode())',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, line.split(' ')[0] ?? ''], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`keyctl(KEYCTL_GET_SECURITY) of _ses.${id}: ${r.stderr.trim()}`);
    return r.stdout.trim();
  }

  /** The caller's own context: what a process without a label keeps. */
  const callerLabel = (): string => readFileSync('/proc/self/attr/current', 'utf8').replace(/\0/g, '').trim();

  describe('process.selinuxLabel', () => {
    it('is the container process\'s context in /proc/self/attr/current, as under runc', () => {
      const spec = withLabels(['cat', '/proc/self/attr/current'], { process: PROCESS_LABEL });
      const r = sb.run(['run', '--bundle', sb.bundle(spec), uniqueId()]);
      expect(r.stderr).toBe('');
      expect(r.stdout.replace(/\0/g, '')).toBe(PROCESS_LABEL);
      const theirs = runcRun(sb.bundle(spec));
      expect(theirs.stderr).toBe('');
      expect(theirs.stdout.replace(/\0/g, '')).toBe(PROCESS_LABEL);
    });

    it('is the label of the container\'s session keyring, as runc labels it', () => {
      const spec = withLabels(['sleep', '1000'], { process: PROCESS_LABEL });
      const id = sb.create(spec);
      expect(keyringLabel(id)).toBe(PROCESS_LABEL);
      runc.create(sb.bundle(spec));
      const rid = spawnSync('runc', ['--root', runc.root, 'list', '-q'], { encoding: 'utf8' }).stdout.trim();
      expect(keyringLabel(rid)).toBe(PROCESS_LABEL);
    });

    it('without one the container process keeps the caller\'s context, as under runc', () => {
      const spec = withLabels(['cat', '/proc/self/attr/current'], {});
      expect(sb.ok(['run', '--bundle', sb.bundle(spec), uniqueId()]).replace(/\0/g, '')).toBe(callerLabel());
      expect(runcRun(sb.bundle(spec)).stdout.replace(/\0/g, '')).toBe(callerLabel());
    });

    it('a context the policy does not know fails create with a one-line error naming the field, nothing left', () => {
      const spec = withLabels(['true'], { process: 'system_u:system_r:no_such_type_t:s0' });
      expect(sb.refusedCreate(spec)).toMatch(/process\.selinuxLabel: \\?"system_u:system_r:no_such_type_t:s0\\?" is not a context of the loaded SELinux policy/);
      // runc refuses it too, only later (from the init's write to attr/exec); its words go to the log.
      const theirs = runcRun(sb.bundle(spec));
      expect(theirs.status).not.toBe(0);
      console.info(`runc, unknown selinuxLabel: ${theirs.stderr.trim()}`);
    });
  });

  describe('linux.mountLabel', () => {
    it('is the context= option of the container\'s tmpfs and devpts mounts, and the label of their files and of /dev/mqueue, as under runc', () => {
      const spec = withLabels(['sleep', '1000'], { mount: MOUNT_LABEL });
      const id = sb.create(spec);
      const pid = sb.state(id).pid;
      const runcPid = runc.create(sb.bundle(spec));
      const ours = mountContexts(pid);
      for (const mount of LABELLED_MOUNTS) expect(ours.get(mount), mount).toBe(MOUNT_LABEL);
      expect(ours).toEqual(mountContexts(runcPid));
      for (const path of ['/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/tmp']) {
        expect(fileLabel(`/proc/${pid}/root${path}`), path).toBe(MOUNT_LABEL);
        expect(fileLabel(`/proc/${runcPid}/root${path}`), `runc: ${path}`).toBe(MOUNT_LABEL);
      }
    });

    it('files made inside a labelled tmpfs carry the label', () => {
      const spec = withLabels(['sh', '-c', 'echo x > /tmp/made && sleep 1000'], { mount: MOUNT_LABEL });
      const id = sb.create(spec);
      sb.ok(['start', id]);
      const made = `/proc/${sb.state(id).pid}/root/tmp/made`;
      for (let i = 0; i < 200 && spawnSync('test', ['-e', made]).status !== 0; i++) spawnSync('sleep', ['0.1']);
      expect(fileLabel(made)).toBe(MOUNT_LABEL);
    });

    it('a context the policy does not know fails create with a one-line error naming the field, nothing left', () => {
      const spec = withLabels(['true'], { mount: 'system_u:object_r:no_such_type_t:s0' });
      expect(sb.refusedCreate(spec)).toMatch(/linux\.mountLabel: \\?"system_u:object_r:no_such_type_t:s0\\?" is not a context of the loaded SELinux policy/);
      // runc refuses it too, from the first mount that takes the option.
      const theirs = runcRun(sb.bundle(spec));
      expect(theirs.status).not.toBe(0);
      console.info(`runc, unknown mountLabel: ${theirs.stderr.trim()}`);
    });
  });

  describe('exec --process-label', () => {
    it('gives the exec\'d process that context; an exec without it inherits the container\'s, as under runc', () => {
      const spec = withLabels(['sleep', '1000'], { process: PROCESS_LABEL });
      const id = sb.create(spec);
      sb.ok(['start', id]);
      const cat = ['cat', '/proc/self/attr/current'];
      expect(sb.ok(['exec', '--process-label', EXEC_LABEL, id, ...cat]).replace(/\0/g, '')).toBe(EXEC_LABEL);
      expect(sb.ok(['exec', id, ...cat]).replace(/\0/g, '')).toBe(PROCESS_LABEL);

      runc.create(sb.bundle(spec));
      const rid = spawnSync('runc', ['--root', runc.root, 'list', '-q'], { encoding: 'utf8' }).stdout.trim();
      expect(runc.run(['start', rid]).status).toBe(0);
      const out = join(sb.dir, uniqueId('runc-exec'));
      expect(runc.run(['exec', '--process-label', EXEC_LABEL, rid, ...cat], out).status).toBe(0);
      expect(readFileSync(out, 'utf8').replace(/\0/g, '')).toBe(EXEC_LABEL);
      expect(runc.run(['exec', rid, ...cat], out).status).toBe(0);
      expect(readFileSync(out, 'utf8').replace(/\0/g, '')).toBe(PROCESS_LABEL);
    });

    it('an unknown context fails the exec with the error naming the field; the container runs on', () => {
      const id = sb.create(withLabels(['sleep', '1000'], { process: PROCESS_LABEL }));
      sb.ok(['start', id]);
      const r = sb.run(['exec', '--process-label', 'system_u:system_r:no_such_type_t:s0', id, 'true']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/process\.selinuxLabel: \\?"system_u:system_r:no_such_type_t:s0\\?" is not a context of the loaded SELinux policy/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(sb.state(id).status).toBe('running');
    });
  });

  it('features reports SELinux support, as runc\'s does', () => {
    const ours = JSON.parse(sb.ok(['features'])) as { linux?: { selinux?: { enabled?: boolean } } };
    expect(ours.linux?.selinux?.enabled).toBe(true);
    const theirs = spawnSync('runc', ['features'], { encoding: 'utf8' });
    expect(theirs.status, theirs.stderr).toBe(0);
    expect((JSON.parse(theirs.stdout) as typeof ours).linux?.selinux?.enabled).toBe(true);
  });
});
