import { closeSync, constants, openSync, writeSync } from 'node:fs';

// runc-compatible logging: logrus text (`time="…" level=error msg="…"`) or JSON lines
// ({"level","msg","time"}), to --log PATH or stderr. podman reads the JSON file as one object
// per failed call, so a failure logs exactly one error line.

export type LogFormat = 'text' | 'json';
export type Level = 'debug' | 'info' | 'warning' | 'error';

export interface LogOptions {
  path?: string;
  format: LogFormat;
  debug: boolean;
}

function rfc3339Seconds(d: Date): string {
  return d.toISOString().slice(0, 19) + 'Z';
}

/** logrus quotes a text value only when it holds something beyond these characters. */
function textValue(value: string): string {
  return /^[A-Za-z0-9\-._/@^+]*$/.test(value) ? value : JSON.stringify(value);
}

/** Go's encoding/json escapes HTML characters and the JS line separators; logrus keeps that. */
function goJson(value: object): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function formatLine(format: LogFormat, level: Level, msg: string, now: Date): string {
  const time = rfc3339Seconds(now);
  if (format === 'json') return goJson({ level, msg, time }) + '\n';
  return `time=${textValue(time)} level=${level} msg=${textValue(msg)}\n`;
}

/** A FIFO given as --log without a reader fails the write (ENXIO) instead of blocking in open(). */
const APPEND_NONBLOCK = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NONBLOCK;

function appendLine(path: string, line: string): void {
  const fd = openSync(path, APPEND_NONBLOCK, 0o644);
  try {
    writeSync(fd, line);
  } finally {
    closeSync(fd);
  }
}

export class Logger {
  constructor(readonly opts: LogOptions) {}

  /** Whether log lines already go to stderr (then an error is not printed there twice). */
  get toStderr(): boolean {
    return this.opts.path === undefined;
  }

  log(level: Level, msg: string): void {
    if (level === 'debug' && !this.opts.debug) return;
    const line = formatLine(this.opts.format, level, msg, new Date());
    try {
      if (this.opts.path === undefined) writeSync(2, line);
      else appendLine(this.opts.path, line);
    } catch {
      // A log that cannot be written must not turn a success into a failure.
    }
  }

  debug(msg: string): void {
    this.log('debug', msg);
  }
  info(msg: string): void {
    this.log('info', msg);
  }
  warn(msg: string): void {
    this.log('warning', msg);
  }
  error(msg: string): void {
    this.log('error', msg);
  }
}
