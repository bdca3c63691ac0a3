import * as K from '../linux/constants.js';
import { close, dup3, fchownat, ioctl, ioctlPtr, mount, open } from '../linux/libc.js';
import { sendFds } from '../linux/scm.js';
import { linuxSys } from '../linux/sys.js';
import { ensureInRoot, fdPath } from './in-root.js';

// runc's docs/terminals.md model: the pty is allocated inside the container (its devpts, after
// pivot_root), the slave becomes the process's controlling terminal and stdio, and the master
// goes to whoever listens on --console-socket. The runtime itself never keeps the master.

export interface WindowSize {
  rows: number;
  cols: number;
}

export interface ConsolePlan {
  /** Connected before fork by the runtime (the socket's path may not exist in the container). */
  socketFd: number;
  /** process.consoleSize. */
  size?: WindowSize;
  /** The process's user owns the slave, so it can reopen /dev/tty after the user switch. */
  uid: number;
  gid: number;
  /** The init (not an exec'd process) also gets the slave bound onto /dev/console. */
  devConsole: boolean;
}

/** What runc puts in the message: the master's file name (see golden console-socket-received.json). */
export const CONSOLE_PAYLOAD = '/dev/ptmx';

export function setWindowSize(fd: number, size: WindowSize): void {
  const ws = Buffer.alloc(8);
  ws.writeUInt16LE(size.rows, 0);
  ws.writeUInt16LE(size.cols, 2);
  ioctlPtr(fd, K.TIOCSWINSZ, ws);
}

export function getWindowSize(fd: number): WindowSize {
  const ws = Buffer.alloc(8);
  ioctlPtr(fd, K.TIOCGWINSZ, ws);
  return { rows: ws.readUInt16LE(0), cols: ws.readUInt16LE(2) };
}

function bindDevConsole(slave: number): void {
  const root = open('/', K.O_PATH | K.O_DIRECTORY | K.O_CLOEXEC);
  try {
    const target = ensureInRoot(linuxSys, root, '/dev/console', true);
    try {
      mount(fdPath(slave), fdPath(target), null, K.MS_BIND, null);
    } finally {
      close(target);
    }
  } finally {
    close(root);
  }
}

/**
 * Child side, inside the container's root and session leader (setsid): allocates the pty, sends
 * the master, makes the slave the controlling terminal and fds 0-2.
 */
export function setupConsole(c: ConsolePlan): void {
  let master = open('/dev/ptmx', K.O_RDWR | K.O_NOCTTY | K.O_CLOEXEC);
  let slave = -1;
  try {
    ioctlPtr(master, K.TIOCSPTLCK, Buffer.alloc(4));
    // The peer through the master itself: no /dev/pts/N path lookup the container could swap.
    slave = ioctl(master, K.TIOCGPTPEER, K.O_RDWR | K.O_NOCTTY | K.O_CLOEXEC);
    fchownat(slave, '', c.uid, c.gid, K.AT_EMPTY_PATH);
    if (c.size) setWindowSize(master, c.size);
    sendFds(c.socketFd, [master], Buffer.from(CONSOLE_PAYLOAD));
    close(master);
    master = -1;
    close(c.socketFd);
    if (c.devConsole) bindDevConsole(slave);
    ioctl(slave, K.TIOCSCTTY, 0);
    for (const fd of [0, 1, 2]) dup3(slave, fd, 0);
  } finally {
    if (master >= 0) close(master);
    if (slave > 2) close(slave);
  }
}
