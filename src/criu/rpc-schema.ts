// The part of CRIU's RPC (images/rpc.proto, proto2) that checkpoint and restore use, as a
// protobufjs JSON descriptor: message and field names are ours, the field numbers, wire types
// and enum values are CRIU's. Fields left out are never sent, and unknown fields in CRIU's
// answers are skipped by the decoder.

/** criu_req_type. */
export const CRIU_REQ_TYPES = { EMPTY: 0, DUMP: 1, RESTORE: 2, CHECK: 3, PRE_DUMP: 4, NOTIFY: 6 } as const;
export type CriuReqType = keyof typeof CRIU_REQ_TYPES;

/** criu_cg_mode. */
export const CRIU_CG_MODES = { IGNORE: 0, CG_NONE: 1, PROPS: 2, SOFT: 3, FULL: 4, STRICT: 5, DEFAULT: 6 } as const;
export type CriuCgMode = keyof typeof CRIU_CG_MODES;

/** criu_opts, in our names. */
export interface CriuOpts {
  imagesDirFd: number;
  pid?: number;
  leaveRunning?: boolean;
  extUnixSk?: boolean;
  tcpEstablished?: boolean;
  evasiveDevices?: boolean;
  shellJob?: boolean;
  fileLocks?: boolean;
  logLevel?: number;
  logFile?: string;
  ps?: { address: string; port: number };
  notifyScripts?: boolean;
  root?: string;
  parentImg?: string;
  trackMem?: boolean;
  autoDedup?: boolean;
  workDirFd?: number;
  manageCgroups?: boolean;
  cgRoot?: Array<{ ctrl?: string; path: string }>;
  rstSibling?: boolean;
  inheritFd?: Array<{ key: string; fd: number }>;
  manageCgroupsMode?: CriuCgMode;
  external?: string[];
  emptyNs?: number;
  freezeCgroup?: string;
  lazyPages?: boolean;
  orphanPtsMaster?: boolean;
  configFile?: string;
  lsmProfile?: string;
  lsmMountContext?: string;
}

export interface CriuReq {
  type: CriuReqType;
  opts?: CriuOpts;
  notifySuccess?: boolean;
}

/** A request as built from the config and flags; the driver adds the directories it opens. */
export type CriuOptsWithoutDirs = Omit<CriuOpts, 'imagesDirFd' | 'workDirFd'>;
export interface CriuRequest {
  type: CriuReqType;
  opts: CriuOptsWithoutDirs;
}

export interface CriuResp {
  type: CriuReqType | number;
  success: boolean;
  dump?: { restored?: boolean };
  restore?: { pid: number };
  notify?: { script?: string; pid?: number };
  crErrno?: number;
  crErrmsg?: string;
}

type Field = { type: string; id: number; rule?: 'required' | 'repeated' };

const opt = (type: string, id: number): Field => ({ type, id });
const req = (type: string, id: number): Field => ({ type, id, rule: 'required' });
const rep = (type: string, id: number): Field => ({ type, id, rule: 'repeated' });

export const RPC_DESCRIPTOR = {
  nested: {
    CriuReqType: { values: CRIU_REQ_TYPES },
    CriuCgMode: { values: CRIU_CG_MODES },
    PageServerInfo: { fields: { address: opt('string', 1), port: opt('int32', 2) } },
    InheritFd: { fields: { key: req('string', 1), fd: req('int32', 2) } },
    CgroupRoot: { fields: { ctrl: opt('string', 1), path: req('string', 2) } },
    CriuOpts: {
      fields: {
        imagesDirFd: req('int32', 1),
        pid: opt('int32', 2),
        leaveRunning: opt('bool', 3),
        extUnixSk: opt('bool', 4),
        tcpEstablished: opt('bool', 5),
        evasiveDevices: opt('bool', 6),
        shellJob: opt('bool', 7),
        fileLocks: opt('bool', 8),
        logLevel: opt('int32', 9),
        logFile: opt('string', 10),
        ps: opt('PageServerInfo', 11),
        notifyScripts: opt('bool', 12),
        root: opt('string', 13),
        parentImg: opt('string', 14),
        trackMem: opt('bool', 15),
        autoDedup: opt('bool', 16),
        workDirFd: opt('int32', 17),
        manageCgroups: opt('bool', 24),
        cgRoot: rep('CgroupRoot', 25),
        rstSibling: opt('bool', 26),
        inheritFd: rep('InheritFd', 27),
        manageCgroupsMode: opt('CriuCgMode', 34),
        external: rep('string', 37),
        emptyNs: opt('uint32', 38),
        freezeCgroup: opt('string', 44),
        lazyPages: opt('bool', 48),
        orphanPtsMaster: opt('bool', 50),
        configFile: opt('string', 51),
        lsmProfile: opt('string', 53),
        lsmMountContext: opt('string', 63),
      },
    },
    DumpResp: { fields: { restored: opt('bool', 1) } },
    RestoreResp: { fields: { pid: req('int32', 1) } },
    Notify: { fields: { script: opt('string', 1), pid: opt('int32', 2) } },
    CriuReq: { fields: { type: req('CriuReqType', 1), opts: opt('CriuOpts', 2), notifySuccess: opt('bool', 3) } },
    CriuResp: {
      fields: {
        type: req('CriuReqType', 1),
        success: req('bool', 2),
        dump: opt('DumpResp', 3),
        restore: opt('RestoreResp', 4),
        notify: opt('Notify', 5),
        crErrno: opt('int32', 7),
        crErrmsg: opt('string', 9),
      },
    },
  },
};
