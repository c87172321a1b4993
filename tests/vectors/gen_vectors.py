#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the serve protocol's test vectors (docs/protocol.md) and their
manifest. An implementation written from the specification alone, apart from
common/wire.c, so that the C unit test (tests/unit/test_wire.c) checks the two
against each other.

    tests/vectors/gen_vectors.py            rewrite tests/vectors/
    tests/vectors/gen_vectors.py --check    exit 1 if a file would change

The output depends on nothing but this file: no time, no randomness, no
dictionary order, so it is byte-stable."""

import os
import struct
import sys

MAGIC = b"MGW1"
VERSION = 1

HELLO, REQUEST, ENTRY, FDS, COMMIT = 0x0101, 0x0102, 0x0103, 0x0104, 0x0105
HELLO_REPLY, RESULT, DONE = 0x0201, 0x0202, 0x0203

KIND = {"mount": 0, "mask": 1, "readonly": 2, "writable": 3}
FSTYPE = {"bind": 0, "rbind": 1, "proc": 2, "sysfs": 3, "tmpfs": 4, "devpts": 5,
          "mqueue": 6, "cgroup2": 7, "dev": 8}
CREATE = {"no": 0, "dir": 1, "file": 2}
ROOTFS, SOURCE = 1, 2
REQ_ROOTFS_FD = 0x01
ENTRY_SOURCE_FD = 0x01
DONE_VERIFIED, DONE_ROLLBACK_INCOMPLETE = 0x1, 0x2
ST = {"not-reached": 0, "planned": 1, "deferred": 2, "mounted": 3, "rolled-back": 4,
      "failed": 5, "refused": 6, "skipped": 7, "duplicate": 8}
NO_INDEX = 0xFFFFFFFF


def b(s):
    return s if isinstance(s, bytes) else s.encode()


def s16(s):
    s = b(s)
    return struct.pack("<H", len(s)) + s


def packet(type_, seq, payload, flags=0, version=VERSION, magic=MAGIC, length=None):
    """The 20-byte header, then the payload."""
    if length is None:
        length = len(payload)
    return magic + struct.pack("<HHIII", version, type_, flags, seq, length) + payload


def hello(version=VERSION, caps=0):
    return struct.pack("<II", version, caps)


def hello_reply(helper="mount-guard 0.1.0", max_entries=16384, max_bytes=16 << 20,
                max_fds=256, max_fds_msg=64, version=VERSION, caps=0):
    return struct.pack("<IIIIHH", version, caps, max_entries, max_bytes, max_fds,
                       max_fds_msg) + s16(helper)


def request(nentries, nfds=0, symlinks=0, flags=0, root="", preset="", executable=""):
    return struct.pack("<IHBB", nentries, nfds, symlinks, flags) + s16(root) + s16(preset) + \
        s16(executable)


def entry(kind, target, type_=0, create=0, flags=0, mode=0, source_fd=0, name="", source="",
          options=""):
    return struct.pack("<BBBBII", kind, type_, create, flags, mode, source_fd) + s16(name) + \
        s16(source) + s16(target) + s16(options)


def mount(name, type_, target, source="", options="", create="no", mode=0, fd=None):
    flags, idx = (ENTRY_SOURCE_FD, fd) if fd is not None else (0, 0)
    return entry(KIND["mount"], target, FSTYPE[type_], CREATE[create], flags, mode, idx, name,
                 source, options)


def path_entry(kind, target):
    return entry(KIND[kind], target)


def fds(roles, count=None):
    return struct.pack("<I", len(roles) if count is None else count) + \
        b"".join(struct.pack("<I", r) for r in roles)


def result(index, request_index, status, kind, name, target, type_=0, resolved="", error="",
           mnt_id=0, created=0):
    return struct.pack("<IIQIHBB", index, request_index, mnt_id, created, ST[status], KIND[kind],
                       type_) + s16(name) + s16(target) + s16(resolved) + s16(error)


def done(exit_code, flags, nresults, error=""):
    return struct.pack("<HHI", exit_code, flags, nresults) + s16(error)


def vectors():
    """(file, expected, description) in manifest order."""
    v = []

    def ok(name, data, what):
        v.append((name, data, "ok", what))

    def bad(name, data, expect, what):
        v.append((name, data, expect, what))

    # The example exchange of docs/protocol.md, message by message.
    ok("exchange-c1-hello.bin", packet(HELLO, 1, hello()),
       "example exchange, client 1: HELLO, version 1, no capabilities")
    ok("exchange-c2-request.bin",
       packet(REQUEST, 2, request(3, nfds=2, symlinks=1, flags=REQ_ROOTFS_FD)),
       "example exchange, client 2: REQUEST, 3 entries, 2 fds, symlinks refuse, rootfs as fd")
    ok("exchange-c3-entry.bin",
       packet(ENTRY, 3, mount("data", "bind", "/srv/data", options="ro,nosuid,nodev",
                              create="dir", mode=0o755, fd=1)),
       "example exchange, client 3: ENTRY bind from fd 1 to /srv/data, ro,nosuid,nodev, create dir 0755")
    ok("exchange-c4-entry.bin",
       packet(ENTRY, 4, mount("tmp", "tmpfs", "/tmp", options="nosuid,nodev,mode=1777,size=64m",
                              create="dir", mode=0o1777)),
       "example exchange, client 4: ENTRY tmpfs at /tmp, create dir 01777")
    ok("exchange-c5-entry.bin", packet(ENTRY, 5, path_entry("mask", "/etc/shadow")),
       "example exchange, client 5: ENTRY mask /etc/shadow")
    ok("exchange-c6-fds.bin", packet(FDS, 6, fds([ROOTFS, SOURCE])),
       "example exchange, client 6: FDS, fd 0 the rootfs, fd 1 a bind source (2 fds attached)")
    ok("exchange-c7-commit.bin", packet(COMMIT, 7, b""),
       "example exchange, client 7: COMMIT")
    ok("exchange-h1-hello_reply.bin", packet(HELLO_REPLY, 1, hello_reply()),
       "example exchange, helper 1: HELLO_REPLY with the protocol's limits")
    ok("exchange-h2-result.bin",
       packet(RESULT, 2, result(0, 0, "mounted", "mount", "data", "/srv/data", FSTYPE["bind"],
                                resolved="/srv/data", mnt_id=1021, created=1)),
       "example exchange, helper 2: RESULT entry 0 mounted, mount id 1021, 1 directory created")
    ok("exchange-h3-result.bin",
       packet(RESULT, 3, result(1, 1, "mounted", "mount", "tmp", "/tmp", FSTYPE["tmpfs"],
                                resolved="/tmp", mnt_id=1022)),
       "example exchange, helper 3: RESULT entry 1 mounted")
    ok("exchange-h4-result.bin",
       packet(RESULT, 4, result(2, 2, "skipped", "mask", "masked", "/etc/shadow")),
       "example exchange, helper 4: RESULT entry 2 skipped (the path does not exist)")
    ok("exchange-h5-done.bin", packet(DONE, 5, done(0, DONE_VERIFIED, 3)),
       "example exchange, helper 5: DONE exit 0, verified")

    # More valid messages: every type, every kind and field shape.
    ok("ok-request-path.bin",
       packet(REQUEST, 2, request(2, root="/var/lib/machines/web", preset="minimal-chroot",
                                  executable="/usr/bin/busybox")),
       "REQUEST with a rootfs path, a preset and an executable")
    ok("ok-request-empty.bin", packet(REQUEST, 2, request(0, root="/srv/root", preset="oci-default")),
       "REQUEST with no entries of its own, only a preset")
    ok("ok-entry-bind-path.bin",
       packet(ENTRY, 3, mount("etc-hosts", "bind", "/etc/hosts", source="/etc/hosts",
                              options="ro", create="file", mode=0o644)),
       "ENTRY bind of a host path onto a created file, mode 0644")
    ok("ok-entry-rbind.bin",
       packet(ENTRY, 3, mount("home", "rbind", "/home", source="/home")),
       "ENTRY rbind, no options, no create")
    ok("ok-entry-proc.bin",
       packet(ENTRY, 3, mount("proc", "proc", "/proc", options="nosuid,noexec,nodev,hidepid=2",
                              create="dir", mode=0o555)),
       "ENTRY proc with a filesystem option")
    ok("ok-entry-sysfs.bin", packet(ENTRY, 3, mount("sys", "sysfs", "/sys", options="ro")),
       "ENTRY sysfs read-only")
    ok("ok-entry-devpts.bin",
       packet(ENTRY, 3, mount("pts", "devpts", "/dev/pts",
                              options="newinstance,ptmxmode=0666,gid=5,mode=0620")),
       "ENTRY devpts with a flag option and values")
    ok("ok-entry-mqueue.bin", packet(ENTRY, 3, mount("mq", "mqueue", "/dev/mqueue")),
       "ENTRY mqueue")
    ok("ok-entry-cgroup2.bin",
       packet(ENTRY, 3, mount("cg", "cgroup2", "/sys/fs/cgroup", options="nsdelegate")),
       "ENTRY cgroup2")
    ok("ok-entry-dev.bin",
       packet(ENTRY, 3, mount("dev", "dev", "/dev", options="nosuid,strictatime,mode=0755",
                              create="dir", mode=0o755)),
       "ENTRY type dev")
    ok("ok-entry-readonly.bin", packet(ENTRY, 3, path_entry("readonly", "/proc/sys")),
       "ENTRY read-only path")
    ok("ok-entry-writable.bin", packet(ENTRY, 3, path_entry("writable", "/proc/sys/net")),
       "ENTRY writable exception")
    ok("ok-entry-odd-bytes.bin",
       packet(ENTRY, 3, mount("odd", "bind", b"/srv/a b\tc\nd\\e;#\xff\x01",
                              source=b"/host/\xc3\xa9t\xc3\xa9 ;x")),
       "ENTRY paths with space, tab, newline, backslash, ';', '#', 0xff, 0x01: any byte but NUL")
    ok("ok-entry-longest.bin",
       packet(ENTRY, 3, mount("n" * 43, "bind", "/" + "/".join(["t" * 255] * 15) + "/" + "t" * 254,
                              source="/" + "s" * 255, options="ro," * 1364 + "ro")),
       "ENTRY at the limits: 43-byte name, 4095-byte target, 255-byte components, 4094-byte options")
    ok("ok-fds-source.bin", packet(FDS, 8, fds([SOURCE] * 64)),
       "FDS with 64 bind sources, the most one message may carry")
    ok("ok-result-preset.bin",
       packet(RESULT, 2, result(0, NO_INDEX, "mounted", "mount", "proc", "/proc", FSTYPE["proc"],
                                resolved="/proc", mnt_id=77)),
       "RESULT for an entry the helper added (preset): no request index")
    ok("ok-result-failed.bin",
       packet(RESULT, 3, result(1, 0, "failed", "mount", "data", "/data", FSTYPE["bind"],
                                error="cannot open source /nope: No such file or directory")),
       "RESULT of a failed entry with its error text")
    ok("ok-done-failed.bin",
       packet(DONE, 4, done(1, 0, 2, "<request>:1: entry 'data': resolve: cannot open source")),
       "DONE exit 1 with its error")
    ok("ok-done-usage.bin",
       packet(DONE, 2, done(2, 0, 0, "<request>:2: entry 'x': config: options: unknown option 'foo' for type tmpfs")),
       "DONE exit 2, no results: the request was refused before it ran")
    ok("ok-done-rollback.bin",
       packet(DONE, 7, done(4, DONE_ROLLBACK_INCOMPLETE, 5, "rollback: umount failed")),
       "DONE exit 4 with rollback incomplete")

    base = packet(HELLO, 1, hello())
    # The header.
    bad("bad-empty.bin", b"", "EBADMSG short", "zero bytes")
    bad("bad-short-header.bin", base[:19], "EBADMSG short", "19 bytes: a header cut short")
    bad("bad-magic.bin", packet(HELLO, 1, hello(), magic=b"MGW2"), "EBADMSG magic",
        "magic MGW2")
    bad("bad-magic-swapped.bin", packet(HELLO, 1, hello(), magic=b"1WGM"), "EBADMSG magic",
        "magic written big-endian")
    bad("bad-version-2.bin", packet(HELLO, 1, hello(), version=2), "EPROTONOSUPPORT version",
        "header version 2")
    bad("bad-version-0.bin", packet(HELLO, 1, hello(), version=0), "EPROTONOSUPPORT version",
        "header version 0")
    bad("bad-length-over.bin", packet(HELLO, 1, hello(), length=9), "EBADMSG length",
        "header says 9 payload bytes, 8 follow")
    bad("bad-length-under.bin", packet(HELLO, 1, hello() + b"\0", length=8), "EBADMSG length",
        "header says 8 payload bytes, 9 follow")
    bad("bad-oversize-packet.bin", packet(ENTRY, 3, b"\0" * 16385), "EMSGSIZE oversize",
        "a 16405-byte packet (payload 16385, one above the cap)")
    bad("bad-oversize-declared.bin", packet(HELLO, 1, hello(), length=0x10000000),
        "EMSGSIZE oversize", "header declares a 256 MiB payload")
    bad("bad-type-unknown.bin", packet(0x0106, 1, b""), "EBADMSG type", "type 0x0106")
    bad("bad-type-zero.bin", packet(0, 1, b""), "EBADMSG type", "type 0")
    bad("bad-flags-low.bin", packet(HELLO, 1, hello(), flags=1), "EBADMSG flags",
        "header flag bit 0")
    bad("bad-flags-high.bin", packet(HELLO, 1, hello(), flags=0x80000000), "EBADMSG flags",
        "header flag bit 31")
    bad("bad-seq-zero.bin", packet(HELLO, 0, hello()), "EPROTO seq", "sequence number 0")
    # Sizes.
    bad("bad-hello-size.bin", packet(HELLO, 1, hello() + b"\0"), "EBADMSG size",
        "HELLO with 9 payload bytes")
    bad("bad-commit-size.bin", packet(COMMIT, 7, b"\0"), "EBADMSG size",
        "COMMIT with a payload byte")
    bad("bad-entry-size.bin", packet(ENTRY, 3, b"\0" * 19), "EBADMSG size",
        "ENTRY with 19 payload bytes (less than its fixed part)")
    bad("bad-hello_reply-no-text.bin", packet(HELLO_REPLY, 1, hello_reply(helper="")),
        "EBADMSG size", "HELLO_REPLY without a helper text")
    # HELLO, HELLO_REPLY.
    bad("bad-hello-version.bin", packet(HELLO, 1, hello(version=2)), "EPROTONOSUPPORT version",
        "HELLO asking for version 2")
    bad("bad-hello-caps.bin", packet(HELLO, 1, hello(caps=1)), "EBADMSG flags",
        "HELLO with a capability bit")
    bad("bad-hello_reply-text.bin", packet(HELLO_REPLY, 1, hello_reply(helper="mount-guard\n1")),
        "EBADMSG text", "HELLO_REPLY helper text with a newline")
    bad("bad-hello_reply-limits.bin", packet(HELLO_REPLY, 1, hello_reply(max_entries=0)),
        "EBADMSG range", "HELLO_REPLY with max_entries 0")
    bad("bad-hello_reply-fds.bin", packet(HELLO_REPLY, 1, hello_reply(max_fds_msg=65)),
        "EBADMSG range", "HELLO_REPLY with 65 fds per message")
    # REQUEST.
    bad("bad-request-too-many-entries.bin", packet(REQUEST, 2, request(16385, root="/r")),
        "E2BIG count", "REQUEST announcing 16385 entries")
    bad("bad-request-too-many-fds.bin",
        packet(REQUEST, 2, request(1, nfds=257, flags=REQ_ROOTFS_FD)), "E2BIG count",
        "REQUEST announcing 257 fds")
    bad("bad-request-symlinks.bin", packet(REQUEST, 2, request(1, symlinks=2, root="/r")),
        "EBADMSG range", "REQUEST with symlinks 2")
    bad("bad-request-flags.bin", packet(REQUEST, 2, request(1, flags=0x02, root="/r")),
        "EBADMSG flags", "REQUEST with an unknown flag bit")
    bad("bad-request-root-twice.bin",
        packet(REQUEST, 2, request(1, nfds=1, flags=REQ_ROOTFS_FD, root="/r")), "EBADMSG field",
        "REQUEST with both a rootfs fd and a rootfs path")
    bad("bad-request-no-root.bin", packet(REQUEST, 2, request(1)), "EBADMSG field",
        "REQUEST with neither a rootfs fd nor a path")
    bad("bad-request-rootfs-no-fds.bin", packet(REQUEST, 2, request(1, flags=REQ_ROOTFS_FD)),
        "EBADMSG fds", "REQUEST with the rootfs as fd but no fds announced")
    bad("bad-request-relative-root.bin", packet(REQUEST, 2, request(1, root="srv/root")),
        "EBADMSG path", "REQUEST with a relative rootfs path")
    bad("bad-request-preset.bin", packet(REQUEST, 2, request(0, root="/r", preset="../x")),
        "EBADMSG name", "REQUEST with preset '../x'")
    bad("bad-request-overrun.bin",
        packet(REQUEST, 2, struct.pack("<IHBB", 1, 0, 0, 0) + struct.pack("<H", 100) + b"/root"),
        "EBADMSG layout", "REQUEST whose rootfs string claims 100 bytes, 5 follow")
    bad("bad-request-trailing.bin", packet(REQUEST, 2, request(1, root="/r") + b"\0"),
        "EBADMSG layout", "REQUEST with a byte after its last field")
    # ENTRY.
    bad("bad-entry-nul-target.bin", packet(ENTRY, 3, mount("m", "tmpfs", "/tmp\0/x")),
        "EBADMSG nul", "ENTRY target with a NUL byte")
    bad("bad-entry-nul-source.bin",
        packet(ENTRY, 3, mount("m", "bind", "/x", source="/etc\0passwd")), "EBADMSG nul",
        "ENTRY source with a NUL byte")
    bad("bad-entry-nul-name.bin", packet(ENTRY, 3, mount("a\0b", "tmpfs", "/x")), "EBADMSG nul",
        "ENTRY name with a NUL byte")
    bad("bad-entry-nul-options.bin", packet(ENTRY, 3, mount("m", "tmpfs", "/x", options="ro\0,rw")),
        "EBADMSG nul", "ENTRY options with a NUL byte")
    bad("bad-entry-nul-mask.bin", packet(ENTRY, 3, path_entry("mask", "/proc\0")), "EBADMSG nul",
        "ENTRY mask path ending in a NUL byte")
    long_path = "/" + "/".join(["p" * 200] * 20)
    long_path += "/" + "p" * (4096 - len(long_path) - 1)
    assert len(long_path) == 4096
    bad("bad-entry-path-max.bin", packet(ENTRY, 3, path_entry("mask", long_path)),
        "ENAMETOOLONG toolong", "ENTRY path of 4096 bytes (PATH_MAX; at most 4095)")
    bad("bad-entry-component.bin", packet(ENTRY, 3, mount("m", "tmpfs", "/" + "c" * 256)),
        "ENAMETOOLONG toolong", "ENTRY target with a 256-byte component")
    bad("bad-entry-relative.bin", packet(ENTRY, 3, mount("m", "tmpfs", "tmp")), "EBADMSG path",
        "ENTRY with a relative target")
    bad("bad-entry-relative-source.bin",
        packet(ENTRY, 3, mount("m", "bind", "/x", source="./x")), "EBADMSG path",
        "ENTRY with a relative source")
    bad("bad-entry-no-target.bin", packet(ENTRY, 3, mount("m", "tmpfs", "")), "EBADMSG field",
        "ENTRY without a target")
    bad("bad-entry-kind.bin", packet(ENTRY, 3, entry(4, "/x")), "EBADMSG range", "ENTRY kind 4")
    bad("bad-entry-type.bin", packet(ENTRY, 3, entry(0, "/x", type_=9, name="m")),
        "EBADMSG range", "ENTRY type 9")
    bad("bad-entry-create.bin", packet(ENTRY, 3, entry(0, "/x", type_=4, create=3, name="m")),
        "EBADMSG range", "ENTRY create 3")
    bad("bad-entry-mode.bin",
        packet(ENTRY, 3, mount("m", "tmpfs", "/x", create="dir", mode=0o10000)),
        "EBADMSG range", "ENTRY mode 010000")
    bad("bad-entry-flags.bin", packet(ENTRY, 3, entry(0, "/x", type_=4, flags=0x02, name="m")),
        "EBADMSG flags", "ENTRY with an unknown flag bit")
    bad("bad-entry-fd-range.bin", packet(ENTRY, 3, mount("m", "bind", "/x", fd=256)),
        "EBADMSG range", "ENTRY source fd index 256")
    bad("bad-entry-mask-name.bin", packet(ENTRY, 3, entry(1, "/x", name="masked")),
        "EBADMSG field", "ENTRY mask with a name")
    bad("bad-entry-mask-options.bin", packet(ENTRY, 3, entry(1, "/x", options="ro")),
        "EBADMSG field", "ENTRY mask with options")
    bad("bad-entry-mode-no-create.bin", packet(ENTRY, 3, mount("m", "tmpfs", "/x", mode=0o755)),
        "EBADMSG field", "ENTRY with a mode but create no")
    bad("bad-entry-source-twice.bin",
        packet(ENTRY, 3, mount("m", "bind", "/x", source="/y", fd=0)), "EBADMSG field",
        "ENTRY with a source path and a source fd")
    bad("bad-entry-fd-unflagged.bin", packet(ENTRY, 3, entry(0, "/x", source_fd=1, name="m")),
        "EBADMSG field", "ENTRY with a source fd index but no SOURCE_FD flag")
    bad("bad-entry-name-chars.bin", packet(ENTRY, 3, mount("a b", "tmpfs", "/x")),
        "EBADMSG name", "ENTRY name with a space")
    bad("bad-entry-name-long.bin", packet(ENTRY, 3, mount("n" * 44, "tmpfs", "/x")),
        "EBADMSG name", "ENTRY name of 44 bytes")
    bad("bad-entry-name-empty.bin", packet(ENTRY, 3, mount("", "tmpfs", "/x")),
        "EBADMSG name", "ENTRY mount without a name")
    bad("bad-entry-options-long.bin", packet(ENTRY, 3, mount("m", "tmpfs", "/x", options="r" * 4096)),
        "ENAMETOOLONG toolong", "ENTRY options of 4096 bytes")
    # FDS.
    bad("bad-fds-count.bin", packet(FDS, 6, fds([SOURCE], count=65)), "E2BIG count",
        "FDS claiming 65 fds")
    bad("bad-fds-layout.bin", packet(FDS, 6, fds([SOURCE], count=2)), "EBADMSG layout",
        "FDS claiming 2 fds with 1 role")
    bad("bad-fds-role.bin", packet(FDS, 6, fds([3])), "EBADMSG range", "FDS with role 3")
    bad("bad-fds-too-many-roles.bin", packet(FDS, 6, fds([SOURCE] * 65)), "EBADMSG size",
        "FDS with 65 roles: above the type's largest payload")
    # RESULT, DONE.
    bad("bad-result-status.bin",
        packet(RESULT, 2, result(0, 0, "mounted", "mount", "m", "/x")[:20] +
               struct.pack("<HBB", 9, 0, 0) + s16("m") + s16("/x") + s16("") + s16("")),
        "EBADMSG range", "RESULT status 9")
    bad("bad-result-index.bin", packet(RESULT, 2, result(NO_INDEX, 0, "mounted", "mount", "m", "/x")),
        "EBADMSG range", "RESULT index 0xffffffff")
    bad("bad-result-mask-type.bin", packet(RESULT, 2, result(0, 0, "mounted", "mask", "masked", "/x", type_=4)),
        "EBADMSG field", "RESULT of a mask with a filesystem type")
    bad("bad-result-error-long.bin",
        packet(RESULT, 2, result(0, 0, "failed", "mount", "m", "/x", error="e" * 2048)),
        "ENAMETOOLONG toolong", "RESULT error text of 2048 bytes")
    bad("bad-done-exit.bin", packet(DONE, 2, done(5, 0, 0, "x")), "EBADMSG range", "DONE exit 5")
    bad("bad-done-flags.bin", packet(DONE, 2, done(0, DONE_VERIFIED | 0x4, 1)), "EBADMSG flags",
        "DONE with an unknown flag bit")
    bad("bad-done-ok-unverified.bin", packet(DONE, 2, done(0, 0, 1)), "EBADMSG field",
        "DONE exit 0 without the verified flag")
    bad("bad-done-ok-error.bin", packet(DONE, 2, done(0, DONE_VERIFIED, 1, "but")),
        "EBADMSG field", "DONE exit 0 with an error text")
    bad("bad-done-failed-silent.bin", packet(DONE, 2, done(1, 0, 1)), "EBADMSG field",
        "DONE exit 1 without an error text")
    bad("bad-done-rollback-flag.bin", packet(DONE, 2, done(1, DONE_ROLLBACK_INCOMPLETE, 1, "x")),
        "EBADMSG field", "DONE exit 1 with rollback incomplete")
    bad("bad-done-rollback-exit.bin", packet(DONE, 2, done(4, 0, 1, "x")), "EBADMSG field",
        "DONE exit 4 without rollback incomplete")
    return v


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    check = "--check" in sys.argv[1:]
    files = {}
    manifest = ["# file\texpected\tdescription (tests/vectors/README.md)"]
    for name, data, expect, what in vectors():
        assert name not in files, name
        files[name] = data
        manifest.append(f"{name}\t{expect}\t{what}")
    files["manifest.tsv"] = ("\n".join(manifest) + "\n").encode()
    stale = []
    for name in sorted(files):
        path = os.path.join(here, name)
        old = open(path, "rb").read() if os.path.exists(path) else None
        if old == files[name]:
            continue
        stale.append(name)
        if not check:
            with open(path, "wb") as f:
                f.write(files[name])
    extra = sorted(n for n in os.listdir(here) if n.endswith(".bin") and n not in files)
    for name in extra:
        stale.append(name + " (not generated)")
        if not check:
            os.unlink(os.path.join(here, name))
    if check and stale:
        print("gen_vectors: out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    if not check:
        print(f"gen_vectors: {len(files) - 1} vectors, {len(stale)} written or removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
