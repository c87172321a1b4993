#!/usr/bin/env python3
"""Do the man pages name everything the sources accept?

    completeness.py TOP CHECK

CHECK is one of: options, commands, exit-codes, conf-keys, conf-sections,
conf-types, presets, policy-keys, policy-sections. Each list is read from the C
sources (never a copy kept here), so that an option, key or type added to
the code without its page fails this test. A list that comes out shorter
than what the code has long had means the extraction no longer understands
the source: that fails too, rather than passing on an empty list.

Prints one line per missing name, and exits 1 if any is missing.
"""
import glob
import os
import re
import sys

TOP = sys.argv[1]
CHECK = sys.argv[2]


def read(rel):
    with open(os.path.join(TOP, rel), encoding="utf-8") as f:
        return f.read()


def sources(pattern):
    return "".join(read(os.path.relpath(p, TOP)) for p in sorted(glob.glob(os.path.join(TOP, pattern))))


def roff(name):
    """How a name is written in roff source: every '-' escaped."""
    return name.replace("-", "\\-")


def section(page, title):
    """The text of `.SH TITLE` up to the next .SH."""
    m = re.search(r"^\.SH " + re.escape(title) + r"\s*$(.*?)(?=^\.SH |\Z)", page, re.M | re.S)
    return m.group(1) if m else ""


def bold_words(page):
    """Every word the page sets in bold: arguments of .B/.BI/.BR/.RB/.IB
    lines (all of them: the pairing of fonts is not worth modelling) and
    \\fB...\\f runs. A name mentioned only in running text does not count."""
    words = set()
    for line in page.splitlines():
        m = re.match(r"\.(B|BI|BR|RB|IB)\s+(.*)", line)
        if m:
            for tok in re.findall(r'"([^"]*)"|(\S+)', m.group(2)):
                for w in (tok[0] or tok[1]).split():
                    words.add(w)
        for run in re.findall(r"\\fB(.*?)\\f", line):
            words.update(run.split())
    # "[mount" and "name]" spellings: keep the bare words too.
    return words | {w.strip("[]") for w in words}


def need(found, floor, what):
    missing = sorted(set(floor) - set(found))
    if missing:
        print(f"extraction of {what} from the sources found {sorted(found)}, "
              f"which lacks {missing}: update tests/docs/completeness.py")
        sys.exit(1)


def report(names, documented, where):
    bad = [n for n in sorted(set(names)) if not documented(n)]
    for n in bad:
        print(f"not documented in {where}: {n}")
    print(f"{len(set(names)) - len(bad)} of {len(set(names))} documented in {where}")
    sys.exit(1 if bad else 0)


man8 = read("docs/mount-guard.8")
conf5 = read("docs/mount-guard.conf.5")
policy5 = read("docs/mount-guard-policy.5")

if CHECK == "options":
    # Every getopt_long table of the command line (cli.c, and the files
    # beside it, such as the bubblewrap-style arguments).
    src = sources("helper/cli*.c")
    names = re.findall(r'\{\s*"([A-Za-z0-9-]+)"\s*,\s*(?:no|required|optional)_argument', src)
    need(names, ["root", "config", "preset", "json", "fd", "policy", "as-uid", "as-gid",
                 "draft", "help", "version"], "long options")
    opts = section(man8, "OPTIONS")
    # The option itself, not a longer one it is a prefix of (--ro, --ro-bind).
    report(names, lambda n: re.search(re.escape("\\-\\-" + roff(n)) + r"(?![A-Za-z0-9]|\\-)", opts),
           "the OPTIONS section of mount-guard(8)")

elif CHECK == "commands":
    src = sources("helper/*.c")
    names = re.findall(r'strcmp\(\s*(?:c|cli)\s*(?:->|\.)\s*command\s*,\s*"([a-z-]+)"\s*\)', src)
    need(names, ["apply", "plan", "teardown", "serve", "policy"], "commands")
    syn = section(man8, "SYNOPSIS")
    report(names, lambda n: re.search(r"^\.B " + re.escape(roff(n)) + r"(\s|$)", syn, re.M),
           "the SYNOPSIS of mount-guard(8)")

elif CHECK == "exit-codes":
    codes = re.findall(r"MG_EXIT_[A-Z_]+\s*=\s*(\d+)", read("common/mg_error.h"))
    need(codes, ["0", "1", "2", "3", "4"], "exit codes")
    ex = section(man8, "EXIT STATUS")
    report(codes, lambda c: re.search(r"^\.B " + c + r"\s*$", ex, re.M),
           "the EXIT STATUS section of mount-guard(8)")

elif CHECK == "conf-keys":
    src = read("helper/config_ini.c")
    names = []
    m = re.search(r"mount_keys\s*\[[^\]]*\]\s*=\s*\{([^}]*)\}", src)
    if m:
        names += re.findall(r'"([^"]+)"', m.group(1))
    names += re.findall(r'strcmp\(\s*name\s*,\s*"([^"]+)"\s*\)', src)
    need(names, ["type", "source", "target", "options", "create", "mode", "preset",
                 "executable", "symlinks", "path"], "config keys")
    words = bold_words(conf5)
    report(names, lambda n: roff(n) in words, "mount-guard.conf(5) (in bold)")

elif CHECK == "conf-sections":
    src = read("helper/config_ini.c")
    names = re.findall(r'strcmp\(\s*section\s*,\s*"([^"]+)"\s*\)', src)
    names += re.findall(r'\{\s*"([a-z-]+)"\s*,\s*MG_KIND_', src)
    names += [s.strip() for s in re.findall(r'strncmp\(\s*section\s*,\s*"([^"]+)"', src)]
    need(names, ["options", "masked", "readonly", "writable", "mount"], "config sections")
    report(names, lambda n: re.search(r"^\.SS \[" + re.escape(roff(n)) + r"[\] ]", conf5, re.M),
           "the SECTIONS of mount-guard.conf(5) (.SS [name])")

elif CHECK == "conf-types":
    names = re.findall(r'\[MG_FS_[A-Z0-9_]+\]\s*=\s*\{\s*"([a-z0-9]+)"', read("common/plan.c"))
    need(names, ["bind", "rbind", "proc", "sysfs", "tmpfs", "devpts", "mqueue", "cgroup2", "dev"],
         "mount types")
    keys = section(conf5, "KEYS")
    report(names, lambda n: roff(n) in bold_words(keys), "the KEYS section of mount-guard.conf(5)")

elif CHECK == "presets":
    # The shipped presets (compiled in from policy/presets/*.conf): each has
    # a subsection of PRESETS in mount-guard.conf(5) and is named in
    # mount-guard(8).
    names = [os.path.basename(p)[:-5] for p in sorted(glob.glob(os.path.join(TOP, "policy/presets/*.conf")))]
    need(names, ["oci-default", "minimal-chroot"], "presets")
    report(names, lambda n: re.search(r"^\.SS " + re.escape(roff(n)) + r"\s*$", section(conf5, "PRESETS"), re.M)
           and roff(n) in bold_words(section(man8, "PRESETS")),
           "PRESETS of mount-guard.conf(5) (.SS) and of mount-guard(8)")

elif CHECK == "policy-keys":
    names = re.findall(r'strcmp\(\s*name\s*,\s*"([^"]+)"\s*\)', read("policy/policy_ini.c"))
    need(names, ["trust", "rootfs", "sources", "types", "force", "writable", "create",
                 "max-entries"], "policy keys")
    keys = section(policy5, "KEYS")
    report(names, lambda n: roff(n) in bold_words(keys), "the KEYS section of mount-guard-policy(5)")

elif CHECK == "policy-sections":
    names = [s.strip() for s in re.findall(r'strncmp\(\s*section\s*,\s*"([a-z]+) "', read("policy/policy_ini.c"))]
    # user/group are named only to be refused: they must be documented as such.
    need(names, ["uid", "gid"], "policy sections")
    report(names, lambda n: re.search(r"^\.(B|BI|BR|RB)\s.*\[" + n + r"\b", policy5, re.M),
           "mount-guard-policy(5) (in bold)")

else:
    print(f"unknown check {CHECK}")
    sys.exit(2)
