#!/usr/bin/env python3
"""A scriptable, possibly hostile parent for `mount-guard serve` (test-only).

    wire_client.py MODE HELPER ROOT [POLICY] [ENTRY...]

Starts HELPER as `serve --fd N [--policy POLICY]` on a SOCK_SEQPACKET
socketpair, as its parent, and plays MODE. POLICY "-" means the default
policy. MODE "request" sends ENTRY... (below) with the rootfs as a path;
"request-fd" opens ROOT itself (O_PATH|O_DIRECTORY) and passes it as an fd.
An ENTRY is TYPE:TARGET[:OPTIONS[:SOURCE-KIND:SOURCE]] with SOURCE-KIND one of
fd (opened O_RDONLY by this process and passed), opath (opened O_PATH and
passed) or path (sent as a path); or mask:PATH / readonly:PATH. A TARGET
starting with "+" is created (create = dir). Frames are built with the
independent Python encoder of the test vectors (tests/vectors/gen_vectors.py).
Prints `helper-exit N`, `answers K` (packets received after HELLO_REPLY) and,
for `ok`-style modes, the DONE exit code; the shell cases check them.
"""
import array
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "vectors"))
import gen_vectors as g  # noqa: E402

mode, helper, root = sys.argv[1], sys.argv[2], sys.argv[3]
policy = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] != "-" else None
specs = sys.argv[5:]

a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
os.set_inheritable(b.fileno(), True)
args = helper.split() + ["serve", "--fd", str(b.fileno())] + (["--policy", policy] if policy else [])
# The helper gets an empty environment, but for the test-only fault
# injector's settings (HELPER may start with mg-faultinject) and ASan's
# options.
env = {k: v for k, v in os.environ.items() if k.startswith("MG_FAULT_") or k == "ASAN_OPTIONS"}
p = subprocess.Popen(args, pass_fds=[b.fileno()], env=env)
b.close()
print("helper-pid", p.pid, flush=True)


def send(pkt, fds=()):
    # A helper that already gave up (a protocol error) has closed its end:
    # a hostile parent just goes on.
    try:
        if fds:
            a.sendmsg([pkt], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
        else:
            a.send(pkt)
    except (BrokenPipeError, ConnectionResetError):
        pass


def hello():
    send(g.packet(g.HELLO, 1, g.hello()))
    a.recv(65536)


def good_entries():
    return [g.mount("t", "tmpfs", "/t", options="nosuid", create="dir"),
            g.mount("u", "tmpfs", "/u", create="dir")]


def spec_entries(specs):
    """Entries and the fds they pass (the rootfs fd, if any, goes first)."""
    entries, fds, roles = [], [], []
    for i, sp in enumerate(specs):
        parts = sp.split(":")
        if parts[0] in ("mask", "readonly", "writable"):
            entries.append(g.path_entry(parts[0] if parts[0] != "mask" else "mask", parts[1]))
            continue
        type_, target = parts[0], parts[1]
        options = parts[2] if len(parts) > 2 else ""
        kw = {}
        if len(parts) > 4:
            kind, src = parts[3], parts[4]
            if kind == "path":
                kw["source"] = src
            else:
                flags = os.O_PATH if kind == "opath" else os.O_RDONLY
                fds.append(os.open(src, flags | os.O_CLOEXEC))
                roles.append(g.SOURCE)
                kw["fd"] = len(fds) - 1
        create = "dir" if target.startswith("+") else "no"
        entries.append(g.mount("e%d" % i, type_, target.lstrip("+"), options=options, create=create, **kw))
    return entries, fds, roles


def request(entries, seq=2, **kw):
    send(g.packet(g.REQUEST, seq, g.request(len(entries), root=root, **kw)))
    for i, e in enumerate(entries):
        send(g.packet(g.ENTRY, seq + 1 + i, e))
    return seq + 1 + len(entries)


answers = 0
done_code = None


def drain():
    global answers, done_code
    a.settimeout(30)
    while True:
        try:
            d = a.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not d:
            break
        answers += 1
        if struct.unpack("<H", d[6:8])[0] == g.DONE:
            done_code = struct.unpack("<H", d[20:22])[0]


if mode in ("request", "request-fd"):
    entries, fds, roles = spec_entries(specs)
    hello()
    if mode == "request-fd":
        fds.insert(0, os.open(root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC))
        roles.insert(0, g.ROOTFS)
        # the rootfs is fd 0 on the wire: sources are numbered from 1
        entries = []
        k = 1
        for i, sp in enumerate(specs):
            parts = sp.split(":")
            if parts[0] in ("mask", "readonly", "writable"):
                entries.append(g.path_entry(parts[0], parts[1]))
                continue
            kw = {}
            if len(parts) > 4:
                if parts[3] == "path":
                    kw["source"] = parts[4]
                else:
                    kw["fd"] = k
                    k += 1
            entries.append(g.mount("e%d" % i, parts[0], parts[1].lstrip("+"),
                                   options=parts[2] if len(parts) > 2 else "",
                                   create="dir" if parts[1].startswith("+") else "no", **kw))
        send(g.packet(g.REQUEST, 2, g.request(len(entries), nfds=len(fds), flags=g.REQ_ROOTFS_FD)))
    else:
        send(g.packet(g.REQUEST, 2, g.request(len(entries), nfds=len(fds), root=root)))
    seq = 3
    for e in entries:
        send(g.packet(g.ENTRY, seq, e))
        seq += 1
    if fds:
        send(g.packet(g.FDS, seq, g.fds(roles)), fds=fds)
        seq += 1
    send(g.packet(g.COMMIT, seq, b""))
    drain()
elif mode == "ok":
    hello()
    seq = request(good_entries())
    send(g.packet(g.COMMIT, seq, b""))
    drain()
elif mode == "truncated-header":
    send(g.packet(g.HELLO, 1, g.hello())[:12])
elif mode == "wrong-magic":
    send(g.packet(g.HELLO, 1, g.hello(), magic=b"XGW1"))
elif mode == "wrong-version":
    send(g.packet(g.HELLO, 1, g.hello(), version=2))
elif mode == "length-mismatch":
    hello()
    send(g.packet(g.REQUEST, 2, g.request(1, root=root), length=3))
elif mode == "oversize":
    hello()
    send(g.packet(g.REQUEST, 2, g.request(1, root=root)) + b"\0" * 70000)
elif mode == "unknown-type":
    hello()
    send(g.packet(0x0177, 2, b""))
elif mode == "out-of-phase":
    hello()
    send(g.packet(g.COMMIT, 2, b""))
elif mode == "unknown-flags":
    hello()
    send(g.packet(g.REQUEST, 2, g.request(1, root=root), flags=0x80))
elif mode == "unexpected-fds":
    with open("/dev/null") as f:
        send(g.packet(g.HELLO, 1, g.hello()), fds=[f.fileno()])
elif mode == "too-many-fds":
    hello()
    send(g.packet(g.REQUEST, 2, g.request(1, nfds=1, flags=g.REQ_ROOTFS_FD)))
    send(g.packet(g.ENTRY, 3, g.mount("t", "tmpfs", "/t")))
    seq = 4
    fds = [os.open("/", os.O_RDONLY) for _ in range(65)]
    send(g.packet(g.FDS, seq, g.fds([g.ROOTFS] * 65)), fds=fds)
elif mode == "nul-in-path":
    hello()
    seq = request([g.mount("t", "tmpfs", "/t\0x")])
    send(g.packet(g.COMMIT, seq, b""))
elif mode == "closed-mid-request":
    hello()
    request(good_entries())  # no COMMIT
elif mode == "parent-dies-after-commit":
    # Commit, then leave at once: the helper applies, cannot deliver the
    # answer, and must roll back.
    hello()
    seq = request(good_entries())
    send(g.packet(g.COMMIT, seq, b""))
    a.close()
    print("helper-exit", p.wait(), flush=True)
    print("answers", 0)
    sys.exit(0)
else:
    sys.exit("unknown mode " + mode)

if mode not in ("ok", "request", "request-fd"):
    # Whatever the helper does now, it must not answer beyond HELLO_REPLY.
    a.shutdown(socket.SHUT_WR) if mode == "closed-mid-request" else None
    drain()
a.close()
print("helper-exit", p.wait())
print("answers", answers)
if done_code is not None:
    print("done", done_code)
