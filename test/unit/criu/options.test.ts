import { describe, expect, it } from 'vitest';
import { criuConfigFile, RUNC_CRIU_CONFIG } from '../../../src/criu/config-file.js';
import { cgroupBinds, dumpRequest, inheritedPipes, pageServer, parseCriuVersion, restoreRequest, type CommonCriuFlags, type DumpFlags } from '../../../src/criu/options.js';
import type { Spec } from '../../../src/spec/types.js';
import { baseSpec } from '../../support/ocirun.js';

function withMounts(): Spec {
  const spec = baseSpec(['sh']);
  spec.mounts = [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'rw'] },
    { destination: '/etc/hosts', source: '/var/lib/hosts', options: ['bind', 'ro'] },
    { destination: '/tmp', type: 'tmpfs', source: 'tmpfs' },
  ];
  return spec;
}

const DUMP: DumpFlags = {
  imagePath: '/img', workPath: '/work', tcpEstablished: false, extUnixSk: false, shellJob: false, fileLocks: false,
  leaveRunning: false, preDump: false, emptyNs: [], autoDedup: false, lazyPages: false,
};

const COMMON: CommonCriuFlags = { imagePath: '/img', workPath: '/img', tcpEstablished: false, extUnixSk: false, shellJob: false, fileLocks: false, emptyNs: [], autoDedup: false, lazyPages: false };

describe('dumpRequest', () => {
  it('declares bind mounts and /dev/null masks external, by destination, and freezes through the cgroup', () => {
    const { type, opts } = dumpRequest(withMounts(), { pid: 42, root: '/b/rootfs', freezeCgroup: '/sys/fs/cgroup/c1', maskedFiles: ['/proc/kcore'] }, DUMP);
    expect(type).toBe('DUMP');
    expect(opts).toMatchObject({ pid: 42, root: '/b/rootfs', logFile: 'dump.log', logLevel: 4 });
    expect(opts?.external).toEqual(['mnt[/data]:/data', 'mnt[/etc/hosts]:/etc/hosts', 'mnt[/proc/kcore]:/dev/null']);
    expect(opts?.freezeCgroup).toBe('/sys/fs/cgroup/c1');
    expect(opts?.manageCgroupsMode).toBe('SOFT');
    // A terminal's pty master lives outside (at the console socket's receiver); notifications come over the socket.
    expect(opts).toMatchObject({ orphanPtsMaster: true, notifyScripts: true });
    expect(opts?.leaveRunning).toBeUndefined();
  });

  it('maps runc flags one to one', () => {
    const { opts } = dumpRequest(baseSpec(), { pid: 1, root: '/r', maskedFiles: [] }, {
      ...DUMP, tcpEstablished: true, extUnixSk: true, shellJob: true, fileLocks: true, leaveRunning: true, autoDedup: true,
      emptyNs: ['network'], manageCgroupsMode: 'ignore', parentPath: '../pre', configFile: '/etc/criu/x.conf',
    });
    expect(opts).toMatchObject({
      tcpEstablished: true, extUnixSk: true, shellJob: true, fileLocks: true, leaveRunning: true, autoDedup: true, trackMem: true,
      manageCgroupsMode: 'IGNORE', emptyNs: 0x40000000, parentImg: '../pre', configFile: '/etc/criu/x.conf',
    });
  });

  it('refuses an --empty-ns CRIU cannot make empty, by flag', () => {
    expect(() => dumpRequest(baseSpec(), { pid: 1, root: '/r', maskedFiles: [] }, { ...DUMP, emptyNs: ['mount'] })).toThrow(/--empty-ns: expected one of network, got "mount"/);
  });

  it('a pre-dump tracks memory and leaves the container alone', () => {
    const { type, opts } = dumpRequest(withMounts(), { pid: 1, root: '/r', freezeCgroup: '/cg', maskedFiles: [] }, { ...DUMP, preDump: true, leaveRunning: true });
    expect(type).toBe('PRE_DUMP');
    expect(opts?.trackMem).toBe(true);
    expect(opts?.leaveRunning).toBeUndefined();
    expect(opts?.external).toBeUndefined();
    expect(opts?.logFile).toBe('pre-dump.log');
  });

  it('lazy pages with a page server', () => {
    const { opts } = dumpRequest(baseSpec(), { pid: 1, root: '/r', maskedFiles: [] }, { ...DUMP, lazyPages: true, pageServer: '10.0.0.1:27', statusFd: 5 });
    expect(opts).toMatchObject({ lazyPages: true, ps: { address: '10.0.0.1', port: 27 } });
  });
});

describe('pageServer', () => {
  it('refuses a value without a port, naming the flag', () => {
    expect(() => pageServer('10.0.0.1')).toThrow(/--page-server: expected ADDRESS:PORT/);
    expect(() => pageServer('host:99999')).toThrow(/--page-server/);
    expect(pageServer('[::1]:80')).toEqual({ address: '[::1]', port: 80 });
  });
});

describe('restoreRequest', () => {
  it('maps each bind destination back to its source, /dev/null for masks, and hands the stdio pipes back', () => {
    const { type, opts } = restoreRequest(withMounts(), {
      root: '/run/x/criu-root', cgroupRoots: { '': '/ocirun/c1', memory: '/m/c1' },
      inheritFds: [{ fd: 1, key: 'pipe:[77]' }], hasMaskedFiles: true, lsmProfile: 'apparmor:p',
    }, { ...COMMON, tcpEstablished: true });
    expect(type).toBe('RESTORE');
    expect(opts).toMatchObject({ root: '/run/x/criu-root', rstSibling: true, evasiveDevices: true, tcpEstablished: true, lsmProfile: 'apparmor:p', logFile: 'restore.log', orphanPtsMaster: true });
    expect(opts?.external).toEqual(['mnt[/data]:/srv/data', 'mnt[/etc/hosts]:/var/lib/hosts', 'mnt[/dev/null]:/dev/null']);
    expect(opts?.inheritFd).toEqual([{ key: 'pipe:[77]', fd: 1 }]);
    expect(opts?.cgRoot).toEqual([{ path: '/ocirun/c1' }, { ctrl: 'memory', path: '/m/c1' }]);
    expect(opts).not.toHaveProperty('lazyPages');
    expect(opts).not.toHaveProperty('emptyNs');
    expect(opts).not.toHaveProperty('autoDedup');
  });

  it('passes --lazy-pages, --auto-dedup and --empty-ns network on as runc\'s restore does', () => {
    const target = { root: '/r', cgroupRoots: {}, inheritFds: [], hasMaskedFiles: false };
    const { opts } = restoreRequest(baseSpec(), target, { ...COMMON, lazyPages: true, autoDedup: true, emptyNs: ['network'] });
    expect(opts).toMatchObject({ lazyPages: true, autoDedup: true, emptyNs: 0x40000000 });
    expect(() => restoreRequest(baseSpec(), target, { ...COMMON, emptyNs: ['pid'] })).toThrow(/--empty-ns: expected one of network, got "pid"/);
  });
});

describe('inheritedPipes and parseCriuVersion', () => {
  it('hands back only pipes among fds 0-2', () => {
    expect(inheritedPipes(['/dev/null', 'pipe:[5]', 'pipe:[6]', 'pipe:[7]'])).toEqual([{ fd: 1, key: 'pipe:[5]' }, { fd: 2, key: 'pipe:[6]' }]);
  });

  it('reads `criu --version` as runc numbers it', () => {
    expect(parseCriuVersion('Version: 3.17.1\n')).toBe(31701);
    expect(parseCriuVersion('Version: 4.0\nGitID: v4.0\n')).toBe(40000);
    expect(parseCriuVersion('criu: unknown option')).toBeUndefined();
  });
});

describe('criuConfigFile (org.criu.config)', () => {
  const none = (): boolean => false;
  it('takes the annotation\'s file, none for an empty value, runc.conf when absent and present', () => {
    const spec = baseSpec();
    expect(criuConfigFile(spec, none)).toBeUndefined();
    expect(criuConfigFile(spec, (p) => p === RUNC_CRIU_CONFIG)).toBe(RUNC_CRIU_CONFIG);
    spec.annotations = { 'org.criu.config': '' };
    expect(criuConfigFile(spec, () => true)).toBeUndefined();
    spec.annotations = { 'org.criu.config': '/etc/criu/mine.conf' };
    expect(criuConfigFile(spec, () => true)).toBe('/etc/criu/mine.conf');
    expect(() => criuConfigFile(spec, none)).toThrow(/annotations\["org.criu.config"\]: the CRIU configuration file "\/etc\/criu\/mine.conf" does not exist/);
  });
});

describe('cgroupBinds', () => {
  it('names the cgroup mount on v2, each hierarchy below it on v1, nothing with a joined cgroup namespace', () => {
    const spec = baseSpec();
    expect(cgroupBinds(spec, 'unified')).toEqual(['/sys/fs/cgroup']);
    expect(cgroupBinds(spec, ['cpu,cpuacct', 'memory'])).toEqual(['/sys/fs/cgroup/cpu,cpuacct', '/sys/fs/cgroup/memory']);
    spec.linux = { ...spec.linux, namespaces: [{ type: 'cgroup', path: '/proc/1/ns/cgroup' }] };
    expect(cgroupBinds(spec, 'unified')).toEqual([]);
  });

  it('dump declares them external by destination, restore maps them to the new cgroup', () => {
    const dump = dumpRequest(baseSpec(), { pid: 1, root: '/r', maskedFiles: [], cgroupBinds: ['/sys/fs/cgroup'], externalNs: [{ type: 'network', inode: 4026532 }] }, DUMP);
    expect(dump.opts?.external).toEqual(['mnt[/sys/fs/cgroup]:/sys/fs/cgroup', 'net[4026532]:extRootNetNS']);
    const restore = restoreRequest(baseSpec(), { root: '/r', cgroupRoots: {}, inheritFds: [{ fd: 4, key: 'extRootNetNS' }], hasMaskedFiles: false, cgroupBinds: [{ destination: '/sys/fs/cgroup', source: '/sys/fs/cgroup/ocirun/c2' }] }, COMMON);
    expect(restore.opts?.external).toEqual(['mnt[/sys/fs/cgroup]:/sys/fs/cgroup/ocirun/c2']);
    expect(restore.opts?.inheritFd).toEqual([{ key: 'extRootNetNS', fd: 4 }]);
  });
});
