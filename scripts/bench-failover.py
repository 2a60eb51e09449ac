#!/usr/bin/env python3
"""bench-failover.py (`make bench-failover`): a pair of dhcpfod servers, measured.

The lab of tests/integration/failover_test.py (servers A and B, a failover link
between them, clients on a bridge in a third namespace; all created here and
removed at the end, also on failure). Figures:
  1. rebalancing a /16 (65 534 free addresses) from 100/0 to 50/50, acknowledged
     by the partner: the trigger's wall time and its elapsed_ms;
  2. the same for a /8 (16 777 214 addresses; 11.0.0.0/8: data only, no traffic);
  3. leases per second of the pair under perfdhcp (a relay agent on a veth of
     its own straight to A, see relay_path; hot standby so that the primary
     answers every client and sends every
     binding to the partner), counted until the partner has acknowledged the
     last binding update, against the same daemon standalone (the scope in no
     relationship) in the same run. REPS rounds, interleaved; medians.
Pinning (PIN=1, the default, as make bench pins): perfdhcp on CPU 0, the primary on CPU 1
and the secondary on CPU PIN_B (1: with the primary, the harder case for the
pair; 0: with the load generator).
Pictures (scripts/bench-charts.py failover OUT, Debian's python3-matplotlib): leases/s
per second of each round, standalone against the pair (perfdhcp -t 1); latency
percentiles of both (perfdhcp -x t, medians of the rounds); the resident memory of A and
B through each round (VmRSS sampled every 0.25 s). OUT/results.json holds the figures,
OUT/series/ the charts' data.
Knobs: REPS (5), SECONDS (5), RATE (perfdhcp -r, 26000: past saturation), CLIENTS
(perfdhcp -R, new ones each round: 10000, fewer past 6 rounds), PIN (1), PIN_B (1),
OUT (BUILD/bench-failover), CHARTS (1), LAB_PREFIX (fo: the namespaces' names),
SKIP_SLASH8=1, PROFILE=1
(perf record of the standalone run, /tmp/fo-perf-solo.data, and of both daemons in
the pair's runs: /tmp/fo-perf-A.data, -B.data).
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
os.environ.setdefault("BUILD", os.path.join(ROOT, "build"))
import failover_test as ft  # noqa: E402  (the lab)

REPS = int(os.environ.get("REPS", "5"))
SECONDS = int(os.environ.get("SECONDS", "5"))
RATE = int(os.environ.get("RATE", "26000"))
# new clients per round: every round takes fresh ones in each /16 (65 279
# addresses, leases of an hour), so that no round finds its pool exhausted
CLIENTS = int(os.environ.get("CLIENTS", str(min(10000, 64000 // max(REPS, 1)))))
OUT = os.environ.get("OUT", os.path.join(os.environ["BUILD"], "bench-failover"))
SERIES = os.path.join(OUT, "series")
PCTS = (50, 90, 99)


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
    ok = ft.wait_for(lambda: a.call("failover.get", {"name": name})[1]
                     .get("state") == "NORMAL" and b.call("failover.get", {"name": name})[1]
                     .get("state") == "NORMAL", 60)
    assert ok, "pair %s did not reach NORMAL" % name


def rebalance(a, b, name, subnet, what):
    """100/0 -> 50/50 of one scope: failover.set makes the primary reconnect
    to send the new assignment (FAILOVER.md §5.6) and it rebalances on
    entering NORMAL again (§11: the move is over the 5 % threshold, and no
    lease makes a reserve bind), every move acknowledged by the partner;
    (the rebalance's own ms from the primary's log, "rebalanced in N ms";
    wall seconds from failover.set until both servers agree, the
    reconnection included; whether they agree)."""
    t0 = time.time()
    r = a.call("failover.set", {"name": name, "percentage": 50})
    assert r[0] == "ok", r
    got = {}

    def agreed():
        sa = a.call("failover.scope_statistics", {"scope": subnet})[1]
        sb = b.call("failover.scope_statistics", {"scope": subnet})[1]
        got.update(sa=sa, sb=sb)
        half = sa["addr_free"] // 2
        return sa["partner_addr_free"] == half and sb["this_addr_free"] == half
    ok = ft.wait_for(agreed, 900, 0.05)
    wall = time.time() - t0
    ms = re.findall(r"failover %s: rebalanced in (\d+) ms" % name, a.log())
    ms = int(ms[-1]) if ms else None
    print("%-4s rebalance 100/0 -> 50/50 of %d free: %s ms (the primary's log: the "
          "moves until the last acknowledgement); %.3f s wall from failover.set until "
          "both servers agree (the reconnection that sends the new assignment and the "
          "next 1 s tick included): %s" % (what, got["sa"]["addr_free"], ms, wall, ok),
          flush=True)
    return ms, wall, ok


PIN = os.environ.get("PIN", "1") == "1"
PIN_B = os.environ.get("PIN_B", "1")


def relay_path():
    """A veth straight from the clients' namespace to A (pc 10.79.0.3 <-> pa
    10.79.0.1, static ARP both ways), as make bench's lab has, so that the
    relayed load does not cross the clients' bridge: perfdhcp relays from
    10.77.0.4 (the pair's scope) and 10.78.0.4 (the standalone one), and A
    answers those relay addresses over pa."""
    sh = ft.sh
    sh("ip", "link", "add", "pc", "type", "veth", "peer", "name", "pa", ns=ft.NS_C)
    sh("ip", "link", "set", "pa", "netns", ft.NS_A, ns=ft.NS_C)
    sh("ip", "addr", "add", "10.79.0.1/24", "dev", "pa", ns=ft.NS_A)
    sh("ip", "addr", "add", "10.79.0.3/24", "dev", "pc", ns=ft.NS_C)
    sh("ip", "link", "set", "pa", "up", ns=ft.NS_A)
    sh("ip", "link", "set", "pc", "up", ns=ft.NS_C)
    for relay in ("10.77.0.4", "10.78.0.4"):
        sh("ip", "addr", "add", relay + "/32", "dev", "pc", ns=ft.NS_C)
        sh("ip", "route", "add", relay + "/32", "dev", "pa", ns=ft.NS_A)
    mac = lambda ns, ifc: sh("cat", "/sys/class/net/%s/address" % ifc, ns=ns).stdout.strip()
    for relay in ("10.77.0.4", "10.78.0.4"):
        sh("ip", "neigh", "replace", relay, "lladdr", mac(ft.NS_C, "pc"), "dev", "pa",
           "nud", "permanent", ns=ft.NS_A)
    sh("ip", "neigh", "replace", "10.79.0.1", "lladdr", mac(ft.NS_A, "pa"), "dev", "pc",
       "nud", "permanent", ns=ft.NS_C)


def pin(srv, cpu):
    """Every thread of a daemon on one CPU."""
    subprocess.run(["taskset", "-a", "-cp", cpu, str(srv.proc.pid)],
                   capture_output=True, check=True)


def write_series(name, rows):
    with open(os.path.join(SERIES, name + ".tsv"), "w") as f:
        f.writelines("%s\t%s\n" % r for r in rows)


def acks_per_second(out):
    """ACKs in each second, from perfdhcp's -t 1 reports (cumulative
    "received: OFFERS/ACKS")."""
    rows, last = [], 0
    for n, m in enumerate(re.finditer(r"^sent: .*received: \d+/(\d+);", out, re.M), 1):
        rows.append((n, int(m.group(1)) - last))
        last = int(m.group(1))
    return rows


def latency(out):
    """{"DO"|"RA": {"p50", "p90", "p99", "max"}} in ms, from perfdhcp's -x t
    timestamps ("sent / received: SENT / RECEIVED", seconds)."""
    got = {}
    for key, name in (("DO", "DISCOVER-OFFER"), ("RA", "REQUEST-ACK")):
        part = out.split("Timestamps for packets: %s" % name, 1)
        if len(part) < 2:
            continue
        d = sorted((float(m.group(2)) - float(m.group(1))) * 1000 for m in re.finditer(
            r"^sent / received: ([\d.]+) / ([\d.]+)", part[1].split("***", 2)[1]
            if part[1].count("***") >= 2 else part[1], re.M))
        if d:
            got[key] = {"p%d" % q: round(d[min(len(d) - 1, max(0, -(-len(d) * q // 100) - 1))],
                                         3) for q in PCTS}
            got[key]["max"] = round(d[-1], 3)
    return got


class RssSampler:
    """VmRSS (KiB) of some daemons every 0.25 s in a thread, until stop()."""

    def __init__(self, servers):
        self.servers, self.rows = servers, {s.name: [] for s in servers}
        self.done = threading.Event()
        self.t0 = time.monotonic()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.done.wait(0.25):
            for s in self.servers:
                try:
                    with open("/proc/%d/status" % s.proc.pid) as f:
                        kib = int(re.search(r"^VmRSS:\s+(\d+)", f.read(), re.M).group(1))
                except (OSError, AttributeError):
                    continue
                self.rows[s.name].append(("%.2f" % (time.monotonic() - self.t0), kib))

    def stop(self):
        self.done.set()
        self.thread.join()
        return self.rows


def perfdhcp(mac_base, relay, runs=None):
    """One perfdhcp run relayed (giaddr relay) to A over pa; (acks, seconds).
    Its per-second ACKs and latencies are appended to runs when given."""
    cmd = (["taskset", "-c", "0"] if PIN else []) + [
           "perfdhcp", "-4", "-g", "single", "-l", relay, "-r", str(RATE), "-R", str(CLIENTS),
           "-p", str(SECONDS), "-b", "mac=%s" % mac_base, "-t", "1", "-x", "t", "10.79.0.1"]
    p = ft.sh(*cmd, ns=ft.NS_C, check_rc=False, timeout=SECONDS + 60)
    if runs is not None:
        runs.append((acks_per_second(p.stdout), latency(p.stdout)))
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


def cpu_ticks(srv):
    """utime + stime of a daemon, every thread, in clock ticks."""
    with open("/proc/%d/stat" % srv.proc.pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def us_per(ticks, leases):
    return ticks * 1e6 / os.sysconf("SC_CLK_TCK") / leases if leases else 0


def drained(a, name):
    r = a.call("failover.get", {"name": name})
    return r[0] == "ok" and r[1].get("unacked_updates", 1) == 0


def throughput(a, b, rep):
    """Standalone (scope 10.78.0.0/16, in no relationship), then the pair
    (10.77.0.0/16 in relationship tp), on fresh client MACs."""
    base = "00:%02x:%02x:00:00:00"
    c0 = cpu_ticks(a)
    profs = []
    if os.environ.get("PROFILE") == "1":     # perf record of the standalone run, 3 s
        profs = [subprocess.Popen(["perf", "record", "-g", "-o", "/tmp/fo-perf-solo.data",
                                   "-p", str(a.proc.pid), "--", "sleep", "3"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    runs, rss = [], RssSampler((a, b))
    acks, secs = perfdhcp(base % (0x10 + rep, 1), "10.78.0.4", runs)
    for prof in profs:
        prof.wait()
    solo = acks / secs
    cpu_solo = us_per(cpu_ticks(a) - c0, acks)
    ca, cb = cpu_ticks(a), cpu_ticks(b)
    t0 = time.time()
    profs = []
    if os.environ.get("PROFILE") == "1":     # perf record of both daemons, 3 s
        profs = [subprocess.Popen(["perf", "record", "-g", "-o", "/tmp/fo-perf-%s.data" %
                                   srv.name, "-p", str(srv.proc.pid), "--", "sleep", "3"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for srv in (a, b)]
    acks, secs = perfdhcp(base % (0x10 + rep, 2), "10.77.0.4", runs)
    for prof in profs:
        prof.wait()
    end = time.time() + 60      # polled every 10 ms: the drain takes tens of ms
    while not drained(a, "tp") and time.time() < end:
        time.sleep(0.01)
    total = time.time() - t0
    for name, rows in rss.stop().items():
        write_series("rss-%s-%d" % (name, rep + 1), rows)
    for name, (rows, _) in zip(("standalone", "pair"), runs):
        write_series("lps-%s-%d" % (name, rep + 1), rows)
    pair = acks / max(total, secs)
    cpu_a, cpu_b = us_per(cpu_ticks(a) - ca, acks), us_per(cpu_ticks(b) - cb, acks)
    print("throughput rep %d: standalone %.0f leases/s, pair %.0f leases/s "
          "(last update acknowledged %.1f s after the start): ratio %.2f; CPU per lease: "
          "standalone %.1f us, pair primary %.1f us + secondary %.1f us" % (
              rep + 1, solo, pair, total, pair / solo if solo else 0, cpu_solo, cpu_a,
              cpu_b), flush=True)
    lat = {"standalone": runs[0][1], "pair": runs[1][1]}
    print("  latency p50/p90/p99/max ms: " + "; ".join(
        "%s %s" % (k, ", ".join("%s %s" % (x, "/".join(str(v[x][q]) for q in
                                                       ("p50", "p90", "p99", "max")))
                                for x in ("DO", "RA") if x in v)) for k, v in lat.items()),
          flush=True)
    return solo, pair, cpu_solo, cpu_a, cpu_b, lat


def median_latency(lats):
    """Per setup and exchange, the median of the rounds' percentiles."""
    out = {}
    for setup in ("standalone", "pair"):
        for key in ("DO", "RA"):
            vals = [l[setup][key] for l in lats if key in l.get(setup, {})]
            if vals:
                out.setdefault(setup, {})[key] = {
                    q: round(statistics.median(v[q] for v in vals), 3)
                    for q in ("p50", "p90", "p99", "max")}
    return out


def main():
    if os.geteuid() != 0:
        print("bench-failover: needs root (network namespaces)")
        return 2
    tmp = tempfile.mkdtemp(prefix="dfo-bench-fo.")
    print("logs: %s" % tmp, flush=True)
    os.makedirs(SERIES, exist_ok=True)
    for old in os.listdir(SERIES):
        os.unlink(os.path.join(SERIES, old))
    res = {}
    try:
        ft.lab_up()
        relay_path()
        a = ft.Server(tmp, "A", ft.NS_A, "la", "10.99.0.1:647")
        b = ft.Server(tmp, "B", ft.NS_B, "lb", "10.99.0.2:647")
        for s in (a, b):
            with open(s.conf) as f:
                # info: the primary's "rebalanced in N ms" (nothing is logged per lease)
                text = f.read().replace("log-level = debug", "log-level = info")
                if s is a:
                    text = text.replace("interfaces = la", "interfaces = la, pa")
            with open(s.conf, "w") as f:
                f.write(text)
            s.start()
            if PIN:
                pin(s, "1" if s is a else PIN_B)
            s.call("scope.create", scope("10.80.0.0", 16, "10.80.0.1", "10.80.255.254"))
            s.call("scope.create", scope("11.0.0.0", 8, "11.0.0.1", "11.255.255.254"))
            s.call("scope.create", scope("10.77.0.0", 16, "10.77.1.1", "10.77.255.254"))
        a.call("scope.create", scope("10.78.0.0", 16, "10.78.1.1", "10.78.255.254"))
        pair_up(a, b, "r16", ["10.80.0.0"], 100)
        res["slash16"] = rebalance(a, b, "r16", "10.80.0.0", "/16")
        if os.environ.get("SKIP_SLASH8") != "1":
            pair_up(a, b, "r8", ["11.0.0.0"], 100)
            res["slash8"] = rebalance(a, b, "r8", "11.0.0.0", "/8")
        if subprocess.run(["which", "perfdhcp"], capture_output=True).returncode == 0:
            pair_up(a, b, "tp", ["10.77.0.0"], 0, "hot-standby")
            runs = [throughput(a, b, i) for i in range(REPS)]
            med = lambda k: statistics.median(r[k] for r in runs)
            solo, pair = med(0), med(1)
            ratios = statistics.median(r[1] / r[0] for r in runs if r[0])
            print("throughput median: standalone %.0f, pair %.0f leases/s, ratio %.2f "
                  "(median of the rounds' ratios %.2f); CPU per lease: standalone "
                  "%.1f us, pair primary %.1f us + secondary %.1f us"
                  % (solo, pair, pair / solo if solo else 0, ratios, med(2), med(3),
                     med(4)))
            res["throughput"] = {"standalone": solo, "pair": pair, "round_ratio": ratios,
                                 "cpu_us": {"standalone": med(2), "primary": med(3),
                                            "secondary": med(4)},
                                 "latency": median_latency([r[5] for r in runs])}
        res["rate"], res["reps"], res["seconds"] = RATE, REPS, SECONDS
        print(json.dumps(res))
        with open(os.path.join(OUT, "results.json"), "w") as f:
            json.dump(res, f, indent=2)
        if os.environ.get("CHARTS", "1") == "1" and subprocess.run(
                ["/usr/bin/python3", os.path.join(ROOT, "scripts", "bench-charts.py"),
                 "failover", OUT]).returncode != 0:
            print("bench-failover: no charts (python3-matplotlib: scripts/install-deps)")
    finally:
        ft.LAB.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
