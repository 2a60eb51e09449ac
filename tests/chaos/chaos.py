#!/usr/bin/env python3
"""Randomized fault injection against a failover pair (docs/CHAOS.md).

One fault per cycle, chosen and timed by a seeded generator, against a pair
serving 60 addresses to more clients than that through a relay agent
(clients.py). After each fault: every fault healed, both servers back in
NORMAL within a bound derived from MCLT, then the clients fall quiet and the
two lease tables must agree, every address a client holds must be ACTIVE for
it on both servers and no address may stay RELEASED or EXPIRED. At the end,
the clients' own DHCPACK log must show no address held by two clients at once.

Environment (or options): CYCLES, SEED, BUILD, CHAOS_OUT (kept logs),
CHAOS_CLIENTS, CHAOS_FAULTS (comma list), CHAOS_DEADLINE (seconds; the run
stops cleanly, checked, after the cycle running then), PARTNER
(dhcpfod, isc-primary or isc-secondary: ISC dhcpd in that role).
Exit status: 0 all held, 1 a violation, 77 not root / missing tools.
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import checker                                      # noqa: E402
from lab import Lab, Dhcpfod, Isc, NADDR, MCLT, LEASE    # noqa: E402

# From a heal to NORMAL on both: a silent partition is noticed by the receive
# timer (10 s), a half-open connection may wait for the handshake timer (15 s),
# reconnection backs off to 4 s, a restarted server spends STARTUP (8 s), a
# recovering one RECOVER_WAIT (MCLT), and each step takes a 1 s tick: 43 s + MCLT.
NORMAL_BOUND = 10 + 15 + 4 + 8 + 6 + MCLT
# How long an address may stay RELEASED/EXPIRED once both are NORMAL and the
# clients quiet: the expiry sweep, one binding update and its BNDACK.
DRAIN_GRACE = 8
QUIET_MAX = 25


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


class Run:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.lab = Lab("%d" % (os.getpid() % 100000))
        self.tmp = args.out or tempfile.mkdtemp(prefix="chaos-")
        os.makedirs(self.tmp, exist_ok=True)
        for old in ("A", "B", "clients.jsonl", "summary.json"):    # a fresh start
            p = os.path.join(self.tmp, old)
            if os.path.isdir(p):
                shutil.rmtree(p)
            elif os.path.exists(p):
                os.unlink(p)
        if args.partner == "isc-primary":
            self.a = Isc(self.tmp, "A", self.lab.a, "primary")
        else:
            self.a = Dhcpfod(args.build, self.tmp, "A", self.lab.a, "primary")
        if args.partner == "isc-secondary":
            self.b = Isc(self.tmp, "B", self.lab.b, "secondary")
        else:
            self.b = Dhcpfod(args.build, self.tmp, "B", self.lab.b, "secondary")
        self.isc = next((s for s in (self.a, self.b) if s.kind == "dhcpd"), None)
        self.sim = None
        self.clog = os.path.join(self.tmp, "clients.jsonl")
        self.cycles = []
        self.violations = []
        self.max_ahead = 0          # largest clock step: the tolerance
        self.dups = {}              # double allocations reported so far

    # -- plumbing ------------------------------------------------------------
    def servers(self):
        return (self.a, self.b)

    def start_clients(self):
        self.sim = subprocess.Popen(
            ["ip", "netns", "exec", self.lab.c, sys.executable,
             os.path.join(HERE, "clients.py"), "--log", self.clog, "--clients",
             str(self.args.clients), "--seed", str(self.args.seed)],
            stdin=subprocess.PIPE, text=True)

    def clients(self, cmd):
        if self.sim and self.sim.poll() is None:
            self.sim.stdin.write(cmd + "\n")
            self.sim.stdin.flush()

    def violation(self, cycle, what, detail):
        self.violations.append({"cycle": cycle, "what": what, "detail": detail})
        log("VIOLATION (cycle %s): %s %s" % (cycle, what, json.dumps(detail)[:1500]))

    def both_normal(self):
        return self.a.state() == "NORMAL" and self.b.state() == "NORMAL"

    def wait(self, fn, secs, step=0.5):
        end = time.time() + secs
        while time.time() < end:
            if fn():
                return True
            time.sleep(step)
        return fn()

    def pick(self):
        return self.rng.choice(self.servers())

    def other(self, s):
        return self.b if s is self.a else self.a

    # -- faults: each injects, waits, and heals what it broke ----------------
    def f_kill(self):
        v = self.pick()
        down = self.rng.uniform(0, 10)
        v.kill()
        time.sleep(down)
        v.start()
        return "SIGKILL %s, restarted after %.1f s" % (v.name, down)

    def f_stop(self):
        v = self.pick()
        d = self.rng.uniform(2, 20)
        v.signal(signal.SIGSTOP)
        time.sleep(d)
        v.signal(signal.SIGCONT)
        return "SIGSTOP %s for %.1f s" % (v.name, d)

    def f_partition(self):
        way = self.rng.choice(("both", "both", "a2b", "b2a"))
        d = self.rng.uniform(5, 30)
        self.lab.partition(way)
        time.sleep(d)
        self.lab.heal()
        return "partition %s for %.1f s" % (way, d)

    def f_partition_kill(self):
        """A fault in the first seconds of a partition, before either side knows."""
        v = self.pick()
        way = self.rng.choice(("both", "a2b", "b2a"))
        d = self.rng.uniform(8, 30)
        at = self.rng.uniform(0, 4)
        down = self.rng.uniform(1, 6)
        self.lab.partition(way)
        time.sleep(at)
        v.kill()
        time.sleep(down)
        v.start()
        time.sleep(max(0, d - at - down))
        self.lab.heal()
        return "partition %s for %.1f s, SIGKILL %s at +%.1f s for %.1f s" % (
            way, d, v.name, at, down)

    def f_partner_down(self):
        """The operator declares PARTNER_DOWN on the survivor; the partner is dead.
        Two times in three the link failed silently first and the victim went
        on serving before it died, as when a crash follows network trouble:
        the survivor never heard of what it did then (the link stays cut until
        the victim is back, so that not even its kernel's last retransmissions
        arrive). A short cut ends before either side noticed it; a longer one
        has both in COMMUNICATION_INT, and the declaration follows the death
        at once, the case where taking the partner's addresses before MCLT
        has passed gives one to two clients."""
        v = self.isc or self.pick()     # the declaration is dhcpfod's RPC
        s = self.other(v)
        d = self.rng.uniform(MCLT + 2, MCLT + 25)
        pre = self.rng.uniform(2, 2 * MCLT) if self.rng.random() < 0.67 else 0
        if pre:
            self.lab.partition("both")
            time.sleep(pre)
        v.kill()
        self.wait(lambda: s.state() not in ("NORMAL", None), 15)
        r = s.call("failover.set", {"name": "r1", "state": "PARTNER_DOWN"})
        time.sleep(d)
        self.lab.heal()
        v.start()
        return "%sSIGKILL %s, PARTNER_DOWN on %s (%s), %s restarted after %.1f s" % (
            "partition both for %.1f s, " % pre if pre else "", v.name, s.name, r[0],
            v.name, d)

    def f_rebalance(self):
        """A percentage change and a rebalance under load, maybe killed midway."""
        if self.isc:
            # ISC's split is its own configuration; a dhcpfod primary can still
            # be asked to rebalance, an ISC one balances by itself
            what = "rebalance"
            if self.a.kind == "dhcpfod":
                r = self.a.call("failover.trigger_addr_allocation", {"name": "r1"})
                what += " (%s)" % (r[0] if r[0] == "ok" else r)
        else:
            pct = self.rng.choice((30, 50, 70))
            for s in self.servers():
                s.call("failover.set", {"name": "r1", "percentage": pct})
            # the new split reaches the secondary by a reconnection (FAILOVER §5.6)
            self.wait(self.both_normal, 5, step=0.1)
            r = self.a.call("failover.trigger_addr_allocation", {"name": "r1"})
            what = "percentage %d, rebalance (%s)" % (pct, r[0] if r[0] == "ok" else r)
        if self.rng.random() < 0.5:
            v = self.pick()
            at, down = self.rng.uniform(0, 0.5), self.rng.uniform(1, 5)
            time.sleep(at)
            v.kill()
            time.sleep(down)
            v.start()
            what += ", SIGKILL %s at +%.2f s for %.1f s" % (v.name, at, down)
        return what

    def f_resync_kill(self):
        """A kill in the middle of the resynchronisation that follows a heal."""
        v = self.pick()
        d = self.rng.uniform(8, 20)
        at = self.rng.uniform(0, 4)
        down = self.rng.uniform(0, 5)
        self.lab.partition("both")
        time.sleep(d)
        self.lab.heal()
        time.sleep(at)
        v.kill()
        time.sleep(down)
        v.start()
        return "partition both for %.1f s, healed, SIGKILL %s %.1f s later for %.1f s" % (
            d, v.name, at, down)

    def f_clock(self):
        """A clock step within the allowed skew (docs/FAILOVER.md §14), then back."""
        v = self.pick()
        step = self.rng.choice((-3, -2, -1, 1, 2, 3))
        d = self.rng.uniform(5, 20)
        v.set_clock(step)
        # a step back is a step forward when the clock is put right: the
        # leases granted meanwhile end s seconds early by the true clock
        self.max_ahead = max(self.max_ahead, abs(step))
        time.sleep(d)
        v.set_clock(0)
        return "clock of %s stepped %+d s for %.1f s" % (v.name, step, d)

    FAULTS = {"kill": f_kill, "stop": f_stop, "partition": f_partition,
              "partition-kill": f_partition_kill, "partner-down": f_partner_down,
              "rebalance": f_rebalance, "resync-kill": f_resync_kill, "clock": f_clock}

    def heal_all(self):
        self.lab.heal()
        for s in self.servers():
            if s.stopped:
                s.signal(signal.SIGCONT)
            if not s.alive():
                s.start()
            if s.offset:
                s.set_clock(0)

    # -- checks after each heal ----------------------------------------------
    def quiet_check(self, cycle):
        """Clients quiet: tables agree, clients' leases ACTIVE on both, none drained."""
        self.clients("pause")
        t0 = time.time()
        first = {}
        res = None
        while True:
            la, lb = self.a.leases(), self.b.leases()
            now = time.time()
            if la is None or lb is None:
                res = {"diffs": ["a server did not answer lease.list"], "lost": [],
                       "drained": []}
            else:
                ivs = checker.intervals(checker.read_events(self.clog))
                holders = {ip: m for ip, m in checker.holders_at(ivs, now + 1).items()
                           if ip in checker.holders_at(ivs, now - 0.5)}
                drained = []
                for name, t in (("A", la), ("B", lb)):
                    for ip, since in checker.out_of_pool(t).items():
                        seen = first.setdefault((name, ip), now)
                        if now - max(seen, since) > DRAIN_GRACE:
                            drained.append({"server": name, "ip": ip,
                                            "state": t[ip]["state"],
                                            "for": round(now - since, 1)})
                res = {"diffs": checker.table_diffs(la, lb, now, ends=not self.isc),
                       "lost": checker.lost(la, lb, holders), "drained": drained}
            clean = not (res["diffs"] or res["lost"] or res["drained"])
            if clean or now - t0 > QUIET_MAX:
                break
            time.sleep(1)
        self.clients("resume")
        for k in ("diffs", "lost", "drained"):
            if res[k]:
                self.violation(cycle, k, res[k][:10])
        self.new_duplicates(cycle)
        return round(time.time() - t0, 1), clean

    def new_duplicates(self, cycle):
        """Double allocations in the clients' log so far, each reported once."""
        ivs = checker.intervals(checker.read_events(self.clog))
        for d in checker.duplicates(ivs, tolerance=self.max_ahead):
            key = (d["ip"], d["second"], d["from"])
            if key not in self.dups:
                self.dups[key] = d
                self.violation(cycle, "double allocation", d)

    def cycle(self, n):
        time.sleep(self.rng.uniform(1, 6))
        name = self.rng.choice(self.args.faults)
        t0 = time.time()
        what = self.FAULTS[name](self)
        self.heal_all()
        th = time.time()
        ok = self.wait(self.both_normal, NORMAL_BOUND)
        conv = round(time.time() - th, 1)
        if not ok:
            self.violation(n + 1, "not NORMAL within %d s" % NORMAL_BOUND,
                           {"A": self.a.state(), "B": self.b.state()})
            self.wait(self.both_normal, 120)
        quiet, clean = self.quiet_check(n + 1)
        rec = {"cycle": n, "fault": name, "what": what, "secs": round(th - t0, 1),
               "normal_after": conv, "quiet": quiet, "clean": clean,
               "t_fault": round(t0, 3), "t_normal": round(th + conv, 3)}
        self.cycles.append(rec)
        log("cycle %d/%d: %s; NORMAL %.1f s after heal; tables %s in %.1f s" % (
            n + 1, self.args.cycles, what, conv, "agree" if clean else "DIFFER", quiet))

    def run(self):
        log("chaos: seed %d, %d cycles, %d clients, %d addresses, lease %d s, MCLT %d s, "
            "A %s, B %s, faults %s, logs in %s" % (
                self.args.seed, self.args.cycles, self.args.clients, NADDR, LEASE, MCLT,
                self.a.kind, self.b.kind, ",".join(self.args.faults), self.tmp))
        self.lab.down()
        self.lab.up()
        for s in self.servers():
            s.start()
            s.setup()
        if not self.wait(self.both_normal, 60):
            raise RuntimeError("the pair never reached NORMAL")
        self.start_clients()
        time.sleep(10)
        deadline = time.time() + self.args.deadline if self.args.deadline else None
        for n in range(self.args.cycles):
            if deadline and time.time() > deadline:
                log("deadline reached after %d cycles" % n)
                break
            self.cycle(n)
        time.sleep(2)
        self.clients("quit")
        self.sim.wait(10)
        return self.summary()

    def summary(self):
        self.new_duplicates("end")
        ev = checker.read_events(self.clog)
        ivs = checker.intervals(ev)
        dups = list(self.dups.values())
        av = checker.availability(ev, ivs, NADDR)
        calm = checker.availability(ev, ivs, NADDR, exclude=[
            (c["t_fault"], c["t_normal"]) for c in self.cycles])
        av["availability_between_faults"] = calm["availability"]
        conv = [c["normal_after"] for c in self.cycles]
        crashed = [s.name for s in self.servers() if not s.alive()]
        for name in crashed:
            self.violation("-", "server exited", name)
        s = {"seed": self.args.seed, "cycles": len(self.cycles),
             "acks": sum(1 for e in ev if e.get("ev") == "ack"),
             "duplicates": len(dups),
             "lost": sum(1 for v in self.violations if v["what"] == "lost"),
             "diverged": sum(1 for v in self.violations if v["what"] == "diffs"),
             "drained": sum(1 for v in self.violations if v["what"] == "drained"),
             "convergence_max": max(conv) if conv else None,
             "convergence_mean": round(sum(conv) / len(conv), 1) if conv else None,
             "clock_tolerance": self.max_ahead, "violations": len(self.violations),
             "addresses": NADDR}
        s.update(av)
        with open(os.path.join(self.tmp, "summary.json"), "w") as f:
            json.dump({"summary": s, "cycles": self.cycles,
                       "violations": self.violations}, f, indent=1)
        log("summary: " + json.dumps(s))
        self.chart()
        return s

    def chart(self):
        """availability.png next to the summary (chart.py, Debian's matplotlib)."""
        p = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "chart.py"), self.tmp],
                           capture_output=True, text=True, timeout=300)
        log((p.stdout + p.stderr).strip() or "chart: exit %d" % p.returncode)


def main():
    env = os.environ.get
    ap = argparse.ArgumentParser()
    ap.add_argument("--cycles", type=int, default=int(env("CYCLES", "10")))
    ap.add_argument("--seed", type=int, default=int(env("SEED", "0") or 0))
    ap.add_argument("--build", default=os.path.abspath(env("BUILD", "build")))
    ap.add_argument("--out", default=env("CHAOS_OUT"))
    ap.add_argument("--clients", type=int, default=int(env("CHAOS_CLIENTS", "100")))
    ap.add_argument("--deadline", type=float, default=float(env("CHAOS_DEADLINE", "0")))
    ap.add_argument("--faults", default=env("CHAOS_FAULTS", ",".join(Run.FAULTS)))
    ap.add_argument("--partner", default=env("PARTNER", "dhcpfod"))
    args = ap.parse_args()
    if not args.seed:
        args.seed = random.SystemRandom().randrange(1, 1 << 31)
    if args.out:
        args.out = os.path.abspath(args.out)
        os.makedirs(args.out, exist_ok=True)
    args.faults = [f for f in args.faults.split(",") if f]
    bad = [f for f in args.faults if f not in Run.FAULTS]
    if bad:
        ap.error("unknown fault %s (known: %s)" % (",".join(bad), ",".join(Run.FAULTS)))
    if args.partner not in ("dhcpfod", "isc-primary", "isc-secondary"):
        ap.error("PARTNER must be dhcpfod, isc-primary or isc-secondary")
    if os.geteuid() != 0:
        print("chaos: needs root (network namespaces)")
        return 77
    for tool in ("nft", "ip"):
        if not shutil.which(tool):
            print("chaos: %s missing (scripts/install-deps)" % tool)
            return 77
    run = Run(args)
    # SIGTERM (a timeout, a CI runner giving up) tears the lab down like ^C
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        s = run.run()
    finally:
        run.clients("quit")
        run.lab.down()
    print("chaos: seed %d: %s (replay: make chaos CYCLES=%d SEED=%d)" % (
        args.seed, "PASS" if not s["violations"] else "FAIL", args.cycles, args.seed))
    if not args.out and not s["violations"]:
        shutil.rmtree(run.tmp, ignore_errors=True)      # kept when something failed
    elif s["violations"]:
        print("chaos: logs kept in %s" % run.tmp)
    return 0 if not s["violations"] else 1


if __name__ == "__main__":
    sys.exit(main())
