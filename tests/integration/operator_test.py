#!/usr/bin/env python3
"""Operator actions on a failover pair, and a partner that stops answering its
clients (docs/FAILOVER.md §4 and §5.1), end to end with real clients.

Lab, all in network namespaces this test creates and always removes (the
PairLab of failover_test.py):
  op-a-PID  primary:   LAN la 10.77.0.1/24, failover link fa 10.99.0.1/24
  op-b-PID  secondary: LAN lb 10.77.0.2/24, failover link fb 10.99.0.2/24
  op-c-PID  clients:   bridge br0 joining la1, lb1 and one veth per client
Clients are busybox udhcpc whose MACs fall alternately in the primary's and
the secondary's half of the RFC 3074 buckets.
Steps:
  live      A serves the scope alone; failover.create on A with B absent:
            COMMUNICATION_INT at once, renewals and new clients answered
  join      B created with an empty database: B RECOVERs, A serves throughout
            (PARTNER_DOWN), both reach NORMAL with equal lease tables
  percent   percentage 50 -> 70 on the primary in NORMAL: the new assignment
            reaches B at once (a reconnect), every client answered throughout,
            then by the new hash
  mode      mode hot-standby on the primary only: B follows at once
  scope     a scope A served alone added (B first, then A): its lease reaches
            B; removed again, B's copy disabled first
  mute      B's DHCP port 67 blocked (nftables), port 647 open: B's clients are
            answered by A within load_balance_max_seconds + 2 s; after 5 of
            them A reports the partner unresponsive and answers at once
  delete    the scope disabled on B, then the relationship deleted on A, then
            on B: every client answered by A throughout
After every step a checker compares both lease tables and the clients' own
leases: no address is ACTIVE for two different clients.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import labkit as lk
from labkit import check, sh, wait_for
from rfc3074 import bucket_of, client_macs

NS_A, NS_B, NS_C = "op-a-" + lk.TAG, "op-b-" + lk.TAG, "op-c-" + lk.TAG
SUBNET, LO, HI = "10.77.0.0", "10.77.0.100", "10.77.0.199"
MCLT = 6
LBMS = 3                 # load_balance_max_seconds: the default
NCLIENTS = 20
MACS = client_macs(NCLIENTS)
LAB = lk.PairLab((NS_A, NS_B, NS_C), ("fa", "fb"), ("la", "lb"), MACS, ("10.77.0.3/24",))
A_ID, B_ID = "10.77.0.1", "10.77.0.2"
REL = {"name": "r1", "primary_server": "10.99.0.1", "secondary_server": "10.99.0.2",
       "mode": "load-balance", "percentage": 50, "mclt": MCLT, "port": 647,
       "scopes": [SUBNET]}
SCOPE = {"subnet": SUBNET, "prefix": 24, "name": "lan", "range": {"start": LO, "end": HI},
         "lease_time": 600, "options": {"routers": "10.77.0.254"}}


class Server(lk.Dhcpfod):
    def __init__(self, tmp, name, ns, ifc, listen):
        super().__init__(os.path.join(tmp, name), ns)
        self.lab_conf(ifc, listen)

    def leases(self):
        return self.lease_list(SUBNET) or []

    def state(self):
        return self.rel().get("state")


def dora(i, tmp, want=None, tries=4):
    """One DORA of client ci: (address, server id, seconds it took) or None."""
    t0 = time.time()
    got = lk.udhcpc(NS_C, "c%d" % i, tmp, want, tries)
    return None if got is None else (got[0], got[1], time.time() - t0)


def hw(i):
    return lk.hw_of(NS_C, "c%d" % i)


def no_double_lease(servers, clients, what):
    """Every address ACTIVE in either table belongs to one client, and each
    client's own address is ACTIVE for nobody else."""
    owner, ok = {}, True
    for srv in servers:
        for l in srv.leases():
            if l["state"] != "ACTIVE":
                continue
            prev = owner.setdefault(l["address"], l["hwaddr"])
            if prev != l["hwaddr"]:
                ok = False
                print("  %s: %s ACTIVE for %s and %s" % (what, l["address"], prev,
                                                         l["hwaddr"]))
    for mac, ip in clients.items():
        if ip in owner and owner[ip] != mac:
            ok = False
            print("  %s: client %s holds %s, ACTIVE for %s" % (what, mac, ip, owner[ip]))
    check(ok, "no address ACTIVE for two clients (%s)" % what)


def tables_agree(a, b):
    act = lambda s: {(l["address"], l["hwaddr"]) for l in s.leases()
                     if l["state"] == "ACTIVE"}
    return act(a) == act(b)


def serve_all(idx, tmp, clients, what, bound=6.0, owner=None):
    """Each client of idx renews (or gets) its address within bound seconds;
    owner(i), when given, is the server id that must answer client i."""
    worst, ok = 0.0, True
    for i in idx:
        got = dora(i, tmp, clients.get(hw(i)))
        if got is None:
            ok = False
            print("  %s: c%d (bucket %d) got no answer" % (what, i, bucket_of(MACS[i])))
            continue
        clients[hw(i)] = got[0]
        worst = max(worst, got[2])
        if owner is not None and got[1] != owner(i):
            ok = False
            print("  %s: c%d (bucket %d) answered by %s, want %s" % (
                what, i, bucket_of(MACS[i]), got[1], owner(i)))
    line = "%s: %d clients answered, the slowest in %.1f s (bound %.0f s)" % (
        what, len(idx), worst, bound)
    print("  " + line)
    check(ok and worst <= bound, line)


def step_live(a, tmp, clients):
    check(a.call("scope.create", SCOPE)[0] == "ok", "scope on A")
    serve_all(range(4), tmp, clients, "A alone, no relationship")
    r = a.call("failover.create", dict(REL, server_type="primary"))
    check(r[0] == "ok" and r[1].get("state") == "COMMUNICATION_INT",
          "failover.create over leased scopes with B absent: %s" % (
              r[1].get("state") if r[0] == "ok" else r,))
    check("created over scopes with leases" in a.log(), "A logs the live creation")
    serve_all(range(4), tmp, clients, "just created, B absent: renewals")
    serve_all(range(4, 6), tmp, clients, "just created, B absent: new clients")
    time.sleep(9)       # past what STARTUP would have taken
    check(a.state() == "COMMUNICATION_INT", "still COMMUNICATION_INT without B: %s"
          % a.state())
    serve_all(range(6), tmp, clients, "created 9 s ago, B absent")
    no_double_lease([a], clients, "live")


def step_join(a, b, tmp, clients):
    b.start()
    check(b.call("scope.create", SCOPE)[0] == "ok", "scope on B")
    r = b.call("failover.create", dict(REL, server_type="secondary"))
    check(r[0] == "ok" and r[1].get("state") == "STARTUP",
          "B, empty, created in STARTUP (resumes RECOVER): %r" % (r,))
    seen, t0, n, worst, missed = set(), time.time(), 0, 0.0, []
    while time.time() - t0 < 60:
        st = (a.state(), b.state())
        seen.add(st)
        i = n % 6
        got = dora(i, tmp, clients.get(hw(i)))
        n += 1
        if got is None:
            missed.append((i, st))
        else:
            clients[hw(i)] = got[0]
            worst = max(worst, got[2])
        if st == ("NORMAL", "NORMAL"):
            break
        time.sleep(0.3)
    print("  B joining: %d DORAs over %.1f s, the slowest %.1f s, unanswered %s; "
          "states seen (A, B): %s" % (n, time.time() - t0, worst, missed, sorted(seen)))
    check(not missed and worst <= 6, "every client answered while B joined")
    check(a.state() == "NORMAL" and b.state() == "NORMAL", "both NORMAL within 60 s "
          "(A %s, B %s)" % (a.state(), b.state()))
    check(any(s[0] == "PARTNER_DOWN" for s in seen) or "-> PARTNER_DOWN" in a.log(),
          "A served its new partner's RECOVER in PARTNER_DOWN")
    check(wait_for(lambda: tables_agree(a, b), 15), "B received every binding of A")
    half = lambda i: A_ID if bucket_of(MACS[i]) < 128 else B_ID
    serve_all(range(6, 12), tmp, clients, "NORMAL at 50 %: new clients by hash",
              owner=half)
    serve_all(range(12), tmp, clients, "NORMAL at 50 %: renewals")
    check(wait_for(lambda: tables_agree(a, b), 15), "lease tables equal")
    no_double_lease([a, b], clients, "join")


def moved(i):
    """A client whose bucket moves from B to A at percentage 70 (128..178)."""
    return 128 <= bucket_of(MACS[i]) < 179


def step_percent(a, b, tmp, clients):
    r = a.call("failover.set", {"name": "r1", "percentage": 70})
    check(r[0] == "ok", "percentage 70 on the primary")
    # at once: every client, whichever half it was or will be in
    serve_all(range(12), tmp, clients, "right after percentage 70")
    check(wait_for(lambda: a.state() == "NORMAL" and b.state() == "NORMAL", 20),
          "both NORMAL again (A %s, B %s)" % (a.state(), b.state()))
    check("hash-bucket assignment changed" in a.log(), "A reconnected to send the "
          "new assignment")
    at70 = lambda i: A_ID if bucket_of(MACS[i]) < 179 else B_ID
    new = [i for i in range(NCLIENTS) if moved(i)][:2] + \
          [i for i in range(NCLIENTS) if bucket_of(MACS[i]) >= 179][:1]
    check(any(moved(i) for i in new), "a client whose bucket moved to A: %s" %
          [bucket_of(MACS[i]) for i in new])
    serve_all(new, tmp, clients, "NORMAL at 70 %: new clients by the new hash",
              owner=at70)
    check(wait_for(lambda: tables_agree(a, b), 15), "lease tables equal")
    no_double_lease([a, b], clients, "percentage")


def step_mode(a, b, tmp, clients):
    r = a.call("failover.set", {"name": "r1", "mode": "hot-standby", "percentage": 5})
    check(r[0] == "ok", "hot-standby on the primary only")
    serve_all(range(12), tmp, clients, "right after hot-standby")
    check(wait_for(lambda: a.state() == "NORMAL" and b.state() == "NORMAL", 20),
          "both NORMAL again")
    check(b.rel().get("mode") == "load-balance", "B's own mode unchanged")
    rest = [i for i in range(NCLIENTS) if bucket_of(MACS[i]) >= 179]
    serve_all(rest[:2], tmp, clients, "hot standby: clients of B's old half",
              owner=lambda i: A_ID)
    r = a.call("failover.set", {"name": "r1", "mode": "load-balance", "percentage": 50})
    check(r[0] == "ok", "back to load-balance 50")
    check(wait_for(lambda: a.state() == "NORMAL" and b.state() == "NORMAL", 20),
          "both NORMAL again")
    check(wait_for(lambda: tables_agree(a, b), 15), "lease tables equal")
    no_double_lease([a, b], clients, "mode")


S2 = "10.88.0.0"


def step_add_scope(a, b):
    """A scope A served alone joins the relationship (B first, FAILOVER.md §5.6):
    its lease reaches B; then it leaves again, B's copy disabled first."""
    sc = {"subnet": S2, "prefix": 24, "name": "s2", "range": {"start": "10.88.0.10",
          "end": "10.88.0.50"}, "lease_time": 600}
    for srv in (a, b):
        check(srv.call("scope.create", sc)[0] == "ok", "scope %s on %s" % (S2, srv.name))
    r = a.call("lease.add", {"address": "10.88.0.20", "hwaddr": "02:aa:00:00:00:20",
                             "ends": int(time.time()) + 600})
    check(r[0] == "ok", "a lease of %s on A alone: %r" % (S2, r))
    for srv in (b, a):
        r = srv.call("failover.add_scopes", {"name": "r1", "scopes": [S2]})
        check(r[0] == "ok", "add_scopes on %s: %r" % (srv.name, r))
    on_b = lambda: any(l["address"] == "10.88.0.20" and l["state"] == "ACTIVE" and
                       l["hwaddr"] == "02:aa:00:00:00:20"
                       for l in b.lease_list(S2) or [])
    check(wait_for(on_b, 15), "the scope's lease, older than the relationship, "
          "reached B")
    check(b.call("scope.set", {"subnet": S2, "state": "disabled"})[0] == "ok",
          "%s disabled on B" % S2)
    for srv in (a, b):
        r = srv.call("failover.remove_scopes", {"name": "r1", "scopes": [S2]})
        check(r[0] == "ok", "remove_scopes on %s: %r" % (srv.name, r))


def step_mute(a, b, tmp, clients):
    """B keeps its failover connection but answers no client."""
    sh("nft", "add table inet optest", ns=NS_B)
    sh("nft", "add chain inet optest in { type filter hook input priority 0 ; }", ns=NS_B)
    sh("nft", "add rule inet optest in udp dport 67 drop", ns=NS_B)
    try:
        bs = [i for i in range(NCLIENTS) if bucket_of(MACS[i]) >= 128]
        check(len(bs) >= 6, "%d clients of B's buckets" % len(bs))
        times = []
        for n, i in enumerate(bs[:5]):
            got = dora(i, tmp, tries=10)
            check(got is not None and got[1] == A_ID, "B mute: c%d (bucket %d) answered "
                  "by A: %r" % (i, bucket_of(MACS[i]), got))
            if got:
                clients[hw(i)] = got[0]
                times.append(got[2])
        print("  B mute: its clients answered by A in %s s" % ["%.1f" % t for t in times])
        check(times and max(times) <= LBMS + 3, "each within load_balance_max_seconds "
              "+ 3 s: %s" % ["%.1f" % t for t in times])
        rel = a.rel()
        check(rel.get("partner_unresponsive") is True and rel.get("connected") is True
              and rel.get("state") == "NORMAL", "A reports the partner unresponsive, "
              "still NORMAL and connected: %s" % {k: rel.get(k) for k in (
                  "state", "connected", "partner_unresponsive", "unacked_clients")})
        check("partner unresponsive" in a.log(), "A logs it")
        met = subprocess.run([a.ctl, "-s", a.sock, "metrics"], capture_output=True,
                             text=True, timeout=30).stdout
        check('dhcpfod_failover_partner_unresponsive{relationship="r1"} 1' in met,
              "and its metrics show it")
        if len(bs) > 5:
            got = dora(bs[5], tmp, tries=10)
            print("  B reported unresponsive: the next client answered in %s s" % (
                "%.1f" % got[2] if got else None))
            check(got is not None and got[1] == A_ID and got[2] < 2.5,
                  "then a client of B's buckets is answered at once: %r" % (got,))
            if got:
                clients[hw(bs[5])] = got[0]
        check(b.state() == "NORMAL", "B still NORMAL (its link is up)")
    finally:
        sh("nft", "delete table inet optest", ns=NS_B, check_rc=False)
    check(wait_for(lambda: tables_agree(a, b), 15), "B knows every lease A made")
    no_double_lease([a, b], clients, "mute")


def step_delete(a, b, tmp, clients):
    """Ending the relationship, A keeping the scope (FAILOVER.md §5.6): B stops
    serving the scope first, then each side deletes the relationship."""
    r = b.call("scope.set", {"subnet": SUBNET, "state": "disabled"})
    check(r[0] == "ok", "scope disabled on B")
    serve_all(range(12), tmp, clients, "scope disabled on B, relationship up",
              bound=LBMS + 3, owner=lambda i: A_ID)
    check(a.call("failover.delete", {"name": "r1"})[0] == "ok", "relationship deleted "
          "on A")
    serve_all(range(NCLIENTS), tmp, clients, "deleted on A, still on B",
              owner=lambda i: A_ID)
    check(wait_for(lambda: b.state() == "COMMUNICATION_INT", 15), "B, its partner "
          "gone, COMMUNICATION_INT: %s" % b.state())
    check(b.call("failover.delete", {"name": "r1"})[0] == "ok", "deleted on B")
    serve_all(range(NCLIENTS), tmp, clients, "deleted on both", owner=lambda i: A_ID)
    no_double_lease([a, b], clients, "delete")


def main():
    if os.geteuid() != 0:
        print("operator: SKIP: needs root for network namespaces")
        return 77
    if shutil.which("busybox") is None or shutil.which("nft") is None:
        print("operator: SKIP: busybox or nft missing: run scripts/install-deps")
        return 77
    tmp = tempfile.mkdtemp(prefix="dfo-op.")
    lk.exit_on_sigterm(130)
    a = b = None
    try:
        LAB.up()
        a = Server(tmp, "A", NS_A, "la", "10.99.0.1:647")
        b = Server(tmp, "B", NS_B, "lb", "10.99.0.2:647")
        a.start()
        clients = {}
        step_live(a, tmp, clients)
        step_join(a, b, tmp, clients)
        step_percent(a, b, tmp, clients)
        step_mode(a, b, tmp, clients)
        step_add_scope(a, b)
        step_mute(a, b, tmp, clients)
        step_delete(a, b, tmp, clients)
    except Exception as e:      # a broken lab is a failure, not a crash
        check(False, "exception: %r" % (e,))
    finally:
        lk.show_logs((a, b))
        for s in (a, b):
            if s:
                s.stop()
        LAB.close(tmp)
    return lk.report("operator")


if __name__ == "__main__":
    sys.exit(main())
