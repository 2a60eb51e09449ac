#!/usr/bin/env python3
"""A starvation flood against one server of a failover pair (issue 12, hostile
clients): docs/FAILOVER.md §1 and §11 (reserves), dhcpfod.conf(5) [limits],
RPC.md §5 and §8 (the counters).

Lab, in network namespaces this test creates and always removes:
  sv-a-PID  primary A:   LAN la 10.77.0.1/24, failover link fa 10.99.0.1/24
  sv-b-PID  secondary B: LAN lb 10.77.0.2/24, failover link fb 10.99.0.2/24
  sv-c-PID  clients:     bridge br0 (10.77.0.3 and .4, the relay agents of
                         the flood and of the probes) joining la1, lb1 and one
                         veth per busybox udhcpc client
One scope of 100 addresses, load-balance 50 %, MCLT 60 s; [limits] relay-rate
5/s (burst 5), mac-rate 10/min (burst 3). Steps, about 55 s:
  1. both NORMAL and balanced; four udhcpc clients, two in each server's hash
     buckets, bound and left running;
  2. one hardware address with ever new client identifiers: B offers 3 (its
     mac-burst), the rest counted rate_mac;
  3. perfdhcp as a relay agent, aimed at B only: thousands of forged MACs for
     30 s, bounded in count and time. Meanwhile every client renews every 4 s
     (SIGUSR1), A's free addresses are sampled every second, and the failover
     link is cut until both see COMMUNICATION_INT, then healed: back in NORMAL
     the primary's automatic rebalance runs while B is exhausted;
  4. malformed and oversized packets on port 67 and 647 of B.
Checked: A's free addresses never drop below what they were before the flood
(the automatic rebalance held them back and said so), every client renewed
during the flood with its own server, no address ACTIVE for two clients in
either table, no flood client was given an address of A's, and B's counters
show the drops (rate_relay, rate_mac, exhausted, the malformed reasons,
oversized; on the failover port oversized, malformed, not_partner), in
server.stats and the metrics.

  starvation_test.py                  the test (root)
  starvation_test.py probe-mac SRV RELAY N   (run in the clients' namespace)
  starvation_test.py junk-dhcp SRV           (idem)
  starvation_test.py junk-fo ADDR HEX        (from a server's namespace)
Exit 0 all passed, 1 a failure, 77 skipped (not root, no busybox or perfdhcp).
"""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

from rfc3074 import LOADB_MX_TBL, client_macs

BUILD = os.path.abspath(os.environ.get("BUILD", "build"))
DAEMON = os.path.join(BUILD, "dhcpfod")
CTL = os.path.join(BUILD, "dhcpfoctl")
HERE = os.path.abspath(__file__)
ID = os.getpid() % 100000
NS_A, NS_B, NS_C = "sv-a-%d" % ID, "sv-b-%d" % ID, "sv-c-%d" % ID
SUBNET, LO, HI = "10.77.0.0", "10.77.0.100", "10.77.0.199"
A_ADDR, B_ADDR, FLOOD_RELAY, PROBE_RELAY = "10.77.0.1", "10.77.0.2", "10.77.0.3", "10.77.0.4"
MCLT = 60
NCLIENTS = 4
FLOOD_SECS, FLOOD_RATE, FLOOD_MACS = 30, 150, 5000
LIMITS = ("[limits]\nmac-rate = 10/min\nmac-burst = 3\nrelay-rate = 5/s\n"
          "relay-burst = 5\n")
MAGIC = b"\x63\x82\x53\x63"

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what, flush=True)


# ---- packets (the subcommands run inside a namespace) ----

def bucket(key):
    """RFC 3074 hash of a client-identifier or chaddr (the test's own copy)."""
    h = len(key) & 0xff
    for byte in reversed(key):
        h = LOADB_MX_TBL[h ^ byte]
    return h


def dhcp_packet(mtype, chaddr, giaddr="0.0.0.0", cid=None, op=1, cookie=MAGIC):
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", op, 1, 6, 1, 0x5e1f0000 + mtype,
                      0, 0, b"\0" * 4, b"\0" * 4, b"\0" * 4, socket.inet_aton(giaddr),
                      chaddr + b"\0" * 10, b"", b"")
    body = bytes([53, 1, mtype])
    if cid is not None:
        body += bytes([61, len(cid)]) + cid
    return hdr + cookie + body + b"\xff"


def relay_socket(relay):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((relay, 67))
    return s


def probe_mac(server, relay, n):
    """n DISCOVERs from one hardware address, each with a new client
    identifier in the secondary's half of the buckets, relayed; the OFFERs
    that came back."""
    chaddr = bytes.fromhex("02fe00000001")
    s, offers, tag = relay_socket(relay), set(), 0
    for _ in range(n):
        while True:
            tag += 1
            cid = b"\0" + tag.to_bytes(2, "big") + chaddr
            if bucket(cid) >= 128:
                break
        s.sendto(dhcp_packet(1, chaddr, relay, cid), (server, 67))
    s.settimeout(0.5)
    end = time.time() + 2
    while time.time() < end:
        try:
            data, _ = s.recvfrom(4096)
        except socket.timeout:
            continue
        if len(data) > 240 and data[0] == 2:
            offers.add(data[16:20])
    print(len(offers))


def junk_dhcp(server):
    """Malformed and oversized datagrams to the server's port 67."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    chaddr = bytes.fromhex("02fe000000ee")
    good = dhcp_packet(1, chaddr, PROBE_RELAY)
    for pkt in (good[:100],                                 # truncated
                dhcp_packet(1, chaddr, PROBE_RELAY, op=2),     # bad_op
                dhcp_packet(1, chaddr, PROBE_RELAY, cookie=b"\x01\x02\x03\x04"),  # bad_option
                good[:-1] + b"\xfe" * 2800):                # oversized (3000+ bytes)
        s.sendto(pkt, (server, 67))
    print("sent")


def junk_fo(addr, hexdata):
    """Bytes to a failover port; "closed" if the server closed on them."""
    s = socket.create_connection((addr, 647), 3)
    s.sendall(bytes.fromhex(hexdata))
    s.settimeout(3)
    try:
        print("closed" if s.recv(4096) == b"" else "data")
    except socket.timeout:
        print("open")
    except OSError:
        print("closed")


# ---- the lab ----

def sh(*cmd, ns=None, check_rc=True, timeout=30):
    full = (["ip", "netns", "exec", ns] if ns else []) + list(cmd)
    p = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
    if check_rc and p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(full), p.stderr.strip()))
    return p


def ns_pids(ns):
    p = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True)
    return [int(x) for x in p.stdout.split()]


def lab_down():
    for ns in (NS_A, NS_B, NS_C):
        for pid in ns_pids(ns):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    time.sleep(0.2)
    for ns in (NS_A, NS_B, NS_C):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def lab_up(macs):
    for ns in (NS_A, NS_B, NS_C):
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "set", "lo", "up", ns=ns)
    sh("ip", "link", "add", "fa", "type", "veth", "peer", "name", "fb", ns=NS_A)
    sh("ip", "link", "set", "fb", "netns", NS_B, ns=NS_A)
    sh("ip", "addr", "add", "10.99.0.1/24", "dev", "fa", ns=NS_A)
    sh("ip", "addr", "add", "10.99.0.2/24", "dev", "fb", ns=NS_B)
    sh("ip", "link", "set", "fa", "up", ns=NS_A)
    sh("ip", "link", "set", "fb", "up", ns=NS_B)
    sh("ip", "link", "add", "br0", "type", "bridge", ns=NS_C)
    sh("ip", "link", "set", "br0", "up", ns=NS_C)
    for ns, ifc, peer, addr in ((NS_A, "la", "la1", A_ADDR), (NS_B, "lb", "lb1", B_ADDR)):
        sh("ip", "link", "add", ifc, "type", "veth", "peer", "name", peer, ns=NS_C)
        sh("ip", "link", "set", ifc, "netns", ns, ns=NS_C)
        sh("ip", "link", "set", peer, "master", "br0", "up", ns=NS_C)
        sh("ip", "addr", "add", addr + "/24", "dev", ifc, ns=ns)
        sh("ip", "link", "set", ifc, "up", ns=ns)
    # a client's address answers ARP on its own interface only, so that a
    # renewal's reply reaches the udhcpc bound to it
    sh("sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=1", ns=NS_C)
    sh("sysctl", "-qw", "net.ipv4.conf.all.arp_announce=2", ns=NS_C)
    for i, mac in enumerate(macs):
        sh("ip", "link", "add", "c%d" % i, "address", mac, "type", "veth", "peer", "name",
           "c%dp" % i, ns=NS_C)
        sh("ip", "link", "set", "c%dp" % i, "master", "br0", "up", ns=NS_C)
        sh("ip", "link", "set", "c%d" % i, "up", ns=NS_C)
    for addr in (FLOOD_RELAY, PROBE_RELAY):
        sh("ip", "addr", "add", addr + "/24", "dev", "br0", ns=NS_C)


class Server:
    def __init__(self, tmp, name, ns, ifc, fo_addr):
        self.name, self.ns = name, ns
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir)
        self.sock = os.path.join(self.dir, "ctl.sock")
        self.conf = os.path.join(self.dir, "dhcpfod.conf")
        self.logpath = os.path.join(self.dir, "dhcpfod.log")
        with open(self.conf, "w") as f:
            f.write("[server]\ninterfaces = %s\ndatabase = %s/db.sqlite\n"
                    "control-socket = %s\nlog-level = info\n[failover]\nlisten = %s\n%s"
                    % (ifc, self.dir, self.sock, fo_addr, LIMITS))
        self.proc = None

    def start(self):
        log = open(self.logpath, "a")
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.ns, DAEMON, "-c",
                                      self.conf], stdout=log, stderr=subprocess.STDOUT)
        for _ in range(100):
            if os.path.exists(self.sock) and self.call("server.status")[0] == "ok":
                return
            time.sleep(0.1)
        raise RuntimeError("%s did not start: %s" % (self.name, self.log()[-2000:]))

    def log(self):
        with open(self.logpath) as f:
            return f.read()

    def call(self, method, params=None):
        args = [CTL, "-s", self.sock, "call", method] + \
            ([json.dumps(params)] if params is not None else [])
        p = subprocess.run(args, capture_output=True, text=True, timeout=30)
        if p.returncode == 0:
            return ("ok", json.loads(p.stdout))
        return ("err", p.stderr.strip()[-200:])

    def get(self, method, params=None):
        r = self.call(method, params)
        return r[1] if r[0] == "ok" else {}

    def state(self):
        return self.get("failover.get", {"name": "r1"}).get("state")

    def stats(self):
        return self.get("failover.scope_statistics", {"scope": SUBNET})

    def leases(self):
        out, frm = [], None
        while True:
            p = {"subnet": SUBNET, "limit": 1000}
            if frm:
                p["from"] = frm
            r = self.get("lease.list", p)
            out += r.get("leases", [])
            frm = r.get("next")
            if not frm:
                return out


def wait_for(fn, secs):
    end = time.time() + secs
    while time.time() < end:
        if fn():
            return True
        time.sleep(0.25)
    return False


def setup(a, b):
    scope = {"subnet": SUBNET, "prefix": 24, "name": "lan", "range": {"start": LO, "end": HI},
             "lease_time": 300}
    rel = {"name": "r1", "primary_server": "10.99.0.1", "secondary_server": "10.99.0.2",
           "mode": "load-balance", "percentage": 50, "mclt": MCLT, "port": 647,
           "scopes": [SUBNET]}
    for srv, role in ((a, "primary"), (b, "secondary")):
        check(srv.call("scope.create", scope)[0] == "ok", "scope on " + srv.name)
        r = srv.call("failover.create", dict(rel, server_type=role))
        check(r[0] == "ok", "relationship on %s: %r" % (srv.name, r))


# ---- the clients ----

class Client:
    """One busybox udhcpc left running; its script logs every lease event."""

    def __init__(self, tmp, i):
        self.ifc = "c%d" % i
        self.events = os.path.join(tmp, "ev-%s" % self.ifc)
        self.script = os.path.join(tmp, "script-%s" % self.ifc)
        with open(self.script, "w") as f:
            f.write('#!/bin/sh\ncase "$1" in\nbound|renew)\n'
                    '  ip addr replace "$ip/24" dev "$interface"\n'
                    '  echo "$(date +%%s.%%N) $1 $ip $serverid" >> %s ;;\n'
                    'deconfig) ip addr flush dev "$interface" ;;\nesac\nexit 0\n'
                    % self.events)
        os.chmod(self.script, 0o755)
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", NS_C, "busybox", "udhcpc", "-f", "-i", self.ifc,
             "-t", "10", "-T", "1", "-A", "1", "-s", self.script],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def log(self):
        try:
            with open(self.events) as f:
                return [l.split() for l in f if l.strip()]
        except OSError:
            return []

    def lease(self):
        ev = self.log()
        return (ev[-1][2], ev[-1][3]) if ev else None

    def renew(self):
        # ip netns exec runs busybox in place: the pid is udhcpc's
        try:
            os.kill(self.proc.pid, signal.SIGUSR1)
        except OSError:
            pass

    def renewals(self, t0, t1):
        return [e for e in self.log() if e[1] == "renew" and t0 <= float(e[0]) <= t1]


def no_double_lease(a, b, what):
    owner, bad = {}, []
    for srv in (a, b):
        for l in srv.leases():
            if l["state"] == "ACTIVE" and owner.setdefault(l["address"],
                                                           l["hwaddr"]) != l["hwaddr"]:
                bad.append((l["address"], owner[l["address"]], l["hwaddr"]))
    check(not bad, "no address ACTIVE for two clients (%s): %s" % (what, bad[:3]))
    return len(owner)


def drops(srv):
    st = srv.get("server.stats")
    return st.get("drops", {}), st.get("failover_drops", {})


def in_ns(ns, *args, timeout=30):
    return sh("python3", HERE, *args, ns=ns, check_rc=False, timeout=timeout).stdout.strip()


# ---- the steps ----

def step_normal(a, b, clients, tmp):
    check(wait_for(lambda: a.state() == "NORMAL" and b.state() == "NORMAL", 40),
          "both reach NORMAL (A %s, B %s)" % (a.state(), b.state()))
    check(wait_for(lambda: a.stats().get("partner_addr_free") == 50, 10),
          "entering NORMAL the primary gives the secondary half: %s" % a.stats())
    for i in range(NCLIENTS):
        clients.append(Client(tmp, i))
    check(wait_for(lambda: all(c.lease() for c in clients), 20),
          "every client bound: %s" % [c.lease() for c in clients])
    servers = {c.lease()[1] for c in clients if c.lease()}
    check(servers == {A_ADDR, B_ADDR}, "clients served by both servers: %s" % servers)


def step_probe_mac(b):
    before = drops(b)[0].get("rate_mac", 0)
    n = in_ns(NS_C, "probe-mac", B_ADDR, PROBE_RELAY, "20")
    after = drops(b)[0].get("rate_mac", 0)
    check(n == "3", "one hardware address, 20 client identifiers: %s offers (mac-burst 3)"
          % n)
    check(after - before == 17, "the other 17 counted rate_mac (%d)" % (after - before))
    print("  mac-rate: 20 identities behind one MAC -> %s offers, %d refused" % (
        n, after - before))


class Cut:
    """The failover link cut once the flood runs, until both servers see
    COMMUNICATION_INT, then healed: back in NORMAL the primary runs its
    automatic rebalance while B is exhausted. One step per call, so that
    the clients keep renewing meanwhile."""

    def __init__(self, a, b):
        self.a, self.b, self.phase, self.t = a, b, "before", 0
        self.healed = None

    def step(self, t0):
        a, b, now = self.a, self.b, time.time()
        if self.phase == "before" and now > t0 + 3:
            sh("ip", "link", "set", "fa", "down", ns=NS_A)
            self.phase, self.t = "cut", now
        elif self.phase == "cut" and (now > self.t + 20 or (
                a.state() == "COMMUNICATION_INT" and b.state() == "COMMUNICATION_INT")):
            check(now <= self.t + 20, "link cut during the flood: both "
                  "COMMUNICATION_INT (A %s, B %s)" % (a.state(), b.state()))
            sh("ip", "link", "set", "fa", "up", ns=NS_A)
            self.phase, self.t = "healing", now
        elif self.phase == "healing" and a.state() == "NORMAL" and b.state() == "NORMAL":
            self.phase, self.healed = "healed", now


def step_flood(a, b, clients):
    a0 = a.stats().get("this_addr_free", -1)
    d0 = drops(b)[0]
    log0 = len(a.log())
    flood = subprocess.Popen(
        ["ip", "netns", "exec", NS_C, "perfdhcp", "-4", "-l", FLOOD_RELAY, "-R",
         str(FLOOD_MACS), "-r", str(FLOOD_RATE), "-n", str(FLOOD_RATE * FLOOD_SECS),
         "-p", str(FLOOD_SECS), B_ADDR],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    t0 = time.time()
    cut, samples, next_renew = Cut(a, b), [], t0 + 1
    try:
        while time.time() < t0 + FLOOD_SECS and flood.poll() is None:
            if time.time() >= next_renew:
                for c in clients:
                    c.renew()
                next_renew += 4
            samples.append(a.stats().get("this_addr_free", -1))
            cut.step(t0)
            time.sleep(0.5)
        t1 = time.time()
    finally:
        if cut.phase in ("cut", "healing"):
            sh("ip", "link", "set", "fa", "up", ns=NS_A)
        try:
            out, _ = flood.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            flood.kill()
            out, _ = flood.communicate()
    d1 = drops(b)[0]
    sent = [l.strip() for l in out.splitlines() if l.startswith("sent packets")]
    print("  flood: perfdhcp, %d forged MACs at %d/s through relay %s to B for %.0f s "
          "(%s)" % (FLOOD_MACS, FLOOD_RATE, FLOOD_RELAY, t1 - t0,
                    sent[0] if sent else "no report"))
    refused = d1.get("rate_relay", 0) - d0.get("rate_relay", 0)
    exhausted = d1.get("exhausted", 0) - d0.get("exhausted", 0)
    print("  B dropped %d over relay-rate, %d with its own share exhausted, %d in "
          "the partner's buckets" % (refused, exhausted, d1.get("failover", 0) -
                                     d0.get("failover", 0)))
    check(refused > 100, "the flood hit relay-rate: %d refused" % refused)
    check(exhausted > 0, "B's own share ran out: %d DISCOVERs found it exhausted" % exhausted)
    check(cut.healed is not None and cut.healed < t1 - 1, "the pair was NORMAL again "
          "before the flood ended (%s)" % cut.phase)
    # the partner's share
    print("  A's free addresses: %d before the flood, at least %d during it, %d at "
          "its end (%d samples)" % (a0, min(samples), samples[-1], len(samples)))
    check(a0 > 0 and min(samples) >= a0, "A's share untouched during the flood: "
          "%d before, min %d" % (a0, min(samples)))
    held = [l for l in a.log()[log0:].splitlines() if "stay with the primary" in l]
    check(held != [], "back in NORMAL the automatic rebalance kept A's reserve and "
          "said so")
    if held:
        print("  A's log: " + held[-1].split("failover r1: ")[-1])
    # the existing clients
    for c in clients:
        ren = c.renewals(t0, t1)
        srv = c.lease()[1] if c.lease() else None
        check(len(ren) >= 3 and all(e[3] == srv for e in ren),
              "%s renewed with its server %s during the flood: %d renewals %s" % (
                  c.ifc, srv, len(ren), [e[3] for e in ren][:3]))
    print("  renewals during the flood: %s" % ", ".join(
        "%s (%s) %d" % (c.ifc, c.lease()[1] if c.lease() else "-",
                        len(c.renewals(t0, t1))) for c in clients))
    return a0


def step_after(a, b, clients, a0):
    real = {c.lease()[0] for c in clients if c.lease()}
    n = no_double_lease(a, b, "after the flood")
    forged = [l for l in b.leases() if l["state"] in ("ACTIVE", "OFFERED") and
              l["address"] not in real]
    print("  B: %d leases of forged clients in its table, %d free addresses of its "
          "own left (its share was 50)" % (len(forged), b.stats().get("this_addr_free", -1)))
    by_a = [l for l in a.leases() if l["state"] in ("ACTIVE", "OFFERED") and
            l.get("owner") == "primary" and l["address"] not in real]
    check(not by_a, "no flood client got an address of A's: %s" % by_a[:2])
    check(wait_for(lambda: b.stats().get("partner_addr_free") ==
                   a.stats().get("this_addr_free"), 10),
          "B sees A's free addresses as A does: %s / %s" % (b.stats(), a.stats()))
    print("  %d addresses ACTIVE across both tables, each for one client; A's free %d "
          "(before %d)" % (n, a.stats().get("this_addr_free", -1), a0))


def step_junk(b):
    d0, f0 = drops(b)
    in_ns(NS_C, "junk-dhcp", B_ADDR)
    res = [in_ns(NS_A, "junk-fo", "10.99.0.2", h) for h in
           ("0005" + b"garbage".hex(), struct.pack(">H", 4000).hex() + "050c" + "00" * 40)]
    p = sh("python3", "-c", "import socket\ns=socket.create_connection(('%s',647),3)\n"
           "s.settimeout(3)\nprint('closed' if s.recv(10)==b'' else 'data')" % B_ADDR,
           ns=NS_C, check_rc=False)
    check(res == ["closed", "closed"] and ("closed" in p.stdout or "refused" in p.stderr),
          "junk on the failover port closes its connection: %s %s" % (res, p.stdout.strip()))
    time.sleep(0.5)
    d1, f1 = drops(b)
    delta = {k: d1.get(k, 0) - d0.get(k, 0) for k in d1}
    fdelta = {k: f1.get(k, 0) - f0.get(k, 0) for k in f1}
    check(all(delta.get(k) == 1 for k in ("truncated", "bad_op", "bad_option", "oversized")),
          "malformed and oversized on port 67 counted and dropped: %s" % delta)
    check(fdelta.get("oversized") == 1 and fdelta.get("malformed") == 1 and
          fdelta.get("not_partner") == 1,
          "oversized, malformed and strangers on port 647 counted: %s" % fdelta)
    text = b.get("server.metrics").get("text", "")
    want = ['dhcpfod_packets_dropped_total{reason="rate_relay"}',
            'dhcpfod_packets_dropped_total{reason="oversized"} 1',
            'dhcpfod_failover_dropped_total{reason="oversized"} 1']
    check(all(w in text for w in want), "the metrics show them: %s" % [
        l for l in text.splitlines() if "dropped_total{" in l and not l.endswith(" 0")])
    check(b.state() == "NORMAL" and b.call("server.status")[0] == "ok",
          "B serves on, NORMAL, after the hostile input")
    print("  port 67: %s; port 647: %s" % (
        ", ".join("%s +%d" % (k, v) for k, v in delta.items() if v),
        ", ".join("%s +%d" % (k, v) for k, v in fdelta.items() if v)))


def main():
    if len(sys.argv) > 1:
        {"probe-mac": lambda: probe_mac(sys.argv[2], sys.argv[3], int(sys.argv[4])),
         "junk-dhcp": lambda: junk_dhcp(sys.argv[2]),
         "junk-fo": lambda: junk_fo(sys.argv[2], sys.argv[3])}[sys.argv[1]]()
        return 0
    if os.geteuid() != 0:
        print("SKIP: needs root for network namespaces")
        return 77
    for tool in ("busybox", "perfdhcp"):
        if not shutil.which(tool):
            print("SKIP: %s is missing (scripts/install-deps installs it)" % tool)
            return 77
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))     # finally: lab_down
    tmp = tempfile.mkdtemp(prefix="starvation-")
    t_start = time.time()
    clients = []
    a = b = None
    try:
        lab_up(client_macs(NCLIENTS))
        a = Server(tmp, "A", NS_A, "la", "0.0.0.0:647")
        b = Server(tmp, "B", NS_B, "lb", "0.0.0.0:647")
        a.start()
        b.start()
        setup(a, b)
        step_normal(a, b, clients, tmp)
        if failed == 0:
            step_probe_mac(b)
            a0 = step_flood(a, b, clients)
            step_after(a, b, clients, a0)
            step_junk(b)
    except Exception as e:      # a broken lab is a failure, never a hang
        check(False, "lab: %r" % e)
    finally:
        for c in clients:
            if c.proc.poll() is None:
                c.proc.kill()
        if failed and a and b:
            for srv in (a, b):
                print("---- %s log (tail) ----\n%s" % (srv.name, srv.log()[-1500:]))
        lab_down()
        for c in clients:
            c.proc.wait(5)
        shutil.rmtree(tmp, ignore_errors=True)
    print("starvation: %d passed, %d failed (%.0f s)" % (passed, failed,
                                                        time.time() - t_start))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
