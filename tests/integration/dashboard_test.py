#!/usr/bin/env python3
"""The built-in dashboard (issue 15) in a real browser, and the HTTP
listener's limits, against a failover pair.

Lab (namespaces this test creates and always removes, labkit.PairLab):
  db-a-PID  primary   10.77.0.1, its HTTP listener on its own 127.0.0.1:9967
  db-b-PID  secondary 10.77.0.2, the same in its namespace
  db-c-PID  clients (busybox udhcpc) on a bridge joining both LANs
Steps: the pair reaches NORMAL; headless Chromium (Debian's chromium, run in
each server's namespace with a fresh profile) loads the dashboard, waits for
the live values and the DOM shows NORMAL for this server and the partner on
both, the free split of the scope equal to failover.scope_statistics, and the
state changes of failover.get's `history`; screenshots in build/. Then
failover.set percentage 70 on both and failover.trigger_addr_allocation: the
bars change to the new split (70 % of the free addresses to the primary) on
both pages. A client's lease is found by the page's lease search by address
and by MAC. The HTTP abuse cases: a long URL (414), a huge header (431), bad
methods (405 + Allow), garbage (400), more connections than the cap (503),
a slow client (408 within the head timeout), a file outside the fixed list
and a traversal (404), the right Content-Type and Cache-Control per file;
while idle and slow connections are held, a udhcpc client gets its lease and
the RPC answers, and afterwards the dashboard serves again. Last,
conf/grafana-dashboard.json is valid JSON naming only metrics /metrics has.
Over the management listener's TLS on A (dashboard_tls.py, docs/REMOTE.md §10):
Chromium, driven over the DevTools pipe (cdp.py), types alice's admin token
into the page and presses "Rebalance now": the split follows percentage 30;
bob (a user) sees the button disabled; a browser holding the admin's client
certificate (NSS database, libnss3-tools) is that subject without a token and
rebalances too; raw HTTPS requests check the roles
(bob's POST 403 / 5), CSRF (no X-Requested-With: 403, text/plain: 415), 401
without a token, the admin's client certificate, JSON-RPC lines refused
without a certificate, POST on the plain listener 405, the audit log naming
alice and bob; and the TLS path's limits (long URL, huge header, big and
chunked bodies, bad methods, too many connections, a slow client) while a
client gets its lease.

  dashboard_test.py              the test (root)
  dashboard_test.py probe ...    run inside a namespace by the test itself
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

import dashboard_tls as dt
import labkit as lk
from labkit import check, wait_for
from rfc3074 import client_macs

NS_A, NS_B, NS_C = "db-a-" + lk.TAG, "db-b-" + lk.TAG, "db-c-" + lk.TAG
SUBNET, LO, HI = "10.77.0.0", "10.77.0.100", "10.77.0.199"
PORT = 9967
URL = "http://127.0.0.1:%d" % PORT
WWW = os.path.join(lk.ROOT, "www")
SHOTS = os.path.join(lk.BUILD, "dashboard")
LAB = lk.PairLab((NS_A, NS_B, NS_C), ("fa", "fb"), ("la", "lb"), client_macs(4),
                 ("10.77.0.3/24",))
# the limits of src/ctl/ctl_http.h
MAX_CONNS, HEAD_TIMEOUT = 32, 5


# ---- inside a namespace: raw HTTP probes (python3 THIS probe KIND ...) ----

def raw(payload, wait=10.0):
    """Send bytes on a fresh connection to the listener: the whole answer."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=wait)
    data = b""
    try:
        s.sendall(payload)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionError):
        pass
    finally:
        s.close()
    return data


def status_of(data):
    m = re.match(rb"HTTP/1\.1 (\d{3}) ", data)
    return int(m.group(1)) if m else 0


def headers_of(data):
    head = data.split(b"\r\n\r\n", 1)[0].decode(errors="replace").split("\r\n")[1:]
    return {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in head if ":" in h)}


def probe_get(path, method="GET"):
    d = raw(("%s %s HTTP/1.1\r\nHost: x\r\n\r\n" % (method, path)).encode())
    body = d.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in d else b""
    return {"status": status_of(d), "headers": headers_of(d), "body": body.decode(errors="replace")}


def probe_flood():
    """More idle connections than the cap: how many are refused 503 at once,
    whether a GET is refused while they are held, and how the held ones end
    (408 after the head timeout); then a GET is served again."""
    held, refused = [], 0
    for _ in range(MAX_CONNS + 8):
        s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
        held.append(s)
    time.sleep(0.5)
    for s in held[MAX_CONNS:]:
        s.settimeout(2)
        try:
            refused += status_of(s.recv(4096)) == 503
        except socket.timeout:
            pass
    during = probe_get("/api/v1/status")["status"]
    t0 = time.monotonic()
    held[0].settimeout(HEAD_TIMEOUT + 5)
    first = held[0].recv(4096)
    waited = time.monotonic() - t0
    for s in held:
        s.close()
    time.sleep(0.3)
    return {"refused": refused, "during": during, "held_end": status_of(first),
            "held_waited": waited, "after": probe_get("/api/v1/status")["status"]}


def probe_slow():
    """A client sending its head a byte a second (slowloris): cut off with 408
    after the head timeout, whatever it keeps sending."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=HEAD_TIMEOUT + 5)
    t0, data = time.monotonic(), b""
    try:
        s.sendall(b"GET / HTTP/1.1\r\n")
        for c in b"X-Slow: " + b"a" * 30:
            s.sendall(bytes([c]))
            time.sleep(1)
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionError):
        pass
    s.close()
    return {"status": status_of(data), "secs": time.monotonic() - t0}


def probe_main(args):
    kind = args[0]
    if kind.startswith("tls"):
        out = dt.probe_main(kind, args[1:])
    elif kind == "get":
        out = probe_get(args[1], *(args[2:3]))
    elif kind == "raw":
        d = raw(bytes.fromhex(args[1]))
        out = {"status": status_of(d)}
    elif kind == "flood":
        out = probe_flood()
    else:
        out = probe_slow()
    print(json.dumps(out))
    return 0


# ---- the test ----

class Server(lk.Dhcpfod):
    def __init__(self, tmp, name, ns, ifc, listen, mgmt=""):
        super().__init__(os.path.join(tmp, name), ns)
        self.write_conf("[server]\ninterfaces = %s\ndatabase = %s/db.sqlite\n"
                        "control-socket = %s\nlog-level = debug\n"
                        "metrics-listen = 127.0.0.1:%d\ndashboard-dir = %s\n"
                        "[failover]\nlisten = %s\n%s"
                        % (ifc, self.dir, self.sock, PORT, WWW, listen, mgmt))

    def stats(self):
        return self.result("failover.scope_statistics", {"scope": SUBNET}, {})


def probe(ns, *args, timeout=60):
    """One probe of probe_main in namespace ns: its JSON, {} on failure."""
    p = lk.sh(sys.executable, os.path.abspath(__file__), "probe", *args, ns=ns,
              check_rc=False, timeout=timeout)
    try:
        return json.loads(p.stdout)
    except ValueError:
        print("  probe %s: %s %s" % (args, p.stdout[-300:], p.stderr[-300:]))
        return {}


def chromium(ns, tmp, path, shot=None, budget=8000):
    """Headless Chromium in namespace ns loads path: the DOM after budget ms
    of virtual time (the page's polls answered), and a screenshot to shot."""
    base = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
            "--window-size=1200,760", "--virtual-time-budget=%d" % budget]
    prof = tempfile.mkdtemp(prefix="chromium.", dir=tmp)
    p = lk.sh("nice", "-n", "10", *base, "--user-data-dir=" + prof, "--dump-dom",
              URL + path, ns=ns, check_rc=False, timeout=120)
    if shot:
        prof2 = tempfile.mkdtemp(prefix="chromium.", dir=tmp)
        lk.sh("nice", "-n", "10", *base, "--user-data-dir=" + prof2,
              "--screenshot=" + shot, URL + path, ns=ns, check_rc=False, timeout=120)
    return p.stdout


def rel_states(dom):
    """(this server's state, the partner's) of relationship r1 in the DOM."""
    m = re.search(r'<tr data-rel="r1">.*?class="my-state"><span class="state (\w+)".*?'
                  r'class="partner-state"><span class="state (\w+)"', dom, re.S)
    return (m.group(1), m.group(2)) if m else (None, None)


def bar_split(dom):
    """(this server's free, the partner's) of the scope's bar in the DOM."""
    m = re.search(r'<div class="scope" data-subnet="%s" data-this-free="(\d+)" '
                  r'data-partner-free="(\d+)"' % re.escape(SUBNET), dom)
    return (int(m.group(1)), int(m.group(2))) if m else (None, None)


def page(srv, tmp, shot=None):
    """The dashboard of srv as the browser shows it once live."""
    dom = chromium(srv.ns, tmp, "/", shot)
    check("live ·" in dom, "%s: the page went live (polled /api/v1/status)" % srv.name)
    return dom


def setup(a, b):
    scope = {"subnet": SUBNET, "prefix": 24, "name": "lan", "range": {"start": LO, "end": HI},
             "lease_time": 600, "options": {"routers": "10.77.0.254"}}
    rel = {"name": "r1", "primary_server": "10.99.0.1", "secondary_server": "10.99.0.2",
           "mode": "load-balance", "percentage": 50, "mclt": 8, "port": 647,
           "scopes": [SUBNET]}
    for srv, role in ((a, "primary"), (b, "secondary")):
        check(srv.call("scope.create", scope)[0] == "ok", "scope on " + srv.name)
        check(srv.call("scope.add_exclusion", {"subnet": SUBNET, "start": "10.77.0.190",
                                               "end": "10.77.0.199"})[0] == "ok",
              "exclusion on " + srv.name)
        r = srv.call("failover.create", dict(rel, server_type=role))
        check(r[0] == "ok", "relationship on %s: %r" % (srv.name, r))


def split_is(a, b, primary_pct):
    sa, sb = a.stats(), b.stats()
    f = sa.get("addr_free", -1)
    sec = f * (100 - primary_pct) // 100
    return sa.get("partner_addr_free") == sec and sb.get("this_addr_free") == sec


def step_states(a, b, tmp):
    check(wait_for(lambda: a.rel().get("state") == "NORMAL" and
                   b.rel().get("state") == "NORMAL", 40), "both reach NORMAL")
    check(wait_for(lambda: split_is(a, b, 50), 15), "the split at 50 % on entering NORMAL")
    hist = a.rel().get("history", [])
    check(hist and hist[0]["to"] == "NORMAL" and hist[0]["reason"],
          "failover.get history: newest NORMAL with a reason: %s" % hist[:2])
    check(isinstance(a.rel().get("state_since"), int) and a.rel()["state_since"] > 0,
          "failover.get state_since")
    splits = {}
    for srv in (a, b):
        dom = page(srv, tmp, os.path.join(SHOTS, "dashboard-%s-50.png" % srv.name))
        st = rel_states(dom)
        check(st == ("NORMAL", "NORMAL"), "%s: the page shows NORMAL / partner NORMAL: %s"
              % (srv.name, st))
        s = srv.stats()
        splits[srv.name] = bar_split(dom)
        check(splits[srv.name] == (s.get("this_addr_free"), s.get("partner_addr_free")),
              "%s: the bar is failover.scope_statistics: %s vs %s" % (srv.name,
              splits[srv.name], s))
        check(re.search(r'<table id="history">.*?<span class="state NORMAL">NORMAL</span>'
                        r'</td><td>[^<]+</td></tr>', dom, re.S) is not None and
              re.search(r"<button[^>]*disabled[^>]*title=\"Rebalance now needs the "
                        r"authenticated management listener", dom) is not None,
              "%s: history rows; Rebalance now disabled with its reason" % srv.name)
    return splits


def step_rebalance(a, b, tmp, before):
    for srv in (a, b):
        r = srv.call("failover.set", {"name": "r1", "percentage": 70})
        check(r[0] == "ok", "failover.set percentage 70 on %s: %r" % (srv.name, r))
    # a new percentage reaches the partner by a reconnection: NORMAL again first
    check(wait_for(lambda: a.rel().get("state") == "NORMAL" and
                   b.rel().get("state") == "NORMAL" and
                   a.rel().get("partner_state") == "NORMAL", 40),
          "both NORMAL again after the new percentage")
    r = lk.sh(a.ctl, "-s", a.sock, "failover", "rebalance", "r1", check_rc=False)
    check(r.returncode == 0, "dhcpfoctl failover rebalance r1: %s" % r.stdout.strip())
    check(wait_for(lambda: split_is(a, b, 70), 15), "the split at 70 % in the RPC")
    time.sleep(1.2)     # past the status document's one-second cache
    for srv in (a, b):
        dom = page(srv, tmp, os.path.join(SHOTS, "dashboard-%s-70.png" % srv.name))
        got, s = bar_split(dom), srv.stats()
        check(got == (s.get("this_addr_free"), s.get("partner_addr_free")) and
              got != before[srv.name], "%s: the bar moved %s -> %s (RPC %s/%s)" % (
              srv.name, before[srv.name], got, s.get("this_addr_free"),
              s.get("partner_addr_free")))
    f = a.stats().get("addr_free", 0)
    check(bar_split(chromium(NS_A, tmp, "/"))[0] == f - f * 30 // 100,
          "A (primary) holds 70 %% of the %d free addresses on its page" % f)


def step_search(a, tmp):
    got = lk.udhcpc(NS_C, "c0", tmp)
    check(got is not None, "client c0 gets a lease: %s" % (got,))
    if not got:
        return
    ip, hw = got[0], lk.hw_of(NS_C, "c0")
    check(wait_for(lambda: a.result("lease.get", {"address": ip}, {}).get("hwaddr") == hw, 10),
          "the lease on the primary too")
    for q in (ip, hw):
        dom = chromium(NS_A, tmp, "/?q=" + q, os.path.join(SHOTS, "dashboard-search.png")
                       if q == ip else None)
        check(re.search(r"<tr><td>%s</td><td>%s</td>" % (re.escape(ip), re.escape(hw)), dom)
              is not None, "the page's lease search finds %s" % q)
    r = probe(NS_A, "get", "/api/v1/leases?q=no-such-host")
    check(r.get("status") == 200 and json.loads(r["body"])["leases"] == [],
          "an unknown hostname: no leases")


def step_files(a):
    for path, ctype in (("/", "text/html; charset=utf-8"),
                        ("/dashboard.js", "text/javascript; charset=utf-8"),
                        ("/dashboard.css", "text/css; charset=utf-8"),
                        ("/favicon.svg", "image/svg+xml"),
                        ("/api/v1/status", "application/json")):
        r = probe(NS_A, "get", path)
        h = r.get("headers", {})
        want_cache = "no-store" if path.startswith("/api") else "no-cache"
        check(r.get("status") == 200 and h.get("content-type") == ctype and
              h.get("cache-control") == want_cache and h.get("x-content-type-options") == "nosniff",
              "GET %s: %s %s %s" % (path, r.get("status"), h.get("content-type"),
                                    h.get("cache-control")))
    r = probe(NS_A, "get", "/")
    check("default-src 'self'" in r.get("headers", {}).get("content-security-policy", ""),
          "the page has a Content-Security-Policy")
    r = probe(NS_A, "get", "/", "HEAD")
    check(r.get("status") == 200 and r.get("body") == "", "HEAD /: no body")
    for path in ("/../../etc/passwd", "/%2e%2e/etc/passwd", "/www/index.html", "/index.html/",
                 "/dashboard.js.bak", "/README.md", "//etc/passwd"):
        r = probe(NS_A, "get", path)
        check(r.get("status") == 404, "GET %s: %s, want 404" % (path, r.get("status")))


def step_abuse(a, b, tmp):
    cases = (("long URL", b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\n\r\n", 414),
             ("huge header", b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n", 431),
             ("POST", b"POST /api/v1/status HTTP/1.1\r\nContent-Length: 3\r\n\r\nx=1", 405),
             ("DELETE", b"DELETE / HTTP/1.1\r\n\r\n", 405),
             ("garbage", b"\x00\x01\x02 garbage\r\n\r\n", 400),
             ("HTTP/2.0", b"GET / HTTP/2.0\r\n\r\n", 505))
    for what, payload, want in cases:
        r = probe(NS_A, "raw", payload.hex())
        check(r.get("status") == want, "%s: %s, want %d" % (what, r.get("status"), want))
    # the flood and the slow client in the background, a DHCP client meanwhile
    env_cmd = [sys.executable, os.path.abspath(__file__), "probe"]
    # the slow client first: connected before the flood fills the cap, it holds
    # one of the 32 places until its head timeout
    slow = subprocess.Popen(["ip", "netns", "exec", NS_A] + env_cmd + ["slow"],
                            stdout=subprocess.PIPE, text=True)
    time.sleep(1)
    flood = subprocess.Popen(["ip", "netns", "exec", NS_A] + env_cmd + ["flood"],
                             stdout=subprocess.PIPE, text=True)
    time.sleep(1)
    got = lk.udhcpc(NS_C, "c1", tmp)
    check(got is not None, "a udhcpc client gets its lease during the HTTP abuse: %s" % (got,))
    check(a.call("server.status")[0] == "ok", "the RPC answers during the HTTP abuse")
    fl = json.loads(flood.communicate(timeout=60)[0] or "{}")
    sl = json.loads(slow.communicate(timeout=60)[0] or "{}")
    check(fl.get("refused", 0) >= 7, "connections past the cap refused 503 at once: %s" % fl)
    check(fl.get("during") == 503, "a GET while the cap is full: %s, want 503" % fl.get("during"))
    check(fl.get("held_end") == 408 and fl.get("held_waited", 99) < HEAD_TIMEOUT + 2,
          "an idle connection is closed with 408 after the head timeout: %s" % fl)
    check(fl.get("after") == 200, "served again once they are gone: %s" % fl.get("after"))
    check(sl.get("status") == 408 and sl.get("secs", 99) < HEAD_TIMEOUT + 3,
          "a slow client (a byte a second) is cut off with 408: %s" % sl)
    got = lk.udhcpc(NS_C, "c2", tmp)
    check(got is not None, "a udhcpc client gets its lease after the HTTP abuse: %s" % (got,))
    check(a.rel().get("state") == "NORMAL" and b.rel().get("state") == "NORMAL",
          "the pair still NORMAL after the HTTP abuse")


def step_grafana(a):
    """conf/grafana-dashboard.json: valid JSON, and every metric its queries name is
    a sample name of this pair's /metrics (a relationship, a scope, a lease: every
    family present)."""
    path = os.path.join(lk.ROOT, "conf", "grafana-dashboard.json")
    try:
        with open(path) as f:
            doc = json.load(f)
    except ValueError as e:
        check(False, "grafana-dashboard.json is not JSON: %s" % e)
        return
    exprs = [t["expr"] for p in doc.get("panels", []) for t in p.get("targets", [])]
    exprs += [v.get("definition", "") for v in doc.get("templating", {}).get("list", [])]
    used = {n for e in exprs for n in re.findall(r"\b(dhcpfod_[a-z_]+)", e)}
    r = probe(NS_A, "get", "/metrics")
    have = {line.split("{")[0].split(" ")[0] for line in r.get("body", "").splitlines()
            if line and not line.startswith("#")}
    check(len(used) >= 20 and used <= have, "grafana-dashboard.json: %d metrics, all in "
          "/metrics; missing: %s" % (len(used), sorted(used - have)))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "probe":
        return probe_main(sys.argv[2:])
    if os.geteuid() != 0:
        print("dashboard: SKIP: needs root for network namespaces")
        return 77
    for tool in ("busybox", "chromium", "openssl"):
        if shutil.which(tool) is None:
            print("dashboard: SKIP: %s missing: run scripts/install-deps" % tool)
            return 77
    os.makedirs(SHOTS, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="dfo-dash.")
    lk.exit_on_sigterm(130)
    a = b = None
    try:
        LAB.up()
        dt.make_pki(tmp)
        toks = dt.make_tokens(tmp)
        audit = os.path.join(tmp, "audit.log")
        a = Server(tmp, "A", NS_A, "la", "10.99.0.1:647", dt.mgmt_conf(tmp, audit))
        b = Server(tmp, "B", NS_B, "lb", "10.99.0.2:647")
        for srv in (a, b):
            lk.sh("ip", "link", "set", "lo", "up", ns=srv.ns)
            srv.start()
        setup(a, b)
        before = step_states(a, b, tmp)
        step_rebalance(a, b, tmp, before)
        dt.step_browser(a, b, tmp, toks, SHOTS, split_is, lambda s: s.stats())
        dt.step_cert(a, tmp)
        dt.step_api(probe, a, tmp, toks, audit)
        step_search(a, tmp)
        step_files(a)
        step_grafana(a)
        step_abuse(a, b, tmp)
        dt.step_abuse(probe, a, b, tmp, NS_C)
        print("dashboard: screenshots in %s" % SHOTS)
    except Exception as e:      # a broken lab is a failure, not a crash
        check(False, "exception: %r" % (e,))
    finally:
        lk.show_logs((a, b), 4000)
        for s in (a, b):
            if s and s.proc:
                rc = s.stop()
                check(rc == 0, "%s exits 0 on SIGTERM (a sanitizer build: no leak): %r"
                      % (s.name, rc))
        LAB.close(tmp)
    return lk.report("dashboard")


if __name__ == "__main__":
    sys.exit(main())
