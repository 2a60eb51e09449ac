#!/usr/bin/env python3
"""Every system call a traced dhcpfod made must pass its unit's SystemCallFilter=.

    syscall_filter.py TRACE BINARY UNIT

TRACE is `strace -f -qq -o TRACE` output of a run whose command ends by
executing BINARY; only what follows that execve counts. The filter is the
unit's SystemCallFilter= lines (an allow list, then ~ lines taking groups
away), with each @group expanded by `systemd-analyze syscall-filter`.
Exit 0 when every call is allowed (a one-line summary), 1 listing the others.
"""
import re
import subprocess
import sys

_groups = {}


def group(name):
    """The system calls of a @group, nested groups expanded."""
    if name in _groups:
        return _groups[name]
    out = subprocess.run(["systemd-analyze", "syscall-filter", name],
                         capture_output=True, text=True, check=True).stdout
    calls = set()
    for line in out.splitlines()[1:]:
        item = line.strip()
        if not item or item.startswith("#"):
            continue
        if line[:1] not in (" ", "\t"):
            break           # the next group of the listing
        calls |= group(item) if item.startswith("@") else {item}
    _groups[name] = calls
    return calls


def items(words):
    calls = set()
    for w in words:
        calls |= group(w) if w.startswith("@") else {w}
    return calls


def unit_filter(path):
    """(allowed, denied) of the unit's SystemCallFilter= lines."""
    allowed, denied = set(), set()
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*SystemCallFilter=(.*)", line)
            if not m:
                continue
            v = m.group(1).strip()
            if v.startswith("~"):
                denied |= items(v[1:].split())
            else:
                allowed |= items(v.split())
    return allowed, denied


def traced_calls(trace, binary):
    """System calls after the execve of binary, with a count each."""
    seen, started = {}, False
    call = re.compile(r"^\d+\s+(?:<\.\.\. )?([a-z_][a-z0-9_]*)[( ]")
    with open(trace) as f:
        for line in f:
            if not started:
                started = ('execve("%s"' % binary) in line and line.rstrip().endswith("= 0")
                continue
            m = call.match(line)
            if m:
                seen[m.group(1)] = seen.get(m.group(1), 0) + 1
    if not started:
        sys.exit("no execve of %s in %s" % (binary, trace))
    return seen


def main():
    trace, binary, unit = sys.argv[1:4]
    allowed, denied = unit_filter(unit)
    seen = traced_calls(trace, binary)
    bad = sorted(c for c in seen if c not in allowed or c in denied)
    for c in bad:
        print("%s (%d calls): %s" % (c, seen[c], "denied by a ~ line" if c in denied
                                     else "not in the allow list"))
    print("syscall filter: %d distinct system calls, %d outside the unit's filter"
          % (len(seen), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
