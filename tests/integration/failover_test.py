#!/usr/bin/env python3
"""Two dhcpfod servers in a failover relationship (docs/FAILOVER.md), end to end.

Lab, all in network namespaces this test creates and always removes:
  fo-a-PID  primary:   LAN la 10.77.0.1/24, failover link fa 10.99.0.1/24
  fo-b-PID  secondary: LAN lb 10.77.0.2/24, failover link fb 10.99.0.2/24
  fo-c-PID  clients:   bridge br0 joining la1, lb1 and one veth per client
The failover link is a veth pair straight between A and B, so it can be cut
without cutting the clients off. Clients are busybox udhcpc.
Steps: NORMAL on both; leases from both by hash, in both lease tables; the
rebalancing targets of docs/FAILOVER.md §11 at 50, 70 and hot-standby 5 with the error
codes 20117/20115/20120; load_balance_max_seconds lets the standby answer a
client the primary does not; link cut -> COMMUNICATION_INT and service from own
pools, a client whose lease ran out meanwhile getting its address back;
PARTNER_DOWN takes the partner's addresses after MCLT; a release read late by
a stopped server does not free the lease the partner renewed meanwhile; heal -> NORMAL with
agreeing tables; SIGKILL of either server -> back to NORMAL; SIGTERM of
the secondary -> SHUTDOWN, the primary PARTNER_DOWN at once, and back to
NORMAL without MCLT's RECOVER_WAIT; the secondary restarted cut off from a
primary that took its addresses over (draft-12 §9.3.2) serves no new client,
renews only what the primary knows, and recovers on contact; a wrong
secret, a stranger, garbage and an oversized length on the failover port are
refused, and counted, while the daemons keep serving. After every step a checker compares
both lease tables and the clients' own leases: no address is ACTIVE for two
different clients.
"""
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

import labkit as lk
from labkit import check, sh, wait_for
from rfc3074 import bucket_of, client_macs

# LAB_PREFIX: another prefix for the namespaces' names (make bench-failover reuses this lab)
_PFX = os.environ.get("LAB_PREFIX", "fo")
NS_A, NS_B, NS_C = (_PFX + "-%s-" % x + lk.TAG for x in "abc")
SUBNET, LO, HI = "10.77.0.0", "10.77.0.100", "10.77.0.199"
LOAD = "10.78.0.0"      # a /16 for perfdhcp (relay agent 10.78.0.3 in C)
MCLT = 8
NCLIENTS = 6
LAB = lk.PairLab((NS_A, NS_B, NS_C), ("fa", "fb"), ("la", "lb"), client_macs(NCLIENTS + 7),
                 ("10.77.0.3/24", "10.78.0.3/24"))


def lab_up():
    """The lab of the docstring; perfdhcp's relay agent 10.78.0.3 routed from A and B."""
    LAB.up()
    sh("ip", "route", "add", "10.78.0.0/24", "dev", "la", ns=NS_A)
    sh("ip", "route", "add", "10.78.0.0/24", "dev", "lb", ns=NS_B)


class Server(lk.Dhcpfod):
    """One dhcpfod of the pair, name, in namespace ns: DHCP on ifc, failover on listen."""

    def __init__(self, tmp, name, ns, ifc, listen):
        super().__init__(os.path.join(tmp, name), ns)
        self.lab_conf(ifc, listen)

    def stats(self):
        return self.result("failover.scope_statistics", {"scope": SUBNET}, {})

    def leases(self, subnet=SUBNET):
        return self.lease_list(subnet) or []


def both_state(a, b, state):
    return a.rel().get("state") == state and b.rel().get("state") == state


# when each client's lease (by hardware address) runs out, as udhcpc was told
LEASE_END = {}


def udhcpc(ifc, tmp, want=None):
    """One DORA from client interface ifc; (leased address, server) or None."""
    got = lk.udhcpc(NS_C, ifc, tmp, want)
    if got is None:
        return None
    LEASE_END[hw_of(ifc)] = time.time() + got[2]
    return got[:2]


def hw_of(ifc):
    return lk.hw_of(NS_C, ifc)


def no_double_lease(a, b, clients, what):
    """Every address ACTIVE in either table belongs to one client, and each
    client's own lease is ACTIVE for it wherever the address is ACTIVE."""
    owner, ok = {}, True
    for srv in (a, b):
        if srv.proc is None:
            continue
        for l in srv.leases() + srv.leases(LOAD):
            if l["state"] != "ACTIVE":
                continue
            prev = owner.setdefault(l["address"], l["hwaddr"])
            if prev != l["hwaddr"]:
                ok = False
                print("  %s: %s ACTIVE for %s and %s" % (what, l["address"], prev,
                                                         l["hwaddr"]))
    for hw, ip in clients.items():
        # a client whose lease ran out holds nothing (its address may be reused)
        if ip not in owner or owner[ip] == hw:
            continue
        left = LEASE_END.get(hw, 0) - time.time()
        if left > 0:
            ok = False
        print("  %s: client %s %s %s, ACTIVE for %s" % (what, hw, "holds" if left > 0
              else "held (%.0f s ago)" % -left, ip, owner[ip]))
    check(ok, "no address ACTIVE for two clients (%s)" % what)


def tables_agree(a, b, show=False):
    act = lambda s: {(l["address"], l["hwaddr"]) for l in s.leases() + s.leases(LOAD)
                     if l["state"] == "ACTIVE"}
    x, y = act(a), act(b)
    if show and x != y:
        print("  tables differ: %d only in A %s, %d only in B %s" % (
            len(x - y), sorted(x - y)[:3], len(y - x), sorted(y - x)[:3]))
        for srv, only in ((a, x - y), (b, y - x)):
            for addr, _ in sorted(only)[:2]:
                print("   %s %s: %s; %s" % (srv.name, addr,
                      srv.call("lease.get", {"address": addr}),
                      (b if srv is a else a).call("lease.get", {"address": addr})))
    return x == y


def expect_split(a, b, share, what):
    """FAILOVER.md §11 targets on both servers, this/partner swapped."""
    sa, sb = a.stats(), b.stats()
    f = sa.get("addr_free", -1)
    sec = f * share // 100
    ok = (sa.get("partner_addr_free") == sec and sa.get("this_addr_free") == f - sec and
          sb.get("this_addr_free") == sec and sb.get("partner_addr_free") == f - sec and
          sb.get("addr_free") == f)
    check(ok, "%s: split %d%% to the secondary (F=%d): A %s, B %s" % (what, share, f, sa, sb))


def trigger(a, what):
    r = a.call("failover.trigger_addr_allocation", {"name": "r1"})
    check(r[0] == "ok", "%s: trigger answered %r" % (what, r))
    return r


def setup(a, b):
    scope = {"subnet": SUBNET, "prefix": 24, "name": "lan", "range": {"start": LO, "end": HI},
             "lease_time": 600, "options": {"routers": "10.77.0.254"}}
    load = {"subnet": LOAD, "prefix": 16, "name": "load", "range": {
        "start": "10.78.1.1", "end": "10.78.255.254"}, "lease_time": 600}
    rel = {"name": "r1", "primary_server": "10.99.0.1", "secondary_server": "10.99.0.2",
           "mode": "load-balance", "percentage": 50, "mclt": MCLT, "port": 647,
           "scopes": [SUBNET, LOAD],
           # 0: the pure hash, which step_lb_max starts from (the default is 3)
           "load_balance_max_seconds": 0}
    for srv, role in ((a, "primary"), (b, "secondary")):
        check(srv.call("scope.create", scope)[0] == "ok", "scope on " + srv.name)
        check(srv.call("scope.create", load)[0] == "ok", "load scope on " + srv.name)
        r = srv.call("failover.create", dict(rel, server_type=role))
        check(r[0] == "ok", "relationship on %s: %r" % (srv.name, r))


def step_normal(a, b, clients, tmp):
    check(wait_for(lambda: both_state(a, b, "NORMAL"), 40),
          "both reach NORMAL (A %s, B %s)" % (a.rel().get("state"), b.rel().get("state")))
    check(a.rel().get("partner_state") == "NORMAL" and
          b.rel().get("partner_state") == "NORMAL", "each sees its partner NORMAL")
    # entering NORMAL the primary balances (FAILOVER.md §11, on entering NORMAL)
    wait_for(lambda: a.stats().get("partner_addr_free") ==
             a.stats().get("addr_free", 0) // 2 and b.stats().get("this_addr_free") ==
             a.stats().get("addr_free", 0) // 2, 10)
    expect_split(a, b, 50, "on entering NORMAL")
    servers = set()
    for i in range(NCLIENTS):
        got = udhcpc("c%d" % i, tmp)
        check(got is not None, "client c%d gets a lease in NORMAL" % i)
        if got:
            hw = hw_of("c%d" % i)
            clients[hw] = got[0]
            servers.add(got[1])
            # FAILOVER.md §1: the primary (10.77.0.1) serves buckets 0..127 at 50 %
            want = "10.77.0.1" if bucket_of(hw) < 128 else "10.77.0.2"
            check(got[1] == want, "client c%d (bucket %d) answered by %s, the hash says %s"
                  % (i, bucket_of(hw), got[1], want))
    check(len(servers) == 2, "both servers answer clients by hash: %s" % servers)
    check(wait_for(lambda: tables_agree(a, b) and len(
        [l for l in a.leases() if l["state"] == "ACTIVE"]) >= len(clients), 10),
        "every lease in both lease tables")
    no_double_lease(a, b, clients, "NORMAL")


def step_rebalance(a, b):
    trigger(a, "50")
    expect_split(a, b, 50, "trigger at 50")
    r = b.call("failover.trigger_addr_allocation", {"name": "r1"})
    check(r[0] == "err" and r[1] == 20117, "secondary answers 20117: %r" % (r,))
    r = a.call("failover.trigger_addr_allocation", {"name": "nope"})
    check(r[0] == "err" and r[1] == 20115, "unknown name answers 20115: %r" % (r,))
    check(a.call("failover.set", {"name": "r1", "percentage": 70})[0] == "ok", "set 70")
    # the new hash-bucket assignment travels in CONNECT: a reconnect (FAILOVER.md §5.6)
    check(wait_for(lambda: both_state(a, b, "NORMAL"), 15), "NORMAL again after set 70")
    t0 = time.time()
    res = trigger(a, "70")
    expect_split(a, b, 30, "trigger at 70")
    if res[0] == "ok":
        check(len(res[1]["scopes"]) == 2 and all(
            sc["secondary_free"] == sc["free"] * 30 // 100 and
            sc["primary_free"] == sc["free"] - sc["free"] * 30 // 100
            for sc in res[1]["scopes"]), "trigger result %r" % (res[1],))
    print("  rebalance 50 -> 70 answered in %.2f s" % (time.time() - t0))
    for srv in (a, b):
        check(srv.call("failover.set", {"name": "r1", "mode": "hot-standby",
                                        "percentage": 5})[0] == "ok", "hot-standby 5")
    check(wait_for(lambda: both_state(a, b, "NORMAL"), 15), "NORMAL again after "
          "hot-standby")
    trigger(a, "hot-standby 5")
    expect_split(a, b, 5, "trigger hot-standby 5")
    # the operator's view: both states and the free split at a glance
    lst = subprocess.run([a.ctl, "-s", a.sock, "failover", "list"], capture_output=True,
                         text=True, timeout=30).stdout
    free = [a.call("failover.scope_statistics", {"scope": sc})[1] for sc in (SUBNET, LOAD)]
    split = "%d/%d" % (sum(f["this_addr_free"] for f in free),
                       sum(f["partner_addr_free"] for f in free))
    check("r1" in lst and lst.count("NORMAL") >= 2 and split in lst and
          "FREE THIS/PARTNER" in lst, "failover list shows states and split %s:\n%s" % (
              split, lst))


def step_lb_max(a, b, clients, tmp):
    """load_balance_max_seconds: the primary talks failover but serves no
    client (its LAN is down); in NORMAL hot standby nobody answers a new
    client, until the secondary may answer one that has waited (its secs field
    past the limit), from its own reserve."""
    ci = "c%d" % (NCLIENTS + 3)
    sh("ip", "link", "set", "la", "down", ns=NS_A)
    try:
        got = udhcpc(ci, tmp)
        check(got is None, "primary's LAN down, standby in NORMAL: no answer (%r)" % (got,))
        r = b.call("failover.set", {"name": "r1", "load_balance_max_seconds": 1})
        check(r[0] == "ok" and r[1].get("load_balance_max_seconds") == 1,
              "set load_balance_max_seconds 1 on the secondary: %r" % (r,))
        got = udhcpc(ci, tmp)
        check(got is not None and got[1] == "10.77.0.2", "a client that waited is "
              "answered by the secondary (%r)" % (got,))
        if got:
            clients[hw_of(ci)] = got[0]
            lease = b.call("lease.get", {"address": got[0]})[1]
            check(lease.get("owner") == "secondary", "from the secondary's own "
                  "addresses: %r" % (lease,))
        check(both_state(a, b, "NORMAL"), "still NORMAL on both")
    finally:
        sh("ip", "link", "set", "la", "up", ns=NS_A)
        b.call("failover.set", {"name": "r1", "load_balance_max_seconds": 0})
    check(wait_for(lambda: tables_agree(a, b), 15), "the primary learned that "
          "lease too")
    no_double_lease(a, b, clients, "load_balance_max_seconds")


def step_cut(a, b, clients, tmp):
    sh("ip", "link", "set", "fa", "down", ns=NS_A)
    check(wait_for(lambda: both_state(a, b, "COMMUNICATION_INT"), 30),
          "link cut: both COMMUNICATION_INT (A %s, B %s)" % (a.rel().get("state"),
                                                           b.rel().get("state")))
    before = a.stats()
    r = a.call("failover.trigger_addr_allocation", {"name": "r1"})
    check(r[0] == "err" and r[1] == 20120, "link cut: trigger answers 20120 %r" % (r,))
    check(a.stats() == before, "link cut: nothing moved")
    got = udhcpc("c%d" % NCLIENTS, tmp)
    check(got is not None, "link cut: a new client is served")
    if got:
        clients[hw_of("c%d" % NCLIENTS)] = got[0]
        # its lease (MCLT long) runs out; the partner never heard of the
        # EXPIRED, so the client may have its address back (draft-12 §5.2.2)
        # (the other server, answering too in COMMUNICATION_INT, is kept
        # off the LAN meanwhile: the client would take whichever offer came
        # first)
        time.sleep(MCLT + 2)
        other = ("lb", NS_B) if got[1] == "10.77.0.1" else ("la", NS_A)
        sh("ip", "link", "set", other[0], "down", ns=other[1])
        try:
            again = udhcpc("c%d" % NCLIENTS, tmp)
        finally:
            sh("ip", "link", "set", other[0], "up", ns=other[1])
        check(again is not None and again[0] == got[0], "link cut: the client "
              "whose lease ran out gets %s back (rewind): %r" % (got[0], again))
    no_double_lease(a, b, clients, "COMMUNICATION_INT")


def step_partner_down(a, b, clients, tmp):
    # B disappears from the LAN too; A is told its partner is down
    sh("ip", "link", "set", "lb", "down", ns=NS_B)
    r = a.call("failover.set", {"name": "r1", "state": "PARTNER_DOWN"})
    check(r[0] == "ok" and a.rel().get("state") == "PARTNER_DOWN", "A PARTNER_DOWN %r" % (r,))
    backup = [l["address"] for l in b.leases() if l["state"] == "BACKUP"]
    # an address the secondary owns: the first of its free range
    st = b.stats()
    want = None
    if st.get("this_addr_free", 0) > 0:
        hi = int(HI.split(".")[-1])
        want = "10.77.0.%d" % hi      # the planner gives the secondary the top
    time.sleep(MCLT + 2)
    got = udhcpc("c%d" % (NCLIENTS + 1), tmp, want=want) if want else None
    check(got is not None and got[0] == want,
          "PARTNER_DOWN after MCLT: A leases the partner's %s (got %r)" % (want, got))
    if got:
        clients[hw_of("c%d" % (NCLIENTS + 1))] = got[0]
    del backup
    no_double_lease(a, b, clients, "PARTNER_DOWN")


def step_heal(a, b, clients):
    sh("ip", "link", "set", "fa", "up", ns=NS_A)
    sh("ip", "link", "set", "lb", "up", ns=NS_B)
    check(wait_for(lambda: both_state(a, b, "NORMAL"), 60),
          "healed: both NORMAL again (A %s, B %s)" % (a.rel().get("state"),
                                                    b.rel().get("state")))
    check(wait_for(lambda: tables_agree(a, b), 15), "healed: lease tables agree")
    no_double_lease(a, b, clients, "healed")


def step_kill(a, b, clients, victim, other):
    """SIGKILL under perfdhcp load on the primary (relayed, the load scope)."""
    load = None
    if shutil.which("perfdhcp"):
        load = subprocess.Popen(["ip", "netns", "exec", NS_C, "perfdhcp", "-4", "-l",
                                 "10.78.0.3", "-r", "400", "-R", "4000", "-p", "6",
                                 "10.77.0.1"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(2.5)
    victim.stop(signal.SIGKILL)
    victim.start()
    if load:
        load.wait(30)
        n = len([l for l in a.leases(LOAD) if l["state"] == "ACTIVE"])
        check(n > 0, "%s killed under load: the primary granted %d leases" % (
            victim.name, n))
    check(wait_for(lambda: both_state(a, b, "NORMAL"), 60),
          "%s SIGKILLed and restarted: NORMAL again (A %s, B %s)" % (
              victim.name, a.rel().get("state"), b.rel().get("state")))
    check(wait_for(lambda: tables_agree(a, b), 30) or tables_agree(a, b, True),
          "%s restarted: lease tables agree" % victim.name)
    no_double_lease(a, b, clients, "after SIGKILL of " + victim.name)


def step_graceful(a, b, clients, tmp):
    """SIGTERM of the secondary in NORMAL (draft-12 §9.14): it goes SHUTDOWN, its
    partner PARTNER_DOWN at once and serves alone; every binding having been
    acknowledged, the restarted secondary recovers without MCLT's wait."""
    n0 = len(b.log())
    t0 = time.time()
    rc = b.stop(signal.SIGTERM, 20)
    check(rc == 0, "SIGTERM: the secondary exits 0 (%r) after %.1f s" % (
        rc, time.time() - t0))
    log = b.log()[n0:]
    check("NORMAL -> SHUTDOWN (server shutting down)" in log and
          "stopped cleanly" in log, "SIGTERM: the secondary went SHUTDOWN and "
          "stopped cleanly:\n%s" % log[-1500:])
    check(a.rel().get("state") == "PARTNER_DOWN", "SIGTERM: the primary is "
          "PARTNER_DOWN at once (%s)" % a.rel().get("state"))
    ci = "c%d" % (NCLIENTS + 2)
    got = udhcpc(ci, tmp)
    check(got is not None and got[1] == "10.77.0.1", "SIGTERM: the primary "
          "serves a new client alone (%r)" % (got,))
    if got:
        clients[hw_of(ci)] = got[0]
    n0 = len(b.log())
    b.start()
    check(wait_for(lambda: both_state(a, b, "NORMAL"), 40),
          "graceful restart: NORMAL again (A %s, B %s)" % (a.rel().get("state"),
                                                          b.rel().get("state")))
    log = b.log()[n0:]
    check("RECOVER -> RECOVER_DONE" in log and "RECOVER_WAIT" not in log,
          "graceful restart: RECOVER without MCLT's wait:\n%s" % "\n".join(
              l for l in log.splitlines() if " -> " in l))
    check(wait_for(lambda: tables_agree(a, b), 30) or tables_agree(a, b, True),
          "graceful restart: lease tables agree")
    no_double_lease(a, b, clients, "after the graceful restart")


RELAY_REQUEST = r"""
import socket, struct, sys, random
srv, gi, mac, want = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3]), sys.argv[4]
xid = random.getrandbits(32)
pkt = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 1, xid, 0, 0, bytes(4),
                  bytes(4), bytes(4), socket.inet_aton(gi), mac.ljust(16, b"\0"),
                  bytes(64), bytes(128)) + bytes([99, 130, 83, 99])
pkt += bytes([53, 1, 3, 50, 4]) + socket.inet_aton(want) + bytes([61, 7, 1]) + mac
pkt += bytes([255])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((gi, 67))
s.settimeout(3)
s.sendto(pkt, (srv, 67))
try:
    while True:
        d, _ = s.recvfrom(2048)
        if struct.unpack("!I", d[4:8])[0] != xid:
            continue
        i, kind, lease = 240, 0, 0
        while i < len(d) and d[i] != 255:
            if d[i] == 0:
                i += 1
                continue
            code, ln = d[i], d[i + 1]
            if code == 53:
                kind = d[i + 2]
            if code == 51:
                lease = struct.unpack("!I", d[i + 2:i + 6])[0]
            i += 2 + ln
        print(kind, lease)
        break
except socket.timeout:
    print("none")
"""


def relayed_request(server, mac, want):
    """An INIT-REBOOT DHCPREQUEST for want from client mac, relayed from the
    clients' LAN (giaddr 10.77.0.3) to server: ('ack'|'nak', lease) or None."""
    p = sh("python3", "-c", RELAY_REQUEST, server, "10.77.0.3", mac.replace(":", ""),
           want, ns=NS_C, check_rc=False)
    out = p.stdout.split()
    if len(out) != 2:
        return None
    return ({5: "ack", 6: "nak"}.get(int(out[0]), out[0]), int(out[1]))


SEND_RELEASE = r"""
import socket, struct, sys
srv, ip, mac = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3])
pkt = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, 0x5e1ea5e, 0, 0,
                  socket.inet_aton(ip), bytes(4), bytes(4), bytes(4), mac.ljust(16, b"\0"),
                  bytes(64), bytes(128)) + bytes([99, 130, 83, 99])
pkt += bytes([53, 1, 7, 54, 4]) + socket.inet_aton(srv) + bytes([61, 7, 1]) + mac
pkt += bytes([255])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(pkt, (srv, 67))
"""


def step_stale_release(a, b, clients):
    """A DHCPRELEASE that waits in a stopped server's socket while the
    partner, which took the link for lost, renews the client's lease counts
    from when it arrived: read late, it must not free the address the client
    holds now (found by the chaos suite's SIGSTOP; draft-12 §7.1.3 compares
    CLTTs)."""
    pick = [(hw, ip) for hw, ip in sorted(clients.items()) if bucket_of(hw) < 128]
    check(bool(pick), "stale release: a client of A's hash buckets")
    if not pick:
        return
    hw, ip = pick[0]
    # a renewal at A gives the full lease time; B learns its potential
    # expiration time, so B may renew it in COMMUNICATION_INT
    rep = relayed_request("10.77.0.1", hw, ip)
    check(rep is not None and rep[0] == "ack" and rep[1] > MCLT,
          "stale release: A renews %s for the lease time: %r" % (ip, rep))

    def pet():
        r = b.call("failover.client_info", {"address": ip})
        return max(r[1]["ack_pot_exp_time"], r[1]["recv_pot_exp_time"]) \
            if r[0] == "ok" else 0
    check(wait_for(lambda: pet() > time.time() + 60, 10),
          "stale release: B knows the renewal")
    os.kill(a.proc.pid, signal.SIGSTOP)
    try:
        sh("python3", "-c", SEND_RELEASE, "10.77.0.1", ip, hw.replace(":", ""), ns=NS_C)
        check(wait_for(lambda: b.rel().get("state") ==
                       "COMMUNICATION_INT", 20), "stale release: B notices A is silent")
        rep = relayed_request("10.77.0.2", hw, ip)
        check(rep is not None and rep[0] == "ack",
              "stale release: B renews %s for %s while A is stopped: %r" % (ip, hw, rep))
        time.sleep(1.2)         # A reads the release a later second than B renewed
    finally:
        os.kill(a.proc.pid, signal.SIGCONT)

    def held(srv):
        r = srv.call("lease.get", {"address": ip})
        return r[0] == "ok" and r[1]["state"] == "ACTIVE" and r[1]["hwaddr"] == hw
    check(wait_for(lambda: both_state(a, b, "NORMAL"), 40),
          "stale release: back to NORMAL")
    time.sleep(2)
    ok = wait_for(lambda: held(a) and held(b), 10)
    check(ok, "stale release: %s still ACTIVE for %s on both after A read the old "
          "release (A %s, B %s)" % (ip, hw, a.call("lease.get", {"address": ip}),
                                    b.call("lease.get", {"address": ip})))
    no_double_lease(a, b, clients, "stale release")


def step_restart_alone(a, b, clients, tmp):
    """draft-12 §9.3.2: B is killed and A, told its partner is down, takes
    B's free addresses over and leases one. B restarts cut off from A: it
    resumes COMMUNICATION_INT but may have had its addresses taken, so it
    answers no new client, and renews only a lease A acknowledged, within
    MCLT of the potential expiration A knows; once in contact it meets
    PARTNER_DOWN and recovers (RECOVER, RECOVER_WAIT) before serving."""
    # a client renews with A (the active server of hot standby) for the full
    # lease time: B holds the potential expiration time A sent
    known = None
    ci = "c%d" % (NCLIENTS + 6)
    got = udhcpc(ci, tmp)
    check(got is not None, "restart alone: client %s gets a lease" % ci)
    if got:
        clients[hw_of(ci)] = got[0]
    for hw, ip in sorted(clients.items()):
        r = b.call("failover.client_info", {"address": ip})
        if r[0] != "ok" or r[1]["state"] != "ACTIVE" or r[1]["hwaddr"] != hw:
            continue
        rep = relayed_request("10.77.0.1", hw, ip)
        if rep is None or rep[0] != "ack" or rep[1] <= MCLT:
            continue

        def pet():
            r = b.call("failover.client_info", {"address": ip})
            return max(r[1]["ack_pot_exp_time"], r[1]["recv_pot_exp_time"]) \
                if r[0] == "ok" else 0
        if wait_for(lambda: pet() > time.time() + 60, 10):
            known = (hw, ip, pet())
            break
    check(known is not None, "restart alone: a lease renewed with A, B knows it")
    theirs = None
    for last in range(int(HI.split(".")[-1]), int(LO.split(".")[-1]), -1):
        ip = "10.77.0.%d" % last
        st = a.call("failover.address_status", {"address": ip})
        lg = a.call("lease.get", {"address": ip})
        if st[0] == "ok" and st[1]["status_name"] == "secondary" and (
                lg[0] != "ok" or lg[1]["state"] in ("FREE", "BACKUP")):
            theirs = ip
            break
    b.stop(signal.SIGKILL)
    check(wait_for(lambda: a.rel().get("state") == "COMMUNICATION_INT", 20),
          "restart alone: A notices B is gone (%s)" % a.rel().get("state"))
    r = a.call("failover.set", {"name": "r1", "state": "PARTNER_DOWN"})
    check(r[0] == "ok", "restart alone: A PARTNER_DOWN %r" % (r,))
    time.sleep(MCLT + 2)
    ci = "c%d" % (NCLIENTS + 4)
    got = udhcpc(ci, tmp, want=theirs) if theirs else None
    check(got is not None and got[0] == theirs, "restart alone: A leases B's free "
          "address %s (got %r)" % (theirs, got))
    if got:
        clients[hw_of(ci)] = got[0]
    # B comes back cut off from A, and A stops answering clients
    sh("ip", "link", "set", "fa", "down", ns=NS_A)
    sh("ip", "link", "set", "la", "down", ns=NS_A)
    try:
        n0 = len(b.log())
        b.start()
        check(wait_for(lambda: b.rel().get("state") == "COMMUNICATION_INT",
                       20), "restart alone: B resumes COMMUNICATION_INT (%s)" %
              b.rel().get("state"))
        got = udhcpc("c%d" % (NCLIENTS + 5), tmp)
        check(got is None, "restart alone: B gives no new client an address that "
              "A may have taken (%r)" % (got,))
        if known:
            hw, ip, pet = known
            rep = relayed_request("10.77.0.2", hw, ip)
            left = pet - time.time()
            check(rep is not None and rep[0] == "ack" and 0 < rep[1] <= left + MCLT + 1,
                  "restart alone: B renews %s, which A knows until %+.0f s, for at "
                  "most that + MCLT (%r)" % (ip, left, rep))
    finally:
        sh("ip", "link", "set", "fa", "up", ns=NS_A)
        sh("ip", "link", "set", "la", "up", ns=NS_A)
    check(wait_for(lambda: both_state(a, b, "NORMAL"), 60),
          "restart alone: NORMAL again (A %s, B %s)" % (a.rel().get("state"),
                                                      b.rel().get("state")))
    log = b.log()[n0:]
    check("-> RECOVER (partner is PARTNER_DOWN)" in log, "restart alone: B met "
          "A's PARTNER_DOWN after STARTUP and recovered:\n%s" % "\n".join(
              l for l in log.splitlines() if " -> " in l))
    check(wait_for(lambda: tables_agree(a, b), 30) or tables_agree(a, b, True),
          "restart alone: lease tables agree")
    no_double_lease(a, b, clients, "after restarting alone")


def raw_connect(ns, data, wait=1.0):
    """Send bytes to B's failover port from namespace ns; True if B closed it."""
    code = ("import socket,sys,time\ns=socket.create_connection(('10.99.0.2',647),3)\n"
            "s.sendall(bytes.fromhex(sys.argv[1]))\ns.settimeout(%s)\n"
            "try:\n d=s.recv(4096)\n print('closed' if d==b'' else 'data')\n"
            "except socket.timeout:\n print('open')\n"
            "except OSError:\n print('closed')\n" % wait)
    p = sh("python3", "-c", code, data.hex(), ns=ns, check_rc=False)
    return p.stdout.strip()


def step_hostile(a, b):
    # garbage and an oversized length from the partner's own address
    res = raw_connect(NS_A, b"\x00\x05garbage")
    check(res == "closed", "a length under 12 closes the connection (%s)" % res)
    res = raw_connect(NS_A, struct.pack(">H", 4000) + b"\x05\x0c" + b"\0" * 40)
    check(res == "closed", "a length over 2048 closes the connection (%s)" % res)
    # a stranger: the client namespace reaches B only through its LAN address
    p = sh("python3", "-c", "import socket\ns=socket.create_connection(('10.77.0.2',647),3)"
           "\ns.settimeout(2)\nprint('closed' if s.recv(10)==b'' else 'data')",
           ns=NS_C, check_rc=False)
    check("closed" in p.stdout or "refused" in p.stderr.lower(),
          "a connection from an unexpected address is refused (%s %s)" % (
              p.stdout.strip(), p.stderr.strip()[-80:]))
    check("not a configured partner" in b.log() or "refused" in p.stderr.lower(),
          "the stranger is logged")
    # a wrong shared secret: B's digest check drops A's connection
    b.call("failover.set", {"name": "r1", "shared_secret": "right"})
    a.call("failover.set", {"name": "r1", "shared_secret": "wrong"})
    time.sleep(4)
    check("message digest" in b.log() or "message digest" in a.log(),
          "a wrong shared secret is refused and logged")
    # each refusal counted by reason (RPC.md §5 failover_drops)
    fd = b.call("server.stats")[1].get("failover_drops", {})
    fda = a.call("server.stats")[1].get("failover_drops", {})
    stranger = "closed" in p.stdout     # else TCP refused it: B listens on the link
    check(fd.get("malformed", 0) >= 1 and fd.get("oversized", 0) >= 1 and
          (fd.get("not_partner", 0) >= 1 or not stranger) and
          fd.get("bad_digest", 0) + fda.get("bad_digest", 0) >= 1,
          "refusals on the failover port counted: B %r, A %r" % (fd, fda))
    check(b.call("server.status")[0] == "ok" and a.call("server.status")[0] == "ok",
          "both daemons keep serving after hostile input")
    a.call("failover.set", {"name": "r1", "shared_secret": "right"})
    check(wait_for(lambda: both_state(a, b, "NORMAL"), 60),
          "the right secret on both: NORMAL (A %s, B %s)" % (a.rel().get("state"),
                                                            b.rel().get("state")))


def main():
    if os.geteuid() != 0:
        print("failover: SKIP: needs root for network namespaces; run: "
              "sudo make check (or sudo BUILD=build tests/integration/t_failover.sh)")
        return 77
    if shutil.which("busybox") is None:
        print("failover: SKIP: busybox (udhcpc) missing: run scripts/install-deps")
        return 77
    tmp = tempfile.mkdtemp(prefix="dfo-fo.")
    lk.exit_on_sigterm(130)
    a = b = None
    try:
        lab_up()
        a = Server(tmp, "A", NS_A, "la", "10.99.0.1:647")
        b = Server(tmp, "B", NS_B, "lb", "10.99.0.2:647")
        a.start()
        b.start()
        setup(a, b)
        clients = {}
        step_normal(a, b, clients, tmp)
        step_stale_release(a, b, clients)
        step_rebalance(a, b)
        step_lb_max(a, b, clients, tmp)
        step_cut(a, b, clients, tmp)
        step_partner_down(a, b, clients, tmp)
        step_heal(a, b, clients)
        step_kill(a, b, clients, b, a)
        step_kill(a, b, clients, a, b)
        step_graceful(a, b, clients, tmp)
        step_restart_alone(a, b, clients, tmp)
        step_hostile(a, b)
    except Exception as e:      # a broken lab is a failure, not a crash
        check(False, "exception: %r" % (e,))
    finally:
        lk.show_logs((a, b), 6000)
        LAB.close(tmp)
    return lk.report("failover")


if __name__ == "__main__":
    sys.exit(main())
