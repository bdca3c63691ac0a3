// The init's filesystem work (init/rootfs.ts and what it calls) run against the recording fake:
// which mounts, in which order, with which flags and data, through which handles. The same
// effects on a real kernel are checked by conformance/mounts and the e2e suites.
import { describe, expect, it } from 'vitest';
import * as K from '../../../src/linux/constants.js';
import type { CgroupMounts } from '../../../src/init/cgroup-mount.js';
import { reopenDevNull } from '../../../src/init/dev-null.js';
import { makedev } from '../../../src/init/devices.js';
import { buildInitPlan, type InitPlan } from '../../../src/init/plan.js';
import { enterRoot, protectPaths, setupRootfs } from '../../../src/init/rootfs.js';
import { defaultSpec } from '../../../src/spec/default-config.js';
import type { Mount, Spec } from '../../../src/spec/types.js';
import { FakeSys, type Call } from '../../support/fake-sys.js';

const V2: CgroupMounts = { layout: { version: 2, hierarchies: [] } };
const ROOTFS = '/b/rootfs';

function planOf(spec: Spec, noPivot = false): InitPlan {
  return buildInitPlan(spec, { bundle: '/b', noPivot, noNewKeyring: false, preserveFds: 0, isDirectory: (p) => !p.endsWith('.txt') });
}

/** runc's `spec` config (cgroup v2 flavour, so its cgroup mount is one cgroup2 mount). */
function defaultPlan(noPivot = false): InitPlan {
  return planOf(defaultSpec({ rootless: false, cgroupV2: true }), noPivot);
}

function withMounts(mounts: Mount[], extra: Partial<Spec['linux']> = {}): InitPlan {
  return planOf({
    ociVersion: '1.2.0',
    root: { path: 'rootfs' },
    process: { cwd: '/', args: ['sh'] },
    mounts,
    linux: { namespaces: [{ type: 'mount' }], ...extra },
  });
}

function runAll(sys: FakeSys, plan: InitPlan): void {
  setupRootfs(sys, plan, V2, []);
  enterRoot(sys, plan);
  protectPaths(sys, plan);
}

const mountsOf = (sys: FakeSys): Call[] => sys.only('mount');

describe('the default config (runc spec), mount by mount', () => {
  it('makes / a slave, binds the rootfs onto itself, then mounts config.json "mounts" in order, each through a handle inside the rootfs', () => {
    const sys = new FakeSys();
    setupRootfs(sys, defaultPlan(), V2, []);
    const nosuidNodevNoexec = K.MS_NOSUID | K.MS_NODEV | K.MS_NOEXEC;
    expect(mountsOf(sys)).toEqual([
      ['mount', null, '/', null, K.MS_SLAVE | K.MS_REC, null],
      ['mount', ROOTFS, ROOTFS, null, K.MS_BIND | K.MS_REC, null],
      ['mount', 'proc', `fd:${ROOTFS}/proc`, 'proc', 0, null],
      ['mount', 'tmpfs', `fd:${ROOTFS}/dev`, 'tmpfs', K.MS_NOSUID | K.MS_STRICTATIME, 'mode=755,size=65536k'],
      ['mount', 'devpts', `fd:${ROOTFS}/dev/pts`, 'devpts', K.MS_NOSUID | K.MS_NOEXEC, 'newinstance,ptmxmode=0666,mode=0620,gid=5'],
      ['mount', 'shm', `fd:${ROOTFS}/dev/shm`, 'tmpfs', nosuidNodevNoexec, 'mode=1777,size=65536k'],
      ['mount', 'mqueue', `fd:${ROOTFS}/dev/mqueue`, 'mqueue', nosuidNodevNoexec, null],
      ['mount', 'sysfs', `fd:${ROOTFS}/sys`, 'sysfs', nosuidNodevNoexec | K.MS_RDONLY, null],
      ['mount', 'cgroup2', `fd:${ROOTFS}/sys/fs/cgroup`, 'cgroup2', nosuidNodevNoexec | K.MS_RDONLY | K.MS_RELATIME, null],
    ]);
    expect(sys.openFds()).toEqual([]);
  });

  it('resolves every mount destination inside the rootfs (openat2 RESOLVE_IN_ROOT, no magic links)', () => {
    const sys = new FakeSys();
    setupRootfs(sys, defaultPlan(), V2, []);
    const lookups = sys.only('openat2');
    expect(lookups.length).toBeGreaterThan(0);
    for (const [, dirfd, , , resolve] of lookups) {
      expect(dirfd).toBe(`fd:${ROOTFS}`);
      expect(resolve).toBe(K.RESOLVE_IN_ROOT | K.RESOLVE_NO_MAGICLINKS);
    }
  });

  it('makes the default devices with mknod, owned by root, then the /dev symlinks, after the mounts', () => {
    const sys = new FakeSys();
    setupRootfs(sys, defaultPlan(), V2, []);
    const chr = K.S_IFCHR | 0o666;
    expect(sys.only('mknodat')).toEqual([
      ['mknodat', `fd:${ROOTFS}/dev`, 'null', chr, makedev(1, 3)],
      ['mknodat', `fd:${ROOTFS}/dev`, 'zero', chr, makedev(1, 5)],
      ['mknodat', `fd:${ROOTFS}/dev`, 'full', chr, makedev(1, 7)],
      ['mknodat', `fd:${ROOTFS}/dev`, 'random', chr, makedev(1, 8)],
      ['mknodat', `fd:${ROOTFS}/dev`, 'urandom', chr, makedev(1, 9)],
      ['mknodat', `fd:${ROOTFS}/dev`, 'tty', chr, makedev(5, 0)],
    ]);
    expect(sys.only('fchownat').map((c) => c.slice(2))).toEqual(['null', 'zero', 'full', 'random', 'urandom', 'tty'].map((n) => [n, 0, 0, K.AT_SYMLINK_NOFOLLOW]));
    expect(sys.only('symlinkat')).toEqual([
      ['symlinkat', '/proc/self/fd', `fd:${ROOTFS}/dev`, 'fd'],
      ['symlinkat', '/proc/self/fd/0', `fd:${ROOTFS}/dev`, 'stdin'],
      ['symlinkat', '/proc/self/fd/1', `fd:${ROOTFS}/dev`, 'stdout'],
      ['symlinkat', '/proc/self/fd/2', `fd:${ROOTFS}/dev`, 'stderr'],
      ['symlinkat', 'pts/ptmx', `fd:${ROOTFS}/dev`, 'ptmx'],
    ]);
    const names = sys.calls.map(([name]) => name);
    expect(names.indexOf('mknodat')).toBeGreaterThan(names.lastIndexOf('mount'));
  });

  it('after pivot_root: masks, then read-only paths, then the read-only root, and leaves no fd open', () => {
    const sys = new FakeSys();
    sys.files.add('/proc/kcore');
    const plan = defaultPlan();
    runAll(sys, plan);
    const all = mountsOf(sys);
    const pivot = sys.calls.findIndex(([name]) => name === 'pivot_root');
    const afterPivot = sys.calls.slice(pivot).filter(([name]) => name === 'mount');
    const isMask = ([, source]: Call): boolean => source === 'tmpfs' || source === 'fd:/dev/null';
    const isReadonlyBind = ([, source, target]: Call): boolean => source !== null && source === target;
    expect(afterPivot.filter(isMask).map(([, , target]) => target)).toEqual(plan.maskedPaths.map((p) => `fd:${p}`));
    expect(afterPivot.filter(isReadonlyBind).map(([, , target]) => target)).toEqual(plan.readonlyPaths.map((p) => `fd:${p}`));
    expect(afterPivot.findLastIndex(isMask)).toBeLessThan(afterPivot.findIndex(isReadonlyBind));
    expect(all.at(-1)).toEqual(['mount', null, 'fd:/', null, K.MS_BIND | K.MS_REMOUNT | K.MS_RDONLY | K.MS_REC, null]);
    expect(sys.openFds()).toEqual([]);
  });
});

describe('switching root', () => {
  it('pivot_root(".", "."), then the old root made a slave and detached', () => {
    const sys = new FakeSys();
    enterRoot(sys, defaultPlan());
    expect(sys.calls).toEqual([
      ['open', '/', K.O_DIRECTORY | K.O_RDONLY | K.O_CLOEXEC, 0],
      ['open', ROOTFS, K.O_DIRECTORY | K.O_RDONLY | K.O_CLOEXEC, 0],
      ['fchdir', `fd:${ROOTFS}`],
      ['pivot_root', '.', '.'],
      ['fchdir', 'fd:/'],
      ['mount', null, '.', null, K.MS_SLAVE | K.MS_REC, null],
      ['umount2', '.', K.MNT_DETACH],
      ['chdir', '/'],
      ['close', 'fd:/'],
      ['close', `fd:${ROOTFS}`],
    ]);
  });

  it('--no-pivot: moves the rootfs over / and chroots, no pivot_root', () => {
    const sys = new FakeSys();
    enterRoot(sys, defaultPlan(true));
    expect(sys.calls).toEqual([
      ['chdir', ROOTFS],
      ['mount', ROOTFS, '/', null, K.MS_MOVE, null],
      ['chroot', '.'],
      ['chdir', '/'],
    ]);
  });

  it('without a mount namespace: only a chroot, no mount at all', () => {
    const sys = new FakeSys();
    const plan = planOf({ ociVersion: '1.2.0', root: { path: 'rootfs' }, process: { cwd: '/', args: ['sh'] }, linux: { namespaces: [{ type: 'pid' }] } });
    setupRootfs(sys, plan, V2, []);
    enterRoot(sys, plan);
    expect(sys.only('mount', 'pivot_root', 'mknodat', 'symlinkat')).toEqual([]);
    expect(sys.only('chroot')).toEqual([['chroot', '.']]);
  });

  it('rootfsPropagation is applied to the new / after the switch', () => {
    const sys = new FakeSys();
    const plan = withMounts([], { rootfsPropagation: 'shared' });
    enterRoot(sys, plan);
    expect(sys.calls.at(-1)).toEqual(['mount', null, '/', null, K.MS_SHARED, null]);
    expect(sys.calls.findIndex(([n]) => n === 'umount2')).toBeLessThan(sys.calls.length - 1);
  });
});

describe('masked and read-only paths', () => {
  it('a masked directory gets a read-only tmpfs (with the mountLabel data); a masked file the real /dev/null, bound then remounted read-only', () => {
    const sys = new FakeSys();
    sys.files.add('/proc/kcore');
    sys.mountFlags.set('/proc/kcore', K.MS_NOSUID | K.MS_NOEXEC);
    const plan = withMounts([], { maskedPaths: ['/proc/acpi', '/proc/kcore'] });
    plan.maskData = 'context="system_u:object_r:container_file_t:s0"';
    protectPaths(sys, plan);
    expect(mountsOf(sys)).toEqual([
      ['mount', 'tmpfs', 'fd:/proc/acpi', 'tmpfs', K.MS_RDONLY, plan.maskData],
      ['mount', 'fd:/dev/null', 'fd:/proc/kcore', null, K.MS_BIND, null],
      ['mount', null, 'fd:/proc/kcore', null, K.MS_BIND | K.MS_REMOUNT | K.MS_RDONLY | K.MS_REC | K.MS_NOSUID | K.MS_NOEXEC, null],
    ]);
    // /dev/null is opened without following a symlink and checked to be 1:3 before any bind.
    expect(sys.only('open')).toContainEqual(['open', '/dev/null', K.O_PATH | K.O_NOFOLLOW | K.O_CLOEXEC, 0]);
    expect(sys.openFds()).toEqual([]);
  });

  it('checks that /proc is procfs before masking anything', () => {
    const sys = new FakeSys();
    protectPaths(sys, withMounts([], { maskedPaths: ['/proc/acpi'] }));
    const names = sys.calls.map(([n]) => n);
    expect(names.indexOf('fstatfs')).toBeLessThan(names.indexOf('mount'));
    expect(sys.calls[names.indexOf('fstatfs')]).toEqual(['fstatfs', 'fd:/proc/self/fd']);
  });

  it('a path missing from the rootfs is skipped, not an error', () => {
    const sys = new FakeSys();
    sys.missing.add('/proc/scsi');
    protectPaths(sys, withMounts([], { maskedPaths: ['/proc/scsi'], readonlyPaths: ['/proc/scsi'] }));
    expect(mountsOf(sys)).toEqual([]);
  });

  it('a read-only path is bound onto itself, recursively, then remounted read-only keeping its locked flags', () => {
    const sys = new FakeSys();
    sys.mountFlags.set('/proc/sys', K.MS_NODEV | K.MS_RELATIME);
    protectPaths(sys, withMounts([], { readonlyPaths: ['/proc/sys'] }));
    expect(mountsOf(sys)).toEqual([
      ['mount', 'fd:/proc/sys', 'fd:/proc/sys', null, K.MS_BIND | K.MS_REC, null],
      ['mount', null, 'fd:/proc/sys', null, K.MS_BIND | K.MS_REMOUNT | K.MS_RDONLY | K.MS_REC | K.MS_NODEV | K.MS_RELATIME, null],
    ]);
  });

  it('root.readonly remounts / read-only, after the masks, keeping the flags it has', () => {
    const sys = new FakeSys();
    sys.mountFlags.set('/', K.MS_NOSUID);
    const plan = withMounts([], { maskedPaths: ['/proc/acpi'] });
    plan.readonlyRoot = true;
    protectPaths(sys, plan);
    expect(mountsOf(sys)).toEqual([
      ['mount', 'tmpfs', 'fd:/proc/acpi', 'tmpfs', K.MS_RDONLY, null],
      ['mount', null, 'fd:/', null, K.MS_BIND | K.MS_REMOUNT | K.MS_RDONLY | K.MS_REC | K.MS_NOSUID, null],
    ]);
    expect(sys.only('open').at(-1)).toEqual(['open', '/', K.O_PATH | K.O_NOFOLLOW | K.O_CLOEXEC, 0]);
  });

  it('no root.readonly: / is not remounted', () => {
    const sys = new FakeSys();
    protectPaths(sys, withMounts([]));
    expect(sys.calls).toEqual([]);
  });
});

describe('bind mounts', () => {
  it('a read-only bind is bound first, then remounted with its flags (the kernel ignores them on the bind itself)', () => {
    const sys = new FakeSys();
    setupRootfs(sys, withMounts([{ destination: '/data', type: 'bind', source: '/host/data', options: ['rbind', 'ro', 'nosuid'] }]), V2, []);
    expect(mountsOf(sys).slice(2)).toEqual([
      ['mount', '/host/data', `fd:${ROOTFS}/data`, null, K.MS_BIND | K.MS_REC, null],
      ['mount', null, `fd:${ROOTFS}/data`, null, K.MS_BIND | K.MS_REMOUNT | K.MS_RDONLY | K.MS_NOSUID, null],
    ]);
  });

  it('a remount refused with EPERM (locked flags in a user namespace) is asked again with the flags the mount has', () => {
    const sys = new FakeSys();
    sys.mountFlags.set(`${ROOTFS}/data`, K.MS_NODEV | K.MS_NOEXEC);
    let first = true;
    sys.fail('mount', 'EPERM', (args) => {
      const refuse = first && ((args[3] as number) & K.MS_REMOUNT) !== 0;
      if (refuse) first = false;
      return refuse;
    });
    setupRootfs(sys, withMounts([{ destination: '/data', type: 'bind', source: '/host/data', options: ['bind', 'ro'] }]), V2, []);
    const remounts = mountsOf(sys).filter(([, , , , flags]) => ((flags as number) & K.MS_REMOUNT) !== 0);
    expect(remounts).toEqual([
      ['mount', null, `fd:${ROOTFS}/data`, null, K.MS_BIND | K.MS_REMOUNT | K.MS_RDONLY, null],
      ['mount', null, `fd:${ROOTFS}/data`, null, K.MS_BIND | K.MS_REMOUNT | K.MS_RDONLY | K.MS_NODEV | K.MS_NOEXEC, null],
    ]);
  });

  it('propagation options follow the bind, each as its own mount call', () => {
    const sys = new FakeSys();
    setupRootfs(sys, withMounts([{ destination: '/data', type: 'bind', source: '/host/data', options: ['rbind', 'rprivate'] }]), V2, []);
    expect(mountsOf(sys).slice(2)).toEqual([
      ['mount', '/host/data', `fd:${ROOTFS}/data`, null, K.MS_BIND | K.MS_REC, null],
      ['mount', null, `fd:${ROOTFS}/data`, null, K.MS_PRIVATE | K.MS_REC, null],
    ]);
  });

  it('a missing destination is created inside the rootfs: directories, and an empty file for a file source', () => {
    const sys = new FakeSys();
    sys.missing.add(`${ROOTFS}/etc/app`);
    setupRootfs(sys, withMounts([{ destination: '/etc/app/conf.txt', type: 'bind', source: '/host/conf.txt', options: ['bind'] }]), V2, []);
    expect(sys.only('mkdirat', 'openat')).toEqual([
      ['mkdirat', `fd:${ROOTFS}/etc`, 'app', 0o755],
      ['openat', `fd:${ROOTFS}/etc/app`, 'conf.txt', K.O_CREAT | K.O_EXCL | K.O_WRONLY | K.O_NOFOLLOW | K.O_CLOEXEC, 0o644],
    ]);
    expect(mountsOf(sys).at(-1)).toEqual(['mount', '/host/conf.txt', `fd:${ROOTFS}/etc/app/conf.txt`, null, K.MS_BIND, null]);
    expect(sys.openFds()).toEqual([]);
  });
});

describe('special mounts', () => {
  const V1: CgroupMounts = {
    layout: {
      version: 1,
      hierarchies: [
        { name: 'cpu,cpuacct', options: 'cpu,cpuacct', mountPoint: '/sys/fs/cgroup/cpu,cpuacct', root: '/' },
        { name: 'memory', options: 'memory', mountPoint: '/sys/fs/cgroup/memory', root: '/' },
      ],
    },
  };
  const cgroupMount: Mount = { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'ro'] };
  const locked = K.MS_NOSUID | K.MS_NODEV | K.MS_NOEXEC;

  it('cgroup v1: a tmpfs with one cgroup mount per hierarchy, links for co-mounted controllers, then the tmpfs made read-only', () => {
    const sys = new FakeSys();
    setupRootfs(sys, withMounts([cgroupMount]), V1, []);
    const cg = `${ROOTFS}/sys/fs/cgroup`;
    expect(mountsOf(sys).slice(2)).toEqual([
      ['mount', 'tmpfs', `fd:${cg}`, 'tmpfs', locked, 'mode=755'],
      ['mount', 'cgroup', `fd:${cg}/cpu,cpuacct`, 'cgroup', locked | K.MS_RDONLY, 'cpu,cpuacct'],
      ['mount', 'cgroup', `fd:${cg}/memory`, 'cgroup', locked | K.MS_RDONLY, 'memory'],
      ['mount', null, `fd:${cg}`, null, K.MS_REMOUNT | K.MS_BIND | K.MS_RDONLY | locked, null],
    ]);
    expect(sys.only('symlinkat').slice(0, 2)).toEqual([
      ['symlinkat', 'cpu,cpuacct', `fd:${cg}`, 'cpu'],
      ['symlinkat', 'cpu,cpuacct', `fd:${cg}`, 'cpuacct'],
    ]);
  });

  it('cgroup v1 outside a cgroup namespace: the container\'s own directories are bound and remounted with the flags', () => {
    const sys = new FakeSys();
    setupRootfs(sys, withMounts([cgroupMount]), { ...V1, bindSources: ['/sys/fs/cgroup/cpu,cpuacct/c1', '/sys/fs/cgroup/memory/c1'] }, []);
    const cg = `${ROOTFS}/sys/fs/cgroup`;
    expect(mountsOf(sys).slice(3, 7)).toEqual([
      ['mount', '/sys/fs/cgroup/cpu,cpuacct/c1', `fd:${cg}/cpu,cpuacct`, null, K.MS_BIND | K.MS_REC, null],
      ['mount', null, `fd:${cg}/cpu,cpuacct`, null, K.MS_BIND | K.MS_REMOUNT | locked | K.MS_RDONLY, null],
      ['mount', '/sys/fs/cgroup/memory/c1', `fd:${cg}/memory`, null, K.MS_BIND | K.MS_REC, null],
      ['mount', null, `fd:${cg}/memory`, null, K.MS_BIND | K.MS_REMOUNT | locked | K.MS_RDONLY, null],
    ]);
  });

  it('sysfs refused (EPERM: the network namespace is not ours, rootless) falls back to the host /sys bound read-only', () => {
    const sys = new FakeSys();
    sys.fail('mount', 'EPERM', (args) => args[2] === 'sysfs');
    setupRootfs(sys, withMounts([{ destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev'] }]), V2, []);
    expect(mountsOf(sys).slice(2)).toEqual([
      ['mount', 'sysfs', `fd:${ROOTFS}/sys`, 'sysfs', locked, null],
      ['mount', '/sys', `fd:${ROOTFS}/sys`, null, K.MS_BIND | K.MS_REC, null],
      ['mount', null, `fd:${ROOTFS}/sys`, null, K.MS_BIND | K.MS_REMOUNT | locked | K.MS_RDONLY, null],
    ]);
  });

  it('an idmapped bind attaches the detached copy with move_mount instead of mount(2), and closes it', () => {
    const sys = new FakeSys();
    const detached = sys.open('/host/data', K.O_PATH);
    sys.calls.length = 0;
    setupRootfs(sys, withMounts([{ destination: '/data', type: 'bind', source: '/host/data', options: ['rbind'] }]), V2, [detached]);
    expect(sys.only('move_mount')).toEqual([['move_mount', 'fd:/host/data', '', `fd:${ROOTFS}/data`, '', 0x4 | 0x40]]);
    expect(mountsOf(sys)).toHaveLength(2);
    expect(sys.openFds()).toEqual([]);
  });

  it('linux.mountLabel: a context option for tmpfs and mqueue; no file label where mqueue takes it', () => {
    const sys = new FakeSys();
    const label = 'system_u:object_r:container_file_t:s0:c1,c2';
    setupRootfs(sys, withMounts(LABELLED, { mountLabel: label }), V2, []);
    expect(mountsOf(sys).slice(2)).toEqual([
      ['mount', 'tmpfs', `fd:${ROOTFS}/tmp`, 'tmpfs', 0, `context="${label}"`],
      ['mount', 'mqueue', `fd:${ROOTFS}/dev/mqueue`, 'mqueue', 0, `context="${label}"`],
    ]);
    expect(sys.only('setxattr')).toEqual([]);
  });

  it('linux.mountLabel: mqueue refusing the option (the IPC namespace\'s superblock) is mounted without it and labelled with setxattr', () => {
    const label = 'system_u:object_r:container_file_t:s0:c1,c2';
    const sys = new FakeSys().fail('mount', 'EINVAL', (args) => args[2] === 'mqueue' && args[4] !== null);
    setupRootfs(sys, withMounts(LABELLED, { mountLabel: label }), V2, []);
    expect(mountsOf(sys).slice(3)).toEqual([
      ['mount', 'mqueue', `fd:${ROOTFS}/dev/mqueue`, 'mqueue', 0, `context="${label}"`],
      ['mount', 'mqueue', `fd:${ROOTFS}/dev/mqueue`, 'mqueue', 0, null],
    ]);
    expect(sys.only('setxattr')).toEqual([['setxattr', `fd:${ROOTFS}/dev/mqueue`, 'security.selinux', label]]);
  });
});

const LABELLED = [{ destination: '/tmp', type: 'tmpfs', source: 'tmpfs' }, { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue' }];

describe('devices', () => {
  it('a config device is made with mknod at its path, with its mode and owner', () => {
    const sys = new FakeSys();
    const plan = withMounts([], { devices: [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o600, uid: 1000, gid: 1000 }] });
    setupRootfs(sys, plan, V2, []);
    expect(sys.only('mknodat').at(-1)).toEqual(['mknodat', `fd:${ROOTFS}/dev`, 'fuse', K.S_IFCHR | 0o600, makedev(10, 229)]);
    expect(sys.only('fchownat').at(-1)).toEqual(['fchownat', `fd:${ROOTFS}/dev`, 'fuse', 1000, 1000, K.AT_SYMLINK_NOFOLLOW]);
  });

  it('where mknod is not allowed (EPERM: a user namespace), the host node is bind-mounted onto an empty file', () => {
    const sys = new FakeSys();
    sys.missing.add(`${ROOTFS}/dev/null`);
    sys.fail('mknodat', 'EPERM');
    setupRootfs(sys, withMounts([]), V2, []);
    expect(sys.only('openat').map(([, dir, name]) => `${dir as string}/${name as string}`)).toContain(`fd:${ROOTFS}/dev/null`);
    expect(mountsOf(sys)).toContainEqual(['mount', '/dev/null', `fd:${ROOTFS}/dev/null`, null, K.MS_BIND, null]);
    expect(sys.only('fchownat')).toEqual([]);
    expect(mountsOf(sys).filter(([, source]) => typeof source === 'string' && source.startsWith('/dev/'))).toHaveLength(6);
  });

  it('a fifo cannot be bound from the host: its EPERM is the error', () => {
    const sys = new FakeSys();
    sys.fail('mknodat', 'EPERM');
    const plan = withMounts([], { devices: [{ path: '/dev/myfifo', type: 'p' }] });
    plan.defaultDevices = false;
    expect(() => setupRootfs(sys, plan, V2, [])).toThrow(/mknodat\(.*"myfifo".*operation not permitted/);
  });

  it('a device already there (EEXIST) is left as it is', () => {
    const sys = new FakeSys();
    sys.fail('mknodat', 'EEXIST');
    setupRootfs(sys, withMounts([]), V2, []);
    expect(sys.only('fchownat')).toEqual([]);
    expect(mountsOf(sys)).toHaveLength(2);
  });
});

describe('errors name what failed', () => {
  it('a failing mount names its source and destination and the kernel reason', () => {
    const sys = new FakeSys();
    sys.fail('mount', 'ENODEV', (args) => args[2] === 'mqueue');
    expect(() => setupRootfs(sys, defaultPlan(), V2, [])).toThrow(/^mounting "mqueue" to rootfs at "\/dev\/mqueue": mount\(.*\): no such device$/);
    expect(sys.openFds()).toEqual([]);
  });

  it('a destination component that is a dangling symlink is named', () => {
    const sys = new FakeSys();
    sys.missing.add(`${ROOTFS}/data`);
    sys.fail('mkdirat', 'EEXIST');
    expect(() => setupRootfs(sys, withMounts([{ destination: '/data/x', type: 'tmpfs', source: 'tmpfs' }]), V2, [])).toThrow(
      '/data/x: component "data" is a dangling symlink inside the rootfs',
    );
  });

  it('a destination the kernel will not resolve inside the rootfs (a magic link: ELOOP) is an error naming it, and nothing is mounted there', () => {
    const sys = new FakeSys();
    sys.fail('openat2', 'ELOOP', (args) => args[1] === 'dev/shm');
    expect(() => setupRootfs(sys, defaultPlan(), V2, [])).toThrow(/^openat2\(.*"\/dev\/shm"\): too many symbolic links encountered$/);
    expect(mountsOf(sys).map(([, , target]) => target)).not.toContain(`fd:${ROOTFS}/dev/shm`);
    expect(sys.openFds()).toEqual([]);
  });

  it('a masked path that cannot be opened names the path', () => {
    const sys = new FakeSys();
    sys.fail('openat2', 'EACCES', (args) => args[1] === 'proc/kcore');
    expect(() => protectPaths(sys, withMounts([], { maskedPaths: ['/proc/kcore'] }))).toThrow(/^\/proc\/kcore: openat2\(.*"\/proc\/kcore"\): permission denied$/);
    expect(sys.openFds()).toEqual([]);
  });

  it('a /dev/null that is not the null device is refused before it masks anything', () => {
    const sys = new FakeSys();
    sys.files.add('/proc/kcore');
    sys.modes.set('/dev/null', { mode: K.S_IFREG | 0o644, rdev: 0 });
    const plan = withMounts([], { maskedPaths: ['/proc/kcore'] });
    expect(() => protectPaths(sys, plan)).toThrow('maskedPaths: /dev/null in the container is not the null device (1:3); refusing to mask with it');
    expect(mountsOf(sys)).toEqual([]);
  });

  it('an unmakeable cwd names process.cwd', () => {
    const sys = new FakeSys();
    sys.missing.add(`${ROOTFS}/work`);
    sys.fail('mkdirat', 'EROFS');
    const plan = withMounts([]);
    plan.cwd = '/work';
    expect(() => setupRootfs(sys, plan, V2, [])).toThrow(/^process\.cwd "\/work" cannot be made inside the container's root: mkdirat\(.*"work".*\): read-only file system$/);
  });
});

describe('stdio after the switch of root', () => {
  it('stdio that is a null device (the host\'s, an engine\'s usual stdin) is reopened onto the container\'s /dev/null; other stdio is left alone', () => {
    const sys = new FakeSys().given(0, '/host/dev/null').given(1, '/host/pipe').given(2, '/host/dev/null');
    sys.files.add('/host/pipe');
    reopenDevNull(sys);
    expect(sys.only('open', 'dup3')).toEqual([
      ['open', '/dev/null', K.O_RDWR | K.O_CLOEXEC, 0],
      ['dup3', 'fd:/dev/null', 0, 0],
      ['dup3', 'fd:/dev/null', 2, 0],
    ]);
    expect(sys.openFds()).toEqual(['/host/dev/null', '/host/pipe', '/host/dev/null']);
  });

  it('a container without /dev/null keeps its stdio', () => {
    const sys = new FakeSys().given(0, '/host/dev/null');
    sys.missing.add('/dev/null');
    reopenDevNull(sys);
    expect(sys.only('dup3')).toEqual([]);
  });
});
