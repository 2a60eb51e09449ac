#!/usr/bin/env python3
"""bench-failover.py (`make bench-failover`): a pair of dhcpfod servers, measured.

The lab of tests/integration/failover_test.py (servers A and B, a failover link
between them, clients on a bridge in a third namespace; all created here and
removed at the end, also on failure). Figures:
  1. rebalancing a /16 (65 534 free addresses) from 100/0 to 50/50, acknowledged
     by the partner: the trigger's wall time and its elapsed_ms;
  2. the same for a /8 (16 777 214 addresses; 11.0.0.0/8: data only, no traffic);
  3. leases per second of the pair under perfdhcp (relay agent at 10.77.0.3,
     hot standby so that the primary answers every client and sends every
     binding to the partner), counted until the partner has acknowledged the
     last binding update, against the same daemon standalone (the scope in no
     relationship) in the same run. REPS rounds, interleaved; medians.
Knobs: REPS (3), SECONDS (5), RATE (perfdhcp -r, 4000), SKIP_SLASH8=1.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
os.environ.setdefault("BUILD", os.path.join(ROOT, "build"))
import failover_test as ft  # noqa: E402  (the lab)

REPS = int(os.environ.get("REPS", "3"))
SECONDS = int(os.environ.get("SECONDS", "5"))
RATE = int(os.environ.get("RATE", "4000"))


def rel_params(name, role, scopes, pct, mode="load-balance"):
    return {"name": name, "primary_server": "10.99.0.1", "secondary_server": "10.99.0.2",
            "mode": mode, "percentage": pct, "mclt": 60, "port": 647,
            "scopes": scopes, "server_type": role}


def scope(subnet, prefix, lo, hi):
    return {"subnet": subnet, "prefix": prefix, "name": "bench", "range":
            {"start": lo, "end": hi}, "lease_time": 3600}


def pair_up(a, b, name, scopes, pct, mode="load-balance"):
    for srv, role in ((a, "primary"), (b, "secondary")):
        r = srv.call("failover.create", rel_params(name, role, scopes, pct, mode))
        assert r[0] == "ok", r
    ok = ft.wait_for("NORMAL", lambda: a.call("failover.get", {"name": name})[1]
                     .get("state") == "NORMAL" and b.call("failover.get", {"name": name})[1]
                     .get("state") == "NORMAL", 60)
    assert ok, "pair %s did not reach NORMAL" % name


def rebalance(a, b, name, subnet, what):
    """100/0 -> 50/50 of one scope; (wall seconds, elapsed_ms, stats)."""
    a.call("failover.set", {"name": name, "percentage": 50})
    t0 = time.time()
    r = a.call("failover.trigger_addr_allocation", {"name": name})
    wall = time.time() - t0
    assert r[0] == "ok", r
    sa = a.call("failover.scope_statistics", {"scope": subnet})[1]
    sb = b.call("failover.scope_statistics", {"scope": subnet})[1]
    half = sa["addr_free"] // 2
    ok = sa["partner_addr_free"] == half and sb["this_addr_free"] == half
    print("%-4s rebalance 100/0 -> 50/50 of %d free: %.3f s wall (dhcpfoctl call "
          "included), elapsed_ms %d; both servers agree: %s" % (
              what, sa["addr_free"], wall, r[1]["elapsed_ms"], ok), flush=True)
    return wall, r[1]["elapsed_ms"], ok


def perfdhcp(mac_base, relay):
    """One perfdhcp run relayed (giaddr relay) to A; (acks, seconds)."""
    cmd = ["perfdhcp", "-4", "-l", relay, "-r", str(RATE), "-R", "10000",
           "-p", str(SECONDS), "-b", "mac=%s" % mac_base, "10.77.0.1"]
    p = ft.sh(*cmd, ns=ft.NS_C, check_rc=False, timeout=SECONDS + 60)
    acks = 0
    m = re.search(r"received packets: (\d+)", p.stdout.split("***")[-1] if "***" in
                  p.stdout else p.stdout)
    for block in p.stdout.split("***"):
        if "Rate" in block or "received packets" in block:
            pass
    # the second exchange (REQUEST/ACK) block's received count
    recv = re.findall(r"received packets: (\d+)", p.stdout)
    if len(recv) >= 2:
        acks = int(recv[1])
    elif m:
        acks = int(m.group(1))
    return acks, SECONDS


def drained(a, name):
    r = a.call("failover.get", {"name": name})
    return r[0] == "ok" and r[1].get("unacked_updates", 1) == 0


def throughput(a, b, rep):
    """Standalone (scope 10.78.0.0/16, in no relationship), then the pair
    (10.77.0.0/16 in relationship tp), on fresh client MACs."""
    base = "00:%02x:%02x:00:00:00"
    acks, secs = perfdhcp(base % (0x10 + rep, 1), "10.78.0.3")
    solo = acks / secs
    t0 = time.time()
    prof = None
    if os.environ.get("PROFILE") == "1":
        pid = [x for x in ft.ns_pids(ft.NS_A)][0]
        prof = subprocess.Popen(["perf", "record", "-g", "-o", "/tmp/fo-perf.data",
                                 "-p", str(pid), "--", "sleep", "3"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    acks, secs = perfdhcp(base % (0x10 + rep, 2), "10.77.0.3")
    if prof:
        prof.wait()
    ft.wait_for("drained", lambda: drained(a, "tp"), 60)
    total = time.time() - t0
    pair = acks / max(total, secs)
    print("throughput rep %d: standalone %.0f leases/s, pair %.0f leases/s "
          "(last update acknowledged %.1f s after the start): ratio %.2f" % (
              rep + 1, solo, pair, total, pair / solo if solo else 0), flush=True)
    return solo, pair


def main():
    if os.geteuid() != 0:
        print("bench-failover: needs root (network namespaces)")
        return 2
    tmp = tempfile.mkdtemp(prefix="dfo-bench-fo.")
    print("logs: %s" % tmp, flush=True)
    res = {}
    try:
        ft.lab_up()
        a = ft.Server(tmp, "A", ft.NS_A, "la", "10.99.0.1:647")
        b = ft.Server(tmp, "B", ft.NS_B, "lb", "10.99.0.2:647")
        for s in (a, b):
            with open(s.conf) as f:
                text = f.read().replace("log-level = debug", "log-level = warning")
            with open(s.conf, "w") as f:
                f.write(text)
            s.start()
            s.call("scope.create", scope("10.80.0.0", 16, "10.80.0.1", "10.80.255.254"))
            s.call("scope.create", scope("11.0.0.0", 8, "11.0.0.1", "11.255.255.254"))
            s.call("scope.create", scope("10.77.0.0", 16, "10.77.1.1", "10.77.255.254"))
        a.call("scope.create", scope("10.78.0.0", 16, "10.78.1.1", "10.78.255.254"))
        # (the lab gives C 10.78.0.3 and A a route to it: the standalone relay)
        pair_up(a, b, "r16", ["10.80.0.0"], 100)
        res["slash16"] = rebalance(a, b, "r16", "10.80.0.0", "/16")
        if os.environ.get("SKIP_SLASH8") != "1":
            pair_up(a, b, "r8", ["11.0.0.0"], 100)
            res["slash8"] = rebalance(a, b, "r8", "11.0.0.0", "/8")
        if subprocess.run(["which", "perfdhcp"], capture_output=True).returncode == 0:
            pair_up(a, b, "tp", ["10.77.0.0"], 0, "hot-standby")
            runs = [throughput(a, b, i) for i in range(REPS)]
            solo = statistics.median(r[0] for r in runs)
            pair = statistics.median(r[1] for r in runs)
            print("throughput median: standalone %.0f, pair %.0f leases/s, ratio %.2f"
                  % (solo, pair, pair / solo if solo else 0))
            res["throughput"] = {"standalone": solo, "pair": pair}
        print(json.dumps(res))
    finally:
        ft.lab_down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
