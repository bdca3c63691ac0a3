#!/usr/bin/env python3
"""A console-socket receiver for tests, the part an engine plays (containerd's shim, conmon).

Usage: recvtty.py SOCKET [INPUT]

Listens on SOCKET, prints "ready", accepts one connection and reads one message with its
SCM_RIGHTS fds, then prints one JSON line: the payload, the number of fds, what the first fd
is (readlink of /proc/self/fd/N) and how many bytes followed the message. Then it writes INPUT
(with \\n escapes) to the received pty master and copies everything the master produces to
stdout until the pty has no more users (EIO), which is when the container's process is gone.
"""
import array
import json
import os
import socket
import sys

path = sys.argv[1]
data = sys.argv[2].encode().decode('unicode_escape').encode() if len(sys.argv) > 2 else b''

server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(1)
print('ready', flush=True)
conn, _ = server.accept()
fds = array.array('i')
msg, ancdata, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(8 * fds.itemsize))
for level, kind, payload in ancdata:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
rest = b''
while True:
    chunk = conn.recv(4096)
    if not chunk:
        break
    rest += chunk
conn.close()
server.close()
master = fds[0] if fds else -1
print(json.dumps({
    'payload': msg.decode(),
    'nfds': len(fds),
    'fd_target': os.readlink(f'/proc/self/fd/{master}') if master >= 0 else None,
    'trailing_bytes': len(rest),
}), flush=True)
if master < 0:
    sys.exit(1)
if data:
    os.write(master, data)
while True:
    try:
        out = os.read(master, 4096)
    except OSError:
        break
    if not out:
        break
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
