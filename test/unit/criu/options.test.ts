import { describe, expect, it } from 'vitest';
import { criuConfigFile, RUNC_CRIU_CONFIG } from '../../../src/criu/config-file.js';
import { cgroupBinds, dumpArgs, inheritedPipes, pageServerArgs, parseCriuVersion, restoreArgs, type DumpFlags } from '../../../src/criu/options.js';
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

function pairs(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1] as string] : []));
}

describe('dumpArgs', () => {
  it('declares bind mounts and /dev/null masks external, by destination, and freezes through the cgroup', () => {
    const args = dumpArgs(withMounts(), { pid: 42, root: '/b/rootfs', freezeCgroup: '/sys/fs/cgroup/c1', maskedFiles: ['/proc/kcore'] }, DUMP);
    expect(args.slice(0, 5)).toEqual(['dump', '--tree', '42', '--root', '/b/rootfs']);
    expect(pairs(args, '--external')).toEqual(['mnt[/data]:/data', 'mnt[/etc/hosts]:/etc/hosts', 'mnt[/proc/kcore]:/dev/null']);
    expect(pairs(args, '--freeze-cgroup')).toEqual(['/sys/fs/cgroup/c1']);
    expect(args).toContain('--manage-cgroups=soft');
    expect(args).not.toContain('--leave-running');
  });

  it('maps runc flags one to one', () => {
    const args = dumpArgs(baseSpec(), { pid: 1, root: '/r', maskedFiles: [] }, {
      ...DUMP, tcpEstablished: true, extUnixSk: true, shellJob: true, fileLocks: true, leaveRunning: true, autoDedup: true,
      emptyNs: ['network'], manageCgroupsMode: 'ignore', parentPath: '../pre', configFile: '/etc/criu/x.conf',
    });
    for (const f of ['--tcp-established', '--ext-unix-sk', '--shell-job', '--file-locks', '--leave-running', '--auto-dedup', '--track-mem', '--manage-cgroups=ignore']) expect(args).toContain(f);
    expect(pairs(args, '--empty-ns')).toEqual(['net']);
    expect(pairs(args, '--prev-images-dir')).toEqual(['../pre']);
    expect(pairs(args, '--config')).toEqual(['/etc/criu/x.conf']);
  });

  it('a pre-dump tracks memory and leaves the container alone', () => {
    const args = dumpArgs(withMounts(), { pid: 1, root: '/r', freezeCgroup: '/cg', maskedFiles: [] }, { ...DUMP, preDump: true, leaveRunning: true });
    expect(args[0]).toBe('pre-dump');
    expect(args).toContain('--track-mem');
    expect(args).not.toContain('--leave-running');
    expect(args).not.toContain('--external');
    expect(pairs(args, '-o')).toEqual(['pre-dump.log']);
  });

  it('lazy pages with a page server and a status fd', () => {
    const args = dumpArgs(baseSpec(), { pid: 1, root: '/r', maskedFiles: [] }, { ...DUMP, lazyPages: true, pageServer: '10.0.0.1:27', statusFd: 5 });
    expect(args).toContain('--lazy-pages');
    expect(pairs(args, '--address')).toEqual(['10.0.0.1']);
    expect(pairs(args, '--port')).toEqual(['27']);
    expect(pairs(args, '--status-fd')).toEqual(['5']);
  });
});

describe('pageServerArgs', () => {
  it('refuses a value without a port, naming the flag', () => {
    expect(() => pageServerArgs('10.0.0.1')).toThrow(/--page-server: expected ADDRESS:PORT/);
    expect(() => pageServerArgs('host:99999')).toThrow(/--page-server/);
    expect(pageServerArgs('[::1]:80')).toEqual(['--address', '[::1]', '--port', '80']);
  });
});

describe('restoreArgs', () => {
  it('maps each bind destination back to its source, /dev/null for masks, and hands the stdio pipes back', () => {
    const args = restoreArgs(withMounts(), {
      root: '/run/x/criu-root', pidFile: '/run/x/pid', cgroupRoots: { '': '/ocirun/c1' },
      inheritFds: [{ fd: 1, key: 'pipe:[77]' }], hasMaskedFiles: true, lsmProfile: 'apparmor:p',
    }, { imagePath: '/img', workPath: '/img', tcpEstablished: true, extUnixSk: false, shellJob: false, fileLocks: false });
    expect(args.slice(0, 3)).toEqual(['restore', '--root', '/run/x/criu-root']);
    expect(pairs(args, '--external')).toEqual(['mnt[/data]:/srv/data', 'mnt[/etc/hosts]:/var/lib/hosts', 'mnt[/dev/null]:/dev/null']);
    expect(pairs(args, '--inherit-fd')).toEqual(['fd[1]:pipe:[77]']);
    expect(pairs(args, '--cgroup-root')).toEqual(['/ocirun/c1']);
    expect(pairs(args, '--pidfile')).toEqual(['/run/x/pid']);
    expect(pairs(args, '--lsm-profile')).toEqual(['apparmor:p']);
    for (const f of ['--restore-detached', '--restore-sibling', '--tcp-established']) expect(args).toContain(f);
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
    const dump = dumpArgs(baseSpec(), { pid: 1, root: '/r', maskedFiles: [], cgroupBinds: ['/sys/fs/cgroup'], externalNs: [{ type: 'network', inode: 4026532 }] }, DUMP);
    expect(pairs(dump, '--external')).toEqual(['mnt[/sys/fs/cgroup]:/sys/fs/cgroup', 'net[4026532]:extRootNetNS']);
    const restore = restoreArgs(baseSpec(), { root: '/r', pidFile: '/p', cgroupRoots: {}, inheritFds: [{ fd: 3, key: 'extRootNetNS' }], hasMaskedFiles: false, cgroupBinds: [{ destination: '/sys/fs/cgroup', source: '/sys/fs/cgroup/ocirun/c2' }] },
      { imagePath: '/i', workPath: '/i', tcpEstablished: false, extUnixSk: false, shellJob: false, fileLocks: false });
    expect(pairs(restore, '--external')).toEqual(['mnt[/sys/fs/cgroup]:/sys/fs/cgroup/ocirun/c2']);
    expect(pairs(restore, '--inherit-fd')).toEqual(['fd[3]:extRootNetNS']);
  });
});
