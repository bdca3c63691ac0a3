#!/usr/bin/env python3
"""A stand-in `criu` that speaks the swrk RPC far enough to test ocirun's side on a host where CRIU
cannot run: `--version` prints FAKE_CRIU_VERSION (default 3.17.1); `swrk FD` reads one request,
checks what CRIU itself would (the images and work directories open through the requester's fds,
/proc/PEER/fd/N), then plays FAKE_CRIU_PLAN (JSON):

  {"notify": ["setup-namespaces", "orphan-pts-master"],   notifications, each waiting for its answer
   "tty_text": "...",                                     written on the pty before its master is sent
   "fail": "message"}                                     answer unsuccessfully with cr_errmsg

Its "restored" process is a `sleep` it starts (the pid of every notification and of the answer).
An unanswered notification (the socket closed) kills it and exits 1, as CRIU undoes a restore.
Writes restore.log in the work directory. Only the protobuf wire format is hand-written here.
"""
import array
import json
import os
import signal
import socket
import struct
import subprocess
import sys

if sys.argv[1] == '--version':
    print('Version: ' + os.environ.get('FAKE_CRIU_VERSION', '3.17.1'))
    sys.exit(0)
assert sys.argv[1] == 'swrk', sys.argv

plan = json.loads(os.environ.get('FAKE_CRIU_PLAN', '{}'))


def varint(n):
    out = b''
    while True:
        b, n = n & 0x7F, n >> 7
        out += bytes([b | 0x80]) if n else bytes([b])
        if not n:
            return out


def read_varint(buf, i):
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, i


def parse(buf):
    fields, i = {}, 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        if key & 7 == 0:
            v, i = read_varint(buf, i)
        elif key & 7 == 2:
            n, i = read_varint(buf, i)
            v, i = buf[i:i + n], i + n
        else:
            raise ValueError('wire type %d' % (key & 7))
        fields.setdefault(key >> 3, []).append(v)
    return fields


def num(f, n):
    return varint(n << 3) + varint(f)


def lenf(n, b):
    return varint(n << 3 | 2) + varint(len(b)) + b


def resp(rtype, success=True, notify=None, pid=None, errmsg=None):
    out = num(rtype, 1) + num(1 if success else 0, 2)
    if notify is not None:
        out += lenf(5, lenf(1, notify.encode()) + num(pid, 2))
    if pid is not None and notify is None:
        out += lenf(4, num(pid, 1))
    if errmsg is not None:
        out += lenf(9, errmsg.encode())
    return out


sk = socket.socket(fileno=int(sys.argv[2]))
peer = struct.unpack('3i', sk.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[0]
req = parse(sk.recv(65536))
rtype = req[1][0]
opts = parse(req[2][0])
images = '/proc/%d/fd/%d' % (peer, opts[1][0])
work = '/proc/%d/fd/%d' % (peer, opts[17][0])
assert os.path.exists(os.path.join(images, 'descriptors.json')), 'images_dir_fd is not the image directory'
log = open(os.path.join(work, 'restore.log'), 'w')
log.write('(00.00) stand-in criu: request type %d, orphan_pts_master %s\n' % (rtype, opts.get(50)))
log.flush()

if plan.get('fail'):
    log.write('(00.01) Error (criu/cr-restore.c:1): %s\n' % plan['fail'])
    log.flush()
    sk.send(resp(rtype, success=False, errmsg=plan['fail']))
    sys.exit(1)

restored = subprocess.Popen(['sleep', '1000'])
for script in plan.get('notify', []):
    fds = []
    if script == 'orphan-pts-master':
        master, slave = os.openpty()
        os.write(slave, plan.get('tty_text', '').encode())
        os.close(slave)
        fds = [master]
    ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', fds))] if fds else []
    sk.sendmsg([resp(6, notify=script, pid=restored.pid)], ancillary)
    for fd in fds:
        os.close(fd)
    answer = sk.recv(65536)
    if not answer or parse(answer).get(3) != [1]:
        log.write('(00.02) Error (criu/action-scripts.c:1): %s notification not answered\n' % script)
        log.flush()
        restored.send_signal(signal.SIGKILL)
        restored.wait()
        sys.exit(1)
sk.send(resp(rtype, pid=restored.pid))
