#!/usr/bin/env python3
"""The metrics end to end (issue 6): server.metrics, `dhcpfoctl metrics` and
the metrics-listen HTTP listener.

Every text fetched goes through a strict checker of the Prometheus text
exposition format 0.0.4 written here (line grammar, HELP then TYPE once per
family, a family's samples together and named after it, label syntax and
escapes, float values, no duplicate series, histogram buckets cumulative with
+Inf equal to _count), and through `promtool check metrics` when it is
installed (scripts/install-deps installs the prometheus package).

  metrics_test.py              the loopback test: one dhcpfod on a temporary
                               directory, its HTTP listener on 127.0.0.1 and a
                               free high port; no root needed
  metrics_test.py check FILE   check a text (t_metrics.sh's namespace part)
  metrics_test.py get URL FILE fetch GET URL into FILE, checking the status
                               and the content type
Exit 0 = all passed.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import labkit as lk
from labkit import CTL, DAEMON, check

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


# ---- the format checker ----

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
VALUE = re.compile(r"^(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
                   r"|[+-]Inf|NaN)$")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")
ESCAPES = {"\\": "\\", '"': '"', "n": "\n"}


class FormatError(Exception):
    pass


def parse_labels(s, i, lineno):
    """{a="x",...} from s[i] == '{': (dict, index after '}')."""
    labels = {}
    i += 1
    if s[i:i + 1] == "}":
        return labels, i + 1
    while True:
        m = LABEL_NAME.match(s, i)
        if not m or s[m.end():m.end() + 2] != '="':
            raise FormatError("line %d: bad label name at %r" % (lineno, s[i:i + 20]))
        name = m.group(0)
        if name in labels:
            raise FormatError("line %d: label %s twice" % (lineno, name))
        i = m.end() + 2
        val = []
        while True:
            if i >= len(s):
                raise FormatError("line %d: unterminated label value" % lineno)
            c = s[i]
            if c == '"':
                break
            if c == "\\":
                e = s[i + 1:i + 2]
                if e not in ESCAPES:
                    raise FormatError("line %d: bad escape \\%s" % (lineno, e))
                val.append(ESCAPES[e])
                i += 2
                continue
            val.append(c)
            i += 1
        labels[name] = "".join(val)
        i += 1
        if s[i:i + 1] == "}":
            return labels, i + 1
        if s[i:i + 1] != ",":
            raise FormatError("line %d: expected , or } at %r" % (lineno, s[i:i + 20]))
        i += 1


def family_of(fams, order, name):
    """The family a sample name belongs to (the last declared one must be it)."""
    if not order:
        return None
    f = fams[order[-1]]
    if f["type"] == "histogram":
        for suf in ("_bucket", "_sum", "_count"):
            if name == f["name"] + suf:
                return f
        return None
    return f if name == f["name"] else None


def parse(text):
    """Families {name: {name, type, help, samples: [(name, labels, value)]}};
    raises FormatError on anything the format (or our stricter house rules:
    no blank lines, no other comments, no timestamps) does not allow."""
    if not text.endswith("\n"):
        raise FormatError("the text does not end with a newline")
    fams, order, seen = {}, [], set()
    for lineno, line in enumerate(text[:-1].split("\n"), 1):
        if line == "":
            raise FormatError("line %d: empty line" % lineno)
        if line.startswith("#"):
            m = re.match(r"^# (HELP|TYPE) (\S+) (.*)$", line)
            if not m or not NAME.fullmatch(m.group(2)):
                raise FormatError("line %d: comment other than HELP/TYPE: %r" % (lineno, line))
            kind, name, rest = m.groups()
            if kind == "HELP":
                if name in fams:
                    raise FormatError("line %d: family %s declared twice" % (lineno, name))
                if re.search(r"\\[^\\n]", rest) or rest.endswith("\\") and not rest.endswith("\\\\"):
                    raise FormatError("line %d: bad escape in help" % lineno)
                fams[name] = {"name": name, "type": None, "help": rest, "samples": []}
                order.append(name)
            else:
                f = fams.get(name)
                if not order or order[-1] != name or f["type"] is not None or f["samples"]:
                    raise FormatError("line %d: TYPE not right after its HELP" % lineno)
                if rest not in TYPES:
                    raise FormatError("line %d: unknown type %r" % (lineno, rest))
                f["type"] = rest
            continue
        m = NAME.match(line)
        if not m:
            raise FormatError("line %d: no metric name: %r" % (lineno, line))
        name, i = m.group(0), m.end()
        f = family_of(fams, order, name)
        if f is None or f["type"] is None:
            raise FormatError("line %d: %s outside its family (HELP/TYPE first, a "
                              "family's samples together)" % (lineno, name))
        labels = {}
        if line[i:i + 1] == "{":
            labels, i = parse_labels(line, i, lineno)
        if line[i:i + 1] != " " or not VALUE.match(line[i + 1:]):
            raise FormatError("line %d: bad value (or a timestamp): %r" % (lineno, line))
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            raise FormatError("line %d: duplicate series %r" % (lineno, line))
        seen.add(key)
        f["samples"].append((name, labels, float(line[i + 1:].replace("Inf", "inf"))))
    for f in fams.values():
        check_family(f)
    return fams


def check_family(f):
    if not f["samples"]:
        raise FormatError("family %s has no sample" % f["name"])
    if not f["name"].startswith("dhcpfod_"):
        raise FormatError("%s: not prefixed dhcpfod_" % f["name"])
    if (f["type"] == "counter") != f["name"].endswith("_total"):
        raise FormatError("%s: counters and only counters end in _total" % f["name"])
    if f["type"] == "counter" and any(v < 0 for _, _, v in f["samples"]):
        raise FormatError("%s: a negative counter" % f["name"])
    if f["type"] == "histogram":
        check_histogram(f)


def check_histogram(f):
    buckets = [(s[1]["le"], s[2]) for s in f["samples"] if s[0].endswith("_bucket")]
    sums = [s for s in f["samples"] if s[0].endswith("_sum")]
    counts = [s[2] for s in f["samples"] if s[0].endswith("_count")]
    les = [float(le.replace("Inf", "inf")) for le, _ in buckets]
    if not buckets or buckets[-1][0] != "+Inf" or les != sorted(les):
        raise FormatError("%s: buckets not ascending to +Inf" % f["name"])
    vals = [v for _, v in buckets]
    if vals != sorted(vals):
        raise FormatError("%s: buckets not cumulative" % f["name"])
    if len(sums) != 1 or counts != [vals[-1]]:
        raise FormatError("%s: _sum/_count missing or +Inf != _count" % f["name"])


def promtool_check(text):
    """(ran, ok, output): promtool check metrics (with its lint) when installed."""
    if shutil.which("promtool") is None:
        return False, True, ""
    p = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                       text=True, timeout=60)
    return True, p.returncode == 0, (p.stdout + p.stderr).strip()


def check_text(text, what):
    """Both checkers; returns the families (or None)."""
    try:
        fams = parse(text)
        check(True, what)
    except FormatError as e:
        check(False, "%s: %s" % (what, e))
        fams = None
    ran, ok, out = promtool_check(text)
    if ran:
        check(ok, "%s: promtool check metrics: %s" % (what, out))
    return fams


def value(fams, metric, labels=None):
    """The value of one series; None if absent."""
    for f in fams.values():
        for n, l, v in f["samples"]:
            if n == metric and l == (labels or {}):
                return v
    return None


def series_keys(fams):
    return {(n, tuple(sorted(l.items()))) for f in fams.values() for n, l, _ in f["samples"]}


# ---- HTTP ----

def http(method, url, data=None, headers=None):
    """(status, headers, body) of one request."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode(errors="replace")


# ---- the loopback test ----

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Daemon(lk.Dhcpfod):
    """One dhcpfod on a temporary directory, metrics over HTTP on loopback."""

    def __init__(self, tmp, mport, fport):
        super().__init__(tmp)
        self.db = os.path.join(tmp, "db", "dhcpfod.db")
        os.makedirs(os.path.dirname(self.db), exist_ok=True)
        self.url = "http://127.0.0.1:%d" % mport
        self.listen_conf("127.0.0.1:%d" % mport, fport)

    def listen_conf(self, metrics, fport):
        """The configuration: the metrics listener on metrics, failover on port fport."""
        self.write_conf("[server]\ninterfaces =\ndatabase = %s\ncontrol-socket = %s\n"
                        "server-id = 10.77.0.1\nlog-level = debug\nmetrics-listen = %s\n"
                        "dashboard-dir = \n"
                        "[failover]\nlisten = 127.0.0.1:%d\n" % (self.db, self.sock, metrics,
                                                                 fport))


def ctl(d, *args):
    p = subprocess.run([CTL, "-s", d.sock] + list(args), capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


def call_ok(d, method, params):
    r = d.call(method, params)
    check(r[0] == "ok", "%s %s: %r" % (method, params, r))
    return r[1] if r[0] == "ok" else None


NASTY = 'lab "one" \\ back\nslash'


def setup(d, closed_port):
    call_ok(d, "scope.create", {"subnet": "10.1.0.0", "prefix": 24, "name": NASTY,
                                "range": {"start": "10.1.0.10", "end": "10.1.0.200"}})
    call_ok(d, "scope.add_exclusion", {"subnet": "10.1.0.0", "start": "10.1.0.10",
                                       "end": "10.1.0.19"})
    call_ok(d, "reservation.add", {"subnet": "10.1.0.0", "address": "10.1.0.50",
                                   "hwaddr": "02:00:00:00:00:01", "name": "r"})
    call_ok(d, "scope.create", {"subnet": "10.2.0.0", "prefix": 16, "name": "big",
                                "range": {"start": "10.2.0.1", "end": "10.2.255.254"}})
    call_ok(d, "scope.create", {"subnet": "10.3.0.0", "prefix": 24, "name": "other",
                                "range": {"start": "10.3.0.1", "end": "10.3.0.100"}})
    # the partner is a closed port on loopback: the link stays down
    call_ok(d, "failover.create", {
        "name": 'r"1\\', "primary_server": "10.77.0.1", "secondary_server": "127.0.0.1",
        "mode": "load-balance", "server_type": "primary", "percentage": 50,
        "mclt": 3600, "port": closed_port, "scopes": ["10.1.0.0"]})
    call_ok(d, "failover.create", {
        "name": "hs", "primary_server": "127.0.0.1", "secondary_server": "10.77.0.1",
        "mode": "hot-standby", "server_type": "secondary", "percentage": 10,
        "mclt": 60, "port": closed_port, "scopes": ["10.3.0.0"]})


def test_values(d, fams):
    r1 = 'r"1\\'
    expect = [
        ("dhcpfod_build_info", {"version": "0.1.0"}, 1),
        ("dhcpfod_scope_info", {"scope": "10.1.0.0", "name": NASTY, "relationship": r1}, 1),
        ("dhcpfod_scope_info", {"scope": "10.2.0.0", "name": "big", "relationship": ""}, 1),
        ("dhcpfod_scope_addresses", {"scope": "10.1.0.0"}, 181),
        ("dhcpfod_scope_in_use_addresses", {"scope": "10.1.0.0"}, 1),   # the reservation
        ("dhcpfod_scope_free_addresses", {"scope": "10.1.0.0"}, 180),
        ("dhcpfod_scope_this_free_addresses", {"scope": "10.1.0.0", "relationship": r1}, 180),
        ("dhcpfod_scope_partner_free_addresses", {"scope": "10.1.0.0", "relationship": r1}, 0),
        ("dhcpfod_scope_leases", {"scope": "10.1.0.0", "state": "FREE"}, 180),
        ("dhcpfod_scope_leases", {"scope": "10.1.0.0", "state": "BACKUP"}, 0),
        ("dhcpfod_scope_leases", {"scope": "10.1.0.0", "state": "ACTIVE"}, 0),
        ("dhcpfod_scope_addresses", {"scope": "10.2.0.0"}, 65534),
        ("dhcpfod_scope_leases", {"scope": "10.2.0.0", "state": "FREE"}, 65534),
        ("dhcpfod_scope_this_free_addresses", {"scope": "10.2.0.0", "relationship": ""}, 65534),
        # the secondary of hs: everything free is the primary's (FREE), owned by the partner
        ("dhcpfod_scope_leases", {"scope": "10.3.0.0", "state": "FREE"}, 100),
        ("dhcpfod_scope_this_free_addresses", {"scope": "10.3.0.0", "relationship": "hs"}, 0),
        ("dhcpfod_scope_partner_free_addresses", {"scope": "10.3.0.0", "relationship": "hs"}, 100),
        ("dhcpfod_failover_info", {"relationship": r1, "role": "primary",
                                   "mode": "load-balance"}, 1),
        ("dhcpfod_failover_info", {"relationship": "hs", "role": "secondary",
                                   "mode": "hot-standby"}, 1),
        ("dhcpfod_failover_connected", {"relationship": r1}, 0),
        ("dhcpfod_failover_unacked_updates", {"relationship": r1}, 0),
        ("dhcpfod_failover_clock_skew_seconds", {"relationship": r1}, 0),
        ("dhcpfod_failover_time_out_of_sync", {"relationship": r1}, 0),
        ("dhcpfod_failover_partner_state", {"relationship": r1}, 0),
        ("dhcpfod_failover_partner_state_info", {"relationship": r1, "state": "NO_STATE"}, 1),
        ("dhcpfod_packets_received_total", {"type": "DHCPDISCOVER"}, 0),
        ("dhcpfod_packets_dropped_total", {"reason": "no_scope"}, 0),
        ("dhcpfod_commit_durable_seconds_count", {}, 0),
    ]
    for name, labels, want in expect:
        got = value(fams, name, labels)
        check(got == want, "%s%s = %r, want %r" % (name, labels, got, want))
    # the state gauge and its info series agree with failover.get
    for rel in (r1, "hs"):
        rc, out, _ = ctl(d, "-j", "failover", "get", rel)
        st = json.loads(out)["state"] if rc == 0 else None
        info = [l["state"] for n, l, v in fams["dhcpfod_failover_state_info"]["samples"]
                if l["relationship"] == rel and v == 1]
        num = value(fams, "dhcpfod_failover_state", {"relationship": rel})
        check(info == [st] and num in (2.0, 9.0, 5.0, 4.0),
              "state of %s: info %r, number %r, failover.get %r" % (rel, info, num, st))
    check(value(fams, "dhcpfod_rpc_requests_total") >= 8, "rpc requests counted")


def test_ctl(d):
    rc, text, err = ctl(d, "metrics")
    check(rc == 0, "dhcpfoctl metrics: rc %d %s" % (rc, err))
    fams = check_text(text, "dhcpfoctl metrics")
    if fams:
        test_values(d, fams)
    rc, out, _ = ctl(d, "--json", "metrics")
    check(rc == 0 and json.loads(out)["text"].startswith("# HELP dhcpfod_"),
          "dhcpfoctl --json metrics: {\"text\": ...}")
    rc, _, err = ctl(d, "call", "server.metrics", '{"x":1}')
    check(rc == 1 and "ERROR_INVALID_PARAMETER (87)" in err, "server.metrics with a param: %s" % err)
    rc, out, _ = ctl(d, "metrics", "--help")
    check(rc == 0 and "Prometheus" in out, "dhcpfoctl metrics --help: %s" % out)
    rc, out, _ = ctl(d, "--help")
    check(re.search(r"^  metrics\s", out, re.M) is not None, "metrics in dhcpfoctl --help")
    return text


def test_http(d, ctl_text):
    st, hd, body = http("GET", d.url + "/metrics")
    check(st == 200 and hd.get("Content-Type") == CONTENT_TYPE,
          "GET /metrics: %d %s" % (st, hd.get("Content-Type")))
    fams = check_text(body, "GET /metrics")
    ctl_fams = parse(ctl_text) if ctl_text else None
    if fams and ctl_fams:
        # the same series both ways (values move: uptime, RPC counters)
        check(series_keys(fams) == series_keys(ctl_fams), "HTTP and dhcpfoctl series differ: %r" %
              (series_keys(fams) ^ series_keys(ctl_fams)))
    st, _, body = http("GET", d.url + "/metrics?name[]=x")
    check(st == 200 and body.startswith("# HELP"), "GET /metrics?query: %d" % st)
    st, hd, body = http("HEAD", d.url + "/metrics")
    check(st == 200 and body == "", "HEAD /metrics: %d %r" % (st, body[:40]))
    # the dashboard is off here (dashboard-dir empty): its paths are 404 too
    for method, path in (("GET", "/"), ("GET", "/metricsx"), ("GET", "/metrics/"),
                         ("GET", "/debug"), ("GET", "/api/v1/status")):
        st, _, _ = http(method, d.url + path)
        check(st == 404, "%s %s: %d, want 404" % (method, path, st))
    for method in ("POST", "PUT", "DELETE"):
        data = b"x=1" if method in ("POST", "PUT") else None
        st, hd, _ = http(method, d.url + "/metrics", data=data)
        check(st == 405 and hd.get("Allow") == "GET, HEAD",
              "%s /metrics: %d %s, want 405 with Allow" % (method, st, hd.get("Allow")))


def raw(url, payload, wait=5.0):
    """Send bytes on a fresh connection; the first line of the answer ('' if none)."""
    host, port = url[len("http://"):].split(":")
    s = socket.create_connection((host, int(port)), timeout=wait)
    try:
        s.sendall(payload)
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionError):
        data = b""
    finally:
        s.close()
    return data.split(b"\r\n", 1)[0].decode(errors="replace")


def test_http_bounds(d):
    # headers over 8 KiB, a body over 4 KiB, garbage: refused, the daemon serves on
    big = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
    line = raw(d.url, big)
    check(not line.startswith("HTTP/1.1 200"), "oversized headers refused: %r" % line)
    body = b"b" * 10000
    line = raw(d.url, b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" %
               len(body) + body)
    check(line.startswith("HTTP/1.1 405") or line == "", "oversized body refused: %r" % line)
    line = raw(d.url, b"\x00\x01garbage\r\n\r\n")
    check(not line.startswith("HTTP/1.1 200"), "garbage refused: %r" % line)
    # a client that connects and says nothing holds nobody up
    idle = [socket.create_connection(("127.0.0.1", int(d.url.rsplit(":", 1)[1])))
            for _ in range(20)]
    t0 = time.monotonic()
    st, _, _ = http("GET", d.url + "/metrics")
    check(st == 200 and time.monotonic() - t0 < 5, "served beside 20 idle connections")
    for s in idle:
        s.close()
    # one request per connection: the answer says so and the server closes
    line = raw(d.url, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    check(line == "HTTP/1.1 200 OK", "raw GET: %r" % line)
    rc, _, _ = ctl(d, "status")
    check(rc == 0, "RPC still served after the HTTP abuse")


def test_reload(d):
    d.listen_conf("127.0.0.2:1", 1)
    rc, out, err = ctl(d, "reload")
    check(rc == 0, "reload: %s" % err)
    time.sleep(0.2)
    check("metrics-listen changed to 127.0.0.2:1; it takes effect at restart" in d.log(),
          "reload says metrics-listen waits for a restart")
    st, _, _ = http("GET", d.url + "/metrics")
    check(st == 200, "the listener stays after the reload")


def test_config(tmp, mport):
    conf = os.path.join(tmp, "t.conf")
    with open(conf, "w") as f:
        f.write("[server]\nmetrics-listen = 127.0.0.1\n")
    p = subprocess.run([DAEMON, "-t", "-c", conf], capture_output=True, text=True)
    check(p.returncode == 0 and "\nmetrics-listen = 127.0.0.1:9967\n" in p.stdout,
          "-t prints metrics-listen with its port: %s" % p.stdout)
    p = subprocess.run([DAEMON, "-t", "-c", "conf/dhcpfod.conf"], capture_output=True,
                       text=True)
    check(p.returncode == 0 and "\nmetrics-listen = \n" in p.stdout,
          "-t of the example: metrics off: %s" % p.stdout)
    with open(conf, "w") as f:
        f.write("[server]\nmetrics-listen = 0.0.0.0:9967\n")
    p = subprocess.run([DAEMON, "-t", "-c", conf], capture_output=True, text=True)
    check(p.returncode == 1 and p.stderr.startswith(conf + ":2: metrics-listen must name one "
                                                   "address"), "-t refuses 0.0.0.0: %s" % p.stderr)


def test_port_taken(tmp):
    """A listener that cannot bind stops the start with a message."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    sub = os.path.join(tmp, "taken")
    os.makedirs(sub)
    d = Daemon(sub, port, free_port())
    p = subprocess.run([DAEMON, "-c", d.conf], capture_output=True, text=True, timeout=30)
    s.close()
    check(p.returncode != 0 and "metrics-listen: cannot listen on 127.0.0.1:%d" % port in p.stderr,
          "a taken port stops the start: %d %s" % (p.returncode, p.stderr[-300:]))


def loopback():
    for b in (DAEMON, CTL):
        if not os.access(b, os.X_OK):
            print("missing %s: run make first" % b)
            return 1
    if shutil.which("promtool") is None:
        print("note: promtool not installed: the built-in checker only")
    with tempfile.TemporaryDirectory(prefix="dhcpfod-metrics.") as tmp:
        os.chmod(tmp, 0o755)
        mport, fport = free_port(), free_port()
        d = Daemon(tmp, mport, fport)
        d.start()
        try:
            setup(d, free_port())
            text = test_ctl(d)
            test_http(d, text)
            test_http_bounds(d)
            test_reload(d)
            rc = d.stop()
            check(rc == 0, "SIGTERM exit status %r" % rc)
        finally:
            d.stop()
            if lk.failed:
                print("---- daemon log (tail) ----\n" + d.log()[-4000:])
        test_config(tmp, mport)
        test_port_taken(tmp)
    return lk.report("metrics")


def main(argv):
    if len(argv) == 3 and argv[1] == "check":
        with open(argv[2]) as f:
            fams = check_text(f.read(), argv[2])
        return 0 if fams is not None and not lk.failed else 1
    if len(argv) == 4 and argv[1] == "get":
        st, hd, body = http("GET", argv[2])
        with open(argv[3], "w") as f:
            f.write(body)
        ok = st == 200 and hd.get("Content-Type") == CONTENT_TYPE
        if not ok:
            print("GET %s: %d %s" % (argv[2], st, hd.get("Content-Type")))
        return 0 if ok else 1
    if len(argv) == 1:
        return loopback()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
