#!/usr/bin/env python3
"""Planned maintenance and on-demand resynchronisation of a dhcpfod pair
(docs/FAILOVER.md §15, RPC.md §6.14, §6.15), end to end.

Lab, all in network namespaces this test creates and always removes:
  mt-a-PID  primary:   LAN la 10.77.0.1/24, failover link fa 10.99.0.1/24
  mt-b-PID  secondary: LAN lb 10.77.0.2/24, failover link fb 10.99.0.2/24
  mt-c-PID  clients:   bridge br0 joining la1, lb1 and one veth per client
Clients are busybox udhcpc with MACs alternately in the primary's and the
secondary's half of the RFC 3074 buckets (rfc3074.py).

Steps, for each server in turn as the one under maintenance:
  - NORMAL; every client leased by the server its bucket names;
  - failover.maintenance start: this server PAUSED, the partner
    COMMUNICATION_INT within 2 s; every client, of both buckets, renewed and
    two new ones (one per bucket) leased by the partner alone, the first
    within 2 s of the start;
  - failover.maintenance cancel: both NORMAL again, both lease tables equal,
    and clients answered by hash again.
Then B's maintenance with the failover link cut: the cancel without contact
goes to RECOVER, A serves everyone, and the pair is NORMAL again with equal
tables after the heal. Then failover.resync: a lease deleted on the secondary only (a binding one
side lacks, injected) stays missing until the secondary's failover.resync,
which brings it back; the tables are equal after.
Last, B restarted with its clock 90 s ahead refuses A's CONNECT, and A's
failover.get shows the partner's reject reason, message and the skew.
A sampler reads both lease tables every 0.3 s through the whole test: no
address is ACTIVE for two clients in any sample.
"""
import os
import shutil
import sys
import tempfile
import threading
import time

import labkit as lk
from labkit import check, sh, wait_for
from rfc3074 import bucket_of, client_macs

NS_A, NS_B, NS_C = "mt-a-" + lk.TAG, "mt-b-" + lk.TAG, "mt-c-" + lk.TAG
SUBNET, LO, HI = "10.77.0.0", "10.77.0.100", "10.77.0.199"
MCLT = 30
NCLIENTS = 8         # c0..c7 from the start; c8..c11 new during maintenance
LAB = lk.PairLab((NS_A, NS_B, NS_C), ("fa", "fb"), ("la", "lb"), client_macs(NCLIENTS + 4),
                 ("10.77.0.3/24",))
SID = {"A": "10.77.0.1", "B": "10.77.0.2"}


class Server(lk.Dhcpfod):
    def __init__(self, tmp, name, ns, ifc, listen):
        super().__init__(os.path.join(tmp, name), ns)
        self.lab_conf(ifc, listen)

    def leases(self):
        return self.lease_list(SUBNET) or []

    def state(self):
        return self.rel().get("state")


def active(srv):
    return {(l["address"], l["hwaddr"]) for l in srv.leases() if l["state"] == "ACTIVE"}


def tables_agree(a, b):
    return active(a) == active(b)


class Sampler(threading.Thread):
    """Both lease tables every 0.3 s: an address ACTIVE for two hardware
    addresses in one sample (across both tables) is a violation."""

    def __init__(self, a, b):
        super().__init__(daemon=True)
        self.a, self.b, self.stop, self.samples, self.bad = a, b, False, 0, []

    def run(self):
        while not self.stop:
            owner = {}
            for srv in (self.a, self.b):
                for addr, hw in active(srv):
                    if owner.setdefault(addr, hw) != hw:
                        self.bad.append((addr, owner[addr], hw))
            self.samples += 1
            time.sleep(0.3)


def client(i, tmp, want=None):
    """DORA from client i: (address, server id, seconds it took) or None."""
    t0 = time.time()
    got = lk.udhcpc(NS_C, "c%d" % i, tmp, want)
    return (got[0], got[1], time.time() - t0) if got else None


def setup(a, b):
    scope = {"subnet": SUBNET, "prefix": 24, "name": "lan", "range": {"start": LO, "end": HI},
             "lease_time": 600, "options": {"routers": "10.77.0.254"}}
    rel = {"name": "r1", "primary_server": "10.99.0.1", "secondary_server": "10.99.0.2",
           "mode": "load-balance", "percentage": 50, "mclt": MCLT, "scopes": [SUBNET],
           "shared_secret": "maint-s3cret"}   # signed: replay checks (§11.1) on
    for srv, role in ((a, "primary"), (b, "secondary")):
        check(srv.call("scope.create", scope)[0] == "ok", "scope on " + srv.name)
        r = srv.call("failover.create", dict(rel, server_type=role))
        check(r[0] == "ok", "relationship on %s: %r" % (srv.name, r))


def by_hash(a, b, clients, tmp, what):
    """Every client known so far (and c0..c7) leased, by the server its
    bucket names (50 %: the primary serves buckets 0..127)."""
    for i in range(NCLIENTS + 4):
        if i >= NCLIENTS and lk.hw_of(NS_C, "c%d" % i) not in clients:
            continue
        hw = lk.hw_of(NS_C, "c%d" % i)
        got = client(i, tmp, clients.get(hw))
        want = SID["A"] if bucket_of(hw) < 128 else SID["B"]
        check(got is not None and got[1] == want, "%s: c%d (bucket %d) leased by %s: %r"
              % (what, i, bucket_of(hw), want, got))
        if got:
            clients[hw] = got[0]


def step_maintenance(a, b, paused, partner, clients, tmp, new):
    name = paused.name
    # as an operator types it
    p = sh(paused.ctl, "-s", paused.sock, "failover", "maintenance", "start", "r1",
           check_rc=False)
    t0 = time.time()
    check(p.returncode == 0 and paused.state() == "PAUSED",
          "%s: dhcpfoctl failover maintenance start r1: PAUSED (%d %s)"
          % (name, p.returncode, p.stderr.strip()))
    # the first client served by the partner, of the paused server's bucket
    first = next(i for i in range(NCLIENTS)
                 if (bucket_of(lk.hw_of(NS_C, "c%d" % i)) < 128) == (paused is a))
    got = client(first, tmp, clients.get(lk.hw_of(NS_C, "c%d" % first)))
    took = time.time() - t0
    check(got is not None and got[1] == SID[partner.name] and took < 2.0,
          "%s paused: c%d of its bucket leased by %s %.2f s after the start (< 2 s): %r"
          % (name, first, partner.name, took, got))
    check(wait_for(lambda: partner.state() == "COMMUNICATION_INT", 2),
          "%s paused: %s COMMUNICATION_INT within 2 s (%s)" % (name, partner.name,
                                                              partner.state()))
    check(partner.rel().get("partner_state") == "PAUSED",
          "%s paused: %s sees it PAUSED" % (name, partner.name))
    sent = lambda: sum(paused.result("server.stats", None, {}).get(
        "packets_sent", {}).get(t, 0) for t in ("DHCPOFFER", "DHCPACK", "DHCPNAK"))
    sent0 = sent()
    # every client, both buckets, renewing its address: the partner alone
    for i in range(NCLIENTS):
        hw = lk.hw_of(NS_C, "c%d" % i)
        got = client(i, tmp, clients.get(hw))
        check(got is not None and got[1] == SID[partner.name],
              "%s paused: c%d (bucket %d) served by %s: %r" % (name, i, bucket_of(hw),
                                                              partner.name, got))
        if got:
            check(got[0] == clients.get(hw, got[0]), "%s paused: c%d keeps %s (%s)"
                  % (name, i, clients.get(hw), got[0]))
            clients[hw] = got[0]
    # new clients of both buckets (never seen before): the partner alone
    for i in new:
        hw = lk.hw_of(NS_C, "c%d" % i)
        got = client(i, tmp)
        check(got is not None and got[1] == SID[partner.name],
              "%s paused: new client c%d (bucket %d) leased by %s: %r"
              % (name, i, bucket_of(hw), partner.name, got))
        if got:
            clients[hw] = got[0]
    check(sent() == sent0, "%s paused: it sent no DHCPOFFER, DHCPACK or DHCPNAK (%d)"
          % (name, sent() - sent0))
    check(paused.state() == "PAUSED", "%s stays PAUSED" % name)
    r = paused.call("failover.maintenance", {"name": "r1", "action": "start"})
    check(r[0] == "err" and r[1] == 20120, "%s: a second start answers 20120: %r" % (name, r))
    r = paused.call("failover.maintenance", {"name": "r1", "action": "cancel"})
    check(r[0] == "ok", "%s: maintenance cancel answers: %r" % (name, r))
    check(wait_for(lambda: a.state() == "NORMAL" and b.state() == "NORMAL", 10),
          "%s cancelled: both NORMAL (A %s, B %s)" % (name, a.state(), b.state()))
    check(wait_for(lambda: tables_agree(a, b), 10),
          "%s cancelled: both lease tables equal (%d leases)" % (name, len(active(a))))
    by_hash(a, b, clients, tmp, "%s cancelled" % name)


def step_cut_in_maintenance(a, b, clients, tmp):
    """The link lost during B's maintenance: B cancels without contact, so
    it catches up (RECOVER: every binding, then MCLT from the start of its
    maintenance) before serving; A serves every client meanwhile."""
    r = b.call("failover.maintenance", {"name": "r1", "action": "start"})
    check(r[0] == "ok", "cut: B maintenance start: %r" % (r,))
    sh("ip", "link", "set", "fa", "down", ns=NS_A)
    try:
        check(wait_for(lambda: not b.rel().get("connected", True), 20),
              "cut: B notices the lost link")
        r = b.call("failover.maintenance", {"name": "r1", "action": "cancel"})
        check(r[0] == "ok" and r[1].get("state") == "RECOVER",
              "cut: cancel without contact goes to RECOVER: %r" % (r,))
        for i in (0, 1):
            hw = lk.hw_of(NS_C, "c%d" % i)
            got = client(i, tmp, clients.get(hw))
            check(got is not None and got[1] == SID["A"],
                  "cut: c%d (bucket %d) served by A: %r" % (i, bucket_of(hw), got))
            if got:
                clients[hw] = got[0]
    finally:
        sh("ip", "link", "set", "fa", "up", ns=NS_A)
    check(wait_for(lambda: a.state() == "NORMAL" and b.state() == "NORMAL", MCLT + 40),
          "cut: healed, both NORMAL after B's recovery (A %s, B %s)" % (a.state(),
                                                                    b.state()))
    check("-> RECOVER_WAIT" in b.log() or "-> RECOVER_DONE" in b.log(),
          "cut: B recovered through RECOVER_WAIT/RECOVER_DONE")
    check(wait_for(lambda: tables_agree(a, b), 10), "cut: both lease tables equal")
    by_hash(a, b, clients, tmp, "after the cut")


def step_resync(a, b, clients):
    check(wait_for(lambda: tables_agree(a, b), 10), "resync: tables equal before")
    addr, hw = sorted(active(a))[0]
    r = b.call("lease.delete", {"address": addr})
    check(r[0] == "ok", "resync: %s deleted on B only: %r" % (addr, r))
    time.sleep(3)
    check((addr, hw) not in active(b) and (addr, hw) in active(a),
          "resync: B lacks %s, A has it (nothing sends it by itself)" % addr)
    r = b.call("failover.resync", {"name": "r1"})
    check(r[0] == "ok" and "ms" in r[1], "resync: answered at UPDDONE: %r" % (r,))
    check(wait_for(lambda: (addr, hw) in active(b), 5),
          "resync: %s ACTIVE for %s on B again" % (addr, hw))
    check(wait_for(lambda: tables_agree(a, b), 10), "resync: both lease tables equal")
    check(a.state() == "NORMAL" and b.state() == "NORMAL", "resync: both stay NORMAL")
    # failover.client_info's last_bndupd_time: when the binding was last
    # exchanged (B received it just now; A's was acknowledged earlier)
    ib = b.result("failover.client_info", {"address": addr}, {})
    ia = a.result("failover.client_info", {"address": addr}, {})
    now = time.time()
    check(now - 10 <= ib.get("last_bndupd_time", 0) <= now + 1 and
          0 < ia.get("last_bndupd_time", 0) <= now + 1,
          "resync: last_bndupd_time filled (B %r, A %r)" % (ib.get("last_bndupd_time"),
                                                           ia.get("last_bndupd_time")))
    check("resynchronised" in b.log(), "resync: logged")


FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def step_reject(a, b):
    """B restarted with its clock 90 s ahead (libfaketime): B refuses A's
    CONNECT (time mismatch, draft-12 §7.8.2), and the reason reaches A, which
    shows it in failover.get (before, A saw only "closed by the partner")."""
    if not os.path.exists(FAKETIME):
        print("maint: reject step skipped: libfaketime missing")
        return
    import signal
    b.stop(signal.SIGKILL)
    clock = os.path.join(b.dir, "faketime")
    with open(clock, "w") as f:
        f.write("+90\n")
    # (under make asan the preload comes before ASan's runtime: allowed here)
    asan = (os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0").lstrip(":")
    b.start(["env", "LD_PRELOAD=" + FAKETIME, "FAKETIME_TIMESTAMP_FILE=" + clock,
             "FAKETIME_DONT_FAKE_MONOTONIC=1", "NO_FAKE_STAT=1", "ASAN_OPTIONS=" + asan])
    lr = lambda srv: srv.rel().get("last_reject") or {}
    check(wait_for(lambda: lr(a).get("reason") == 4, 20),
          "reject: A shows the partner's reject: %r" % a.rel().get("last_reject"))
    ra, rb = a.rel(), b.rel()
    check(lr(a).get("by") == "partner" and "60 s" in lr(a).get("message", "") and
          ra.get("connect_rejects", 0) >= 1,
          "reject: by the partner, its message, counted: %r" % (ra.get("last_reject"),))
    check(ra.get("time_out_of_sync") is True and 80 <= ra.get("clock_skew", 0) <= 100,
          "reject: A's clock_skew %r, time_out_of_sync %r" % (ra.get("clock_skew"),
                                                             ra.get("time_out_of_sync")))
    check((rb.get("last_reject") or {}).get("by") == "this server",
          "reject: B shows its own: %r" % rb.get("last_reject"))
    check("the partner refused CONNECT: time mismatch" in a.log(), "reject: A logs it")
    m = a.result("server.metrics", None, {})
    text = m.get("text", "") if isinstance(m, dict) else ""
    check('dhcpfod_failover_last_reject_reason{relationship="r1"} 4' in text,
          "reject: in A's metrics")


def main():
    if os.geteuid() != 0:
        print("maint: SKIP: needs root for network namespaces")
        return 77
    if shutil.which("busybox") is None:
        print("maint: SKIP: busybox (udhcpc) missing: run scripts/install-deps")
        return 77
    tmp = tempfile.mkdtemp(prefix="dfo-mt.")
    lk.exit_on_sigterm(130)
    a = b = sampler = None
    try:
        LAB.up()
        a = Server(tmp, "A", NS_A, "la", "10.99.0.1:647")
        b = Server(tmp, "B", NS_B, "lb", "10.99.0.2:647")
        a.start()
        b.start()
        setup(a, b)
        check(wait_for(lambda: a.state() == "NORMAL" and b.state() == "NORMAL", 40),
              "both reach NORMAL (A %s, B %s)" % (a.state(), b.state()))
        time.sleep(2)       # the primary's rebalance on entering NORMAL
        sampler = Sampler(a, b)
        sampler.start()
        clients = {}
        by_hash(a, b, clients, tmp, "NORMAL")
        step_maintenance(a, b, b, a, clients, tmp, (8, 9))
        step_maintenance(a, b, a, b, clients, tmp, (10, 11))
        step_cut_in_maintenance(a, b, clients, tmp)
        step_resync(a, b, clients)
        step_reject(a, b)
    except Exception as e:
        check(False, "exception: %r" % (e,))
    finally:
        if sampler:
            sampler.stop = True
            sampler.join(5)
            check(sampler.samples > 10 and not sampler.bad,
                  "no address ACTIVE for two clients in %d samples of both tables %s"
                  % (sampler.samples, sampler.bad[:3]))
        lk.show_logs((a, b))
        LAB.close(tmp)
    return lk.report("maint")


if __name__ == "__main__":
    lk.VERBOSE = os.environ.get("VERBOSE") == "1"
    sys.exit(main())
