#!/usr/bin/env python3
"""dhcpfod paired with ISC dhcpd 4.4 in a failover relationship (issue 5).

Lab, all in network namespaces this test creates and always removes:
  isc-p-PID  the primary's box:   LAN lp 10.77.0.1/24, failover link fp 10.99.0.1/24
  isc-s-PID  the secondary's box: LAN ls 10.77.0.2/24, failover link fs 10.99.0.2/24
  isc-c-PID  clients: bridge br0 joining lp1, ls1 and one veth per client (udhcpc)
Pairing A: ISC dhcpd primary in P, dhcpfod secondary in S.
Pairing B: dhcpfod primary in P, ISC dhcpd secondary in S.
dhcpd runs in the foreground on the LAN interface of its namespace only, with its
own dhcpd.conf, lease file and pid file under the test's temporary directory;
never as a system service, never on a host interface.

Per pairing: both sides reach NORMAL (dhcpfod's relationship, dhcpd's log and the
failover state record of its lease file); clients get leases from both servers and
each lease appears in the other server's store; free addresses move (dhcpd's pool
balancing; dhcpfod's failover.trigger_addr_allocation when it is primary) and both
sides agree on who owns what (FREE vs BACKUP in dhcpd's lease file against
dhcpfod's failover.scope_statistics); a restart of either side comes back to
NORMAL; no address is ACTIVE for two clients in the two lease stores.

Environment: BUILD (default build), ISC_PAIRING=A|B (default both),
ISC_CAPTURE=1 (tshark on the failover link, decoded with -d tcp.port==647,dhcpfo,
kept in the temporary directory), LAB_KEEP=1 (keep the temporary directory).
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import labkit as lk
from labkit import check, sh, wait_for
from rfc3074 import client_macs

DHCPD = os.environ.get("DHCPD", "/usr/sbin/dhcpd")
NS_P, NS_S, NS_C = "isc-p-" + lk.TAG, "isc-s-" + lk.TAG, "isc-c-" + lk.TAG
SUBNET, LO, HI = "10.77.0.0", "10.77.0.100", "10.77.0.149"   # 50 addresses
NADDR = 50
PRIMARY, SECONDARY = "10.99.0.1", "10.99.0.2"
MCLT = 60      # short: a dhcpd that lost its lease file waits MCLT in RECOVER-WAIT
LEASE_TIME = 600
NCLIENTS = 8
REL = "r1"
PRINTER_MAC, PRINTER_IP = "02:00:00:00:00:99", "10.77.0.50"   # a fixed-address host
PRINTER = NCLIENTS + 5                                        # its client interface
NIFS = NCLIENTS + 7        # client interfaces c0..: the steps' clients and the printer
# consecutive clients in alternate hash halves: both servers answer any two
MACS = client_macs(NIFS)
MACS[PRINTER] = PRINTER_MAC
LAB = lk.PairLab((NS_P, NS_S, NS_C), ("fp", "fs"), ("lp", "ls"), MACS, ("10.77.0.3/24",))


# ---- ISC dhcpd ----


def isc_conf(role):
    """dhcpd.conf for one side of the pair (the configs docs/MIGRATING-FROM-ISC.md
    shows)."""
    me, peer = (PRIMARY, SECONDARY) if role == "primary" else (SECONDARY, PRIMARY)
    lines = ['# ISC dhcpd, %s of failover relationship "%s"' % (role, REL),
             "authoritative;",
             "ddns-update-style none;",
             "default-lease-time %d;" % LEASE_TIME,
             "max-lease-time %d;" % LEASE_TIME,
             "dhcp-cache-threshold 0;      # a renewal always gets a fresh lease time",
             "",
             'failover peer "%s" {' % REL,
             "  %s;" % role,
             "  address %s;" % me,
             "  port 647;",
             "  peer address %s;" % peer,
             "  peer port 647;",
             "  max-response-delay 30;",
             "  max-unacked-updates 10;",
             "  load balance max seconds 3;",
             "  min-balance 2;               # pool balancing soon after a change",
             "  max-balance 10;"]
    if role == "primary":
        lines += ["  mclt %d;" % MCLT, "  split 128;"]
    lines += ["}",
              "",
              "subnet 10.77.0.0 netmask 255.255.255.0 {",
              "  option routers 10.77.0.254;",
              "  option domain-name-servers 10.77.0.53;",
              "  pool {",
              '    failover peer "%s";' % REL,
              "    deny dynamic bootp clients;",
              "    range %s %s;" % (LO, HI),
              "  }",
              "}",
              "",
              "host printer {",
              "  hardware ethernet %s;" % PRINTER_MAC,
              "  fixed-address %s;" % PRINTER_IP,
              "}",
              ""]
    return "\n".join(lines)


class Isc(lk.Process):
    """ISC dhcpd in the foreground on interface ifc of namespace ns, its own
    files only."""
    kind = "dhcpd"

    def __init__(self, tmp, name, ns, ifc, role):
        super().__init__(os.path.join(tmp, name), ns, "dhcpd.log")
        self.ifc, self.role = ifc, role
        self.conf = os.path.join(self.dir, "dhcpd.conf")
        self.leases_path = os.path.join(self.dir, "dhcpd.leases")
        self.pid = os.path.join(self.dir, "dhcpd.pid")
        with open(self.conf, "w") as f:
            f.write(isc_conf(role))
        open(self.leases_path, "a").close()

    def start(self):
        with open(self.logpath, "a") as log:
            log.write("==== start %s ====\n" % time.strftime("%T"))
        self.spawn([DHCPD, "-4", "-f", "-d", "-cf", self.conf, "-lf", self.leases_path,
                    "-pf", self.pid, self.ifc])
        ok = wait_for(lambda: "Server starting service" in self.log() or
                      self.proc.poll() is not None, 10)
        if not ok or self.proc.poll() is not None:
            raise RuntimeError("dhcpd did not start: %s" % self.log()[-3000:])

    def lease_file(self):
        with open(self.leases_path, errors="replace") as f:
            return f.read()

    def fo_state(self):
        """(my state, partner state) of the last failover state record."""
        recs = re.findall(r'failover peer "%s" state \{(.*?)\}' % REL, self.lease_file(),
                          re.S)
        if not recs:
            return (None, None)
        my = re.search(r"my state ([a-z-]+)", recs[-1])
        pa = re.search(r"partner state ([a-z-]+)", recs[-1])
        return (my.group(1) if my else None, pa.group(1) if pa else None)

    def leases(self):
        """address -> {state, hwaddr} from the journal (the last record wins)."""
        out = {}
        for addr, body in re.findall(r"lease (\d+\.\d+\.\d+\.\d+) \{(.*?)\n\}",
                                     self.lease_file(), re.S):
            st = re.search(r"^\s*binding state ([a-z]+);", body, re.M)
            hw = re.search(r"hardware ethernet ([0-9a-f:]+);", body)
            out[addr] = {"state": st.group(1).upper() if st else "?",
                         "hwaddr": hw.group(1) if hw else None}
        return out

    def owned(self):
        """(FREE, BACKUP) counts of the pool: dhcpd materialises every address
        of a range as a lease, but its rewritten file leaves out free ones
        never used, so an address of the range absent from the file is FREE."""
        ls = self.leases()
        lo, hi = int(LO.split(".")[-1]), int(HI.split(".")[-1])
        states = [ls.get("10.77.0.%d" % i, {"state": "FREE"})["state"]
                  for i in range(lo, hi + 1)]
        return (states.count("FREE"), states.count("BACKUP"))

    def active(self):
        return {a: l["hwaddr"] for a, l in self.leases().items() if l["state"] == "ACTIVE"}

    def normal(self):
        return self.fo_state() == ("normal", "normal")


# ---- dhcpfod ----

class Fod(lk.Dhcpfod):
    """dhcpfod, name, in namespace ns: DHCP on ifc, failover on listen, role
    its server_type."""
    kind = "dhcpfod"

    def __init__(self, tmp, name, ns, ifc, listen, role):
        super().__init__(os.path.join(tmp, name), ns)
        self.role = role
        self.lab_conf(ifc, listen)

    def stats(self):
        return self.result("failover.scope_statistics", {"scope": SUBNET}, {})

    def lease_rows(self):
        return self.lease_list(SUBNET) or []

    def active(self):
        return {l["address"]: l["hwaddr"] for l in self.lease_rows()
                if l["state"] == "ACTIVE"}

    def owned(self):
        """(primary's free, secondary's free) from failover.scope_statistics."""
        s = self.stats()
        if self.role == "primary":
            return (s.get("this_addr_free"), s.get("partner_addr_free"))
        return (s.get("partner_addr_free"), s.get("this_addr_free"))

    def normal(self):
        r = self.rel()
        return r.get("state") == "NORMAL" and r.get("partner_state") == "NORMAL"

    def setup_from(self, conf):
        """The migration path: dhcpd.conf of the server dhcpfod replaces."""
        rc, out = self.run_import(conf)
        check(rc == 0 and "relationship r1: %s" % self.role in out and
              "reservation %s" % PRINTER_IP in out and "load balance" not in out,
              "%s configured by dhcpd-import from %s (rc %d):\n%s" % (
                  self.name, conf, rc, out))
        r = self.rel()
        check(r.get("mclt") == MCLT and r.get("percentage") == 50 and
              r.get("scopes") == [SUBNET] and r.get("load_balance_max_seconds") == 3,
              "the imported relationship: %r" % (r,))

    def setup(self):
        scope = {"subnet": SUBNET, "prefix": 24, "name": "lan",
                 "range": {"start": LO, "end": HI}, "lease_time": LEASE_TIME,
                 "options": {"routers": ["10.77.0.254"],
                             "domain_name_servers": ["10.77.0.53"]}}
        r = self.call("scope.create", scope)
        check(r[0] == "ok", "scope on %s: %r" % (self.name, r))
        # a secondary named "R1" still pairs with dhcpd's "r1": dhcpfod matches
        # names case-insensitively and answers with the primary's spelling,
        # which ISC compares byte for byte
        name = REL.upper() if self.role == "secondary" else REL
        rel = {"name": name, "primary_server": PRIMARY, "secondary_server": SECONDARY,
               "mode": "load-balance", "percentage": 50, "mclt": MCLT, "port": 647,
               "scopes": [SUBNET], "server_type": self.role}
        r = self.call("failover.create", rel)
        check(r[0] == "ok", "relationship on %s: %r" % (self.name, r))


# ---- clients ----

def udhcpc(tmp, ifc, want=None):
    """One DORA from client interface ifc: (address, server id, lease time)
    or None."""
    return lk.udhcpc(NS_C, ifc, tmp, want, tries=5)


def hw_of(ifc):
    return lk.hw_of(NS_C, ifc)


# ---- checks shared by both pairings ----

def both_normal(isc, fod):
    return isc.normal() and fod.normal()


def no_double_lease(isc, fod, clients, what):
    owner, ok = {}, True
    for src in (isc.active() if isc.proc else {}, fod.active() if fod.proc else {}):
        for addr, hw in src.items():
            prev = owner.setdefault(addr, hw)
            if prev != hw:
                ok = False
                print("  %s: %s ACTIVE for %s and %s" % (what, addr, prev, hw))
    for hw, ip in clients.items():
        if ip in owner and owner[ip] != hw:
            ok = False
            print("  %s: client %s holds %s, ACTIVE for %s" % (what, hw, ip, owner[ip]))
    check(ok, "no address ACTIVE for two clients (%s)" % what)


def stores_agree(isc, fod):
    return isc.active() == fod.active()


def owners_agree(isc, fod):
    return isc.owned() == fod.owned()


def show_owners(isc, fod):
    return "dhcpd FREE/BACKUP %s, dhcpfod primary/secondary %s" % (isc.owned(),
                                                                  fod.owned())


def step_normal(isc, fod, what):
    ok = wait_for(lambda: both_normal(isc, fod), 120, 0.5)
    check(ok, "%s: both sides NORMAL (dhcpd lease file %s, dhcpfod %s/%s)" % (
        what, isc.fo_state(), fod.rel().get("state"), fod.rel().get("partner_state")))
    log = isc.log()
    check(re.search(r"failover peer %s: I move from [a-z-]+ to normal" % REL, log) and
          re.search(r"failover peer %s: peer moves from [a-z-]+ to normal" % REL, log),
          "%s: dhcpd's log shows itself and its partner moving to normal" % what)
    return ok


def step_leases(isc, fod, clients, tmp, what, first=0, n=NCLIENTS):
    servers = set()
    for i in range(first, first + n):
        got = udhcpc(tmp, "c%d" % i)
        check(got is not None, "%s: client c%d gets a lease" % (what, i))
        if got:
            clients[hw_of("c%d" % i)] = got[0]
            servers.add(got[1])
    if n >= 2:      # their MACs alternate between the hash halves (rfc3074.py)
        check(len(servers) == 2, "%s: both servers answer clients by hash: %s" % (
            what, sorted(servers)))
    want = {ip: hw for hw, ip in clients.items()}
    check(wait_for(lambda: isc.active() == want and fod.active() == want, 15),
          "%s: every client's lease ACTIVE in both stores (want %s; dhcpd %s; "
          "dhcpfod %s)" % (what, want, isc.active(), fod.active()))
    no_double_lease(isc, fod, clients, what)
    step_renew(isc, fod, clients, tmp, what, range(first, first + n))


def step_renew(isc, fod, clients, tmp, what, idx):
    """The same clients again: the same address, and now for the scope's lease
    time rather than MCLT, since the partner acknowledged the first lease's
    potential expiration time (draft-12 §5.2.1; ISC's tsfp)."""
    longer = []
    time.sleep(3)       # dhcpd acknowledges a lone binding update after 2 s
    for i in idx:
        hw = hw_of("c%d" % i)
        got = udhcpc(tmp, "c%d" % i, want=clients.get(hw))
        if not check(got is not None and got[0] == clients.get(hw),
                     "%s: client c%d renews its address %s (got %r)" % (
                         what, i, clients.get(hw), got)):
            continue
        longer.append((got[1], got[2]))
    check(all(t > MCLT for _, t in longer), "%s: renewed leases are longer than "
          "MCLT (%d s): %s" % (what, MCLT, longer))


DUP_CODE = r"""
import socket, struct, sys, time
def opt(code, data):
    return struct.pack(">HH", code, len(data)) + data
body = (opt(22, b"r1") + opt(14, struct.pack(">I", 10)) + opt(19, struct.pack(">I", 30)) +
        opt(28, b"isc-test") + opt(20, b"\x01") + opt(27, b"\x00") +
        opt(15, struct.pack(">I", 60)) + opt(11, b"\xff" * 16 + b"\x00" * 16))
msg = struct.pack(">HBBII", 12 + len(body), 5, 12, int(time.time()), 0) + body
s = socket.create_connection((sys.argv[1], 647), 3)
s.settimeout(3)
data = b""
try:
    s.sendall(msg)
    while True:
        d = s.recv(4096)
        if not d:
            break
        data += d
except socket.timeout:
    print("open")
    sys.exit(0)
except OSError:     # closed before or after what it said (a reset)
    pass
if len(data) < 12:
    print("closed")
    sys.exit(0)
n, typ = struct.unpack(">HB", data[:3])
i, rej = 12, None
while i + 4 <= n:
    code, ln = struct.unpack(">HH", data[i:i + 4])
    if code == 21:
        rej = data[i + 4]
    i += 4 + ln
print("type %d reject %s closed" % (typ, rej))
"""


def step_duplicate(isc, fod, what):
    """A second connection from the partner's address while the link is up: a
    CONNECT on it is refused with reject 7 'already connected' (ISC's answer)
    on the secondary; the primary closes it; the pair stays NORMAL."""
    if fod.role == "secondary":
        ns, dst, want = NS_P, SECONDARY, "type 6 reject 7 closed"
    else:
        ns, dst, want = NS_S, PRIMARY, "closed"
    p = sh("python3", "-c", DUP_CODE, dst, ns=ns, check_rc=False)
    check(p.stdout.strip() == want, "%s: a second connection from the partner's address "
          "while connected: %r (want %r) %s" % (what, p.stdout.strip(), want,
                                                 p.stderr.strip()[-200:]))
    time.sleep(1)
    check(both_normal(isc, fod), "%s: still NORMAL after the second connection" % what)


def step_owners(isc, fod, what):
    ok = wait_for(lambda: owners_agree(isc, fod), 20)
    check(ok, "%s: both sides agree who owns the free addresses: %s" % (
        what, show_owners(isc, fod)))
    return ok


def restart(srv, sig=signal.SIGTERM, down=8, during=None):
    """Stop, stay down longer than ISC's 5 s reconnect (its next try is 90 s
    later), start again."""
    t0 = time.time()
    srv.stop(sig)
    if during:
        time.sleep(2)
        during()
    time.sleep(max(0, down - (time.time() - t0)))
    srv.start()


def step_alone(clients, tmp, what, ci):
    """A new client while one server is down: the other serves it alone."""
    got = udhcpc(tmp, "c%d" % ci)
    check(got is not None, "%s: client c%d is served while the partner is down "
          "(%r)" % (what, ci, got))
    if got:
        clients[hw_of("c%d" % ci)] = got[0]


def step_conflict(isc, fod, clients, tmp, what, ci):
    what += " after a cut link and PARTNER_DOWN"
    sh("ip", "link", "set", "fp", "down", ns=NS_P)
    cut = lambda: (fod.rel().get("state") == "COMMUNICATION_INT" and
                   isc.fo_state()[0] == "communications-interrupted")
    check(wait_for(cut, 60, 0.5), "%s: both COMMUNICATION_INT (dhcpd %s, dhcpfod %s)"
          % (what, isc.fo_state(), fod.rel().get("state")))
    r = fod.call("failover.set", {"name": REL, "state": "PARTNER_DOWN"})
    check(r[0] == "ok", "%s: dhcpfod told its partner is down: %r" % (what, r))
    step_alone(clients, tmp, what, ci)
    sh("ip", "link", "set", "fp", "up", ns=NS_P)
    if not step_normal(isc, fod, what):
        return
    log = isc.log()
    check("to potential-conflict" in log and "to conflict-done" in log,
          "%s: dhcpd went through potential-conflict and conflict-done" % what)
    check(wait_for(lambda: stores_agree(isc, fod), 20),
          "%s: the ACTIVE leases agree (dhcpd %s; dhcpfod %s)" % (
              what, isc.active(), fod.active()))
    step_owners(isc, fod, what)
    no_double_lease(isc, fod, clients, what)
    step_renew(isc, fod, clients, tmp, what, [ci])


def step_wipe(isc, fod, clients, what):
    what += " after dhcpd lost its lease file"
    before = fod.owned()
    isc.stop()
    for f in (isc.leases_path, isc.leases_path + "~"):
        if os.path.exists(f):
            os.unlink(f)
    open(isc.leases_path, "w").close()
    isc.start()
    t0 = time.time()
    if not step_normal(isc, fod, what):
        return
    print("  %s: NORMAL after %.0f s" % (what, time.time() - t0))
    want = {ip: hw for hw, ip in clients.items()}
    check(wait_for(lambda: isc.active() == want, 30),
          "%s: dhcpd learned every lease (want %s; dhcpd %s)" % (what, want,
                                                                isc.active()))
    step_owners(isc, fod, what)
    print("  %s: owners before %s, now %s" % (what, before, show_owners(isc, fod)))
    no_double_lease(isc, fod, clients, what)


def step_import(isc, fod, clients, tmp, base):
    """dhcpd's configuration and lease file into a new standalone dhcpfod on
    dhcpd's box: the same clients get the same addresses, the fixed-address
    host its reservation (issue 5: the last dhcpd replaced by a standalone
    dhcpfod, or a server that never had a partner)."""
    what = "dhcpd-import of dhcpd's config and leases"
    leases = os.path.join(base, "dhcpd.leases.copy")
    isc.stop()
    fod.stop(signal.SIGKILL)
    shutil.copy(isc.leases_path, leases)
    want = {hw: ip for hw, ip in clients.items()}
    active = isc.active()
    check(all(active.get(ip) == hw for hw, ip in want.items()),
          "%s: every client's lease is ACTIVE in dhcpd's file" % what)
    new = Fod(base, "dhcpfod-imported", NS_S, "ls", SECONDARY + ":647", "standalone")
    new.start()
    try:
        rc, out = new.run_import("--no-failover", "--leases", leases, isc.conf)
        check(rc == 0 and "leases: %d imported" % len(active) in out and
              "--no-failover: relationship not created" in out,
              "%s: rc %d, %d leases expected:\n%s" % (what, rc, len(active), out))
        got = {l["address"]: l["hwaddr"] for l in new.lease_rows() if l["state"] == "ACTIVE"}
        check(got == active, "%s: the leases are in dhcpfod (%s; dhcpd %s)" % (
            what, got, active))
        same = []
        for i in range(NIFS):
            hw = hw_of("c%d" % i)
            if i == PRINTER or hw not in want:
                continue
            r = udhcpc(tmp, "c%d" % i)
            same.append((r is not None and r[0] == want[hw] and r[1] == "10.77.0.2",
                         "c%d" % i, want[hw], r))
        check(len(same) == len(want) and all(x[0] for x in same),
              "%s: every client gets its address from the imported dhcpfod: %s" % (
                  what, [x[1:] for x in same if not x[0]] or len(same)))
        r = udhcpc(tmp, "c%d" % PRINTER)
        check(r is not None and r[0] == PRINTER_IP, "%s: the fixed-address host gets "
              "%s (%r)" % (what, PRINTER_IP, r))
    finally:
        new.stop()


# ---- the pairings ----

def capture(tmp, name):
    if os.environ.get("ISC_CAPTURE") != "1" or shutil.which("tshark") is None:
        return None
    path = os.path.join(tmp, name + ".pcap")
    p = subprocess.Popen(["ip", "netns", "exec", NS_P, "tshark", "-q", "-i", "fp",
                          "-w", path, "tcp", "port", "647"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: os.path.exists(path), 15)
    time.sleep(1)
    return p


def pairing(tmp, which):
    """A: dhcpd primary, dhcpfod secondary; B: dhcpfod primary, dhcpd secondary."""
    what = "pairing " + which
    base = os.path.join(tmp, which)
    os.makedirs(base)
    if which == "A":
        isc = Isc(base, "dhcpd-P", NS_P, "lp", "primary")
        fod = Fod(base, "dhcpfod-S", NS_S, "ls", SECONDARY + ":647", "secondary")
    else:
        fod = Fod(base, "dhcpfod-P", NS_P, "lp", PRIMARY + ":647", "primary")
        isc = Isc(base, "dhcpd-S", NS_S, "ls", "secondary")
    cap = capture(base, "failover")
    clients = {}
    try:
        fod.start()
        if which == "B":    # dhcpfod takes the primary's place: its dhcpd.conf
            conf = os.path.join(base, "dhcpd-primary.conf")
            with open(conf, "w") as f:
                f.write(isc_conf("primary"))
            fod.setup_from(conf)
        else:
            fod.setup()
        isc.start()
        if not step_normal(isc, fod, what):
            return isc, fod
        step_duplicate(isc, fod, what)
        # on entering NORMAL the primary balances the pool (dhcpd's pool
        # balancing, or dhcpfod's rebalance, docs/FAILOVER.md §11)
        moved = lambda: owners_agree(isc, fod) and (fod.owned()[1] or 0) > 0
        check(wait_for(moved, 20),
              "%s: on entering NORMAL the primary gave free addresses to the "
              "secondary and both agree: %s" % (what, show_owners(isc, fod)))
        step_leases(isc, fod, clients, tmp, what)
        step_owners(isc, fod, what + " after the leases")
        if which == "B":
            r = fod.call("failover.trigger_addr_allocation", {"name": REL})
            check(r[0] == "ok", "%s: trigger_addr_allocation answered %r" % (what, r))
            step_owners(isc, fod, what + " after trigger_addr_allocation")
            check(fod.call("failover.set", {"name": REL, "percentage": 70})[0] == "ok",
                  "%s: percentage 70" % what)
            check(wait_for(lambda: both_normal(isc, fod), 30), "%s: NORMAL again after "
                  "percentage 70 (a reconnect sends the new hash-bucket assignment)" % what)
            r = fod.call("failover.trigger_addr_allocation", {"name": REL})
            check(r[0] == "ok", "%s: trigger at 70 answered %r" % (what, r))
            s = fod.stats()
            fr = s.get("addr_free", 0)
            check(s.get("partner_addr_free") == fr * 30 // 100,
                  "%s: trigger at 70 gives the secondary 30%%: %s" % (what, s))
            step_owners(isc, fod, what + " after trigger at 70")
            # dhcpfod gives the secondary 70 %; dhcpd aims at 50/50 whatever
            # the primary says and gives what it holds beyond that back as FREE
            check(fod.call("failover.set", {"name": REL, "percentage": 30})[0] == "ok",
                  "%s: percentage 30" % what)
            check(wait_for(lambda: both_normal(isc, fod), 30), "%s: NORMAL again after "
                  "percentage 30 (a reconnect sends the new hash-bucket assignment)" % what)
            r = fod.call("failover.trigger_addr_allocation", {"name": REL})
            check(r[0] == "ok", "%s: trigger at 30 answered %r" % (what, r))
            sec = r[1]["scopes"][0]["secondary_free"] if r[0] == "ok" else 0
            fr = r[1]["scopes"][0]["free"] if r[0] == "ok" else 0
            check(sec == fr * 70 // 100, "%s: trigger at 30 gives the secondary "
                  "70%%: %r" % (what, r))
            back = lambda: owners_agree(isc, fod) and isc.owned()[1] < sec
            check(wait_for(back, 40), "%s: dhcpd's pool balancing gives BACKUP "
                  "addresses back as FREE and both agree: %s (dhcpfod gave %d)" % (
                      what, show_owners(isc, fod), sec))
            check(fod.call("failover.set", {"name": REL, "percentage": 50})[0] == "ok",
                  "%s: percentage 50" % what)
            check(wait_for(lambda: both_normal(isc, fod), 30), "%s: NORMAL again after "
                  "percentage 50 (a reconnect sends the new hash-bucket assignment)" % what)
            r = fod.call("failover.trigger_addr_allocation", {"name": REL})
            check(r[0] == "ok", "%s: trigger at 50 answered %r" % (what, r))
            step_owners(isc, fod, what + " after trigger at 50")
        # restarts: dhcpd (SIGTERM), then dhcpfod (SIGKILL, then SIGTERM), each
        # down for 8 s while a new client is served by the other; back to
        # NORMAL, the lease granted meanwhile is in both stores. A SIGTERMed
        # dhcpfod goes SHUTDOWN (draft-12 §9.14): dhcpd takes over at once
        # (partner-down) and the restarted dhcpfod recovers without MCLT's wait
        for victim, sig, ci in ((isc, signal.SIGTERM, NCLIENTS + 2),
                                (fod, signal.SIGKILL, NCLIENTS + 3),
                                (fod, signal.SIGTERM, NCLIENTS + 6)):
            w = "%s after restarting %s (%s)" % (what, victim.kind, sig.name)
            graceful = victim is fod and sig == signal.SIGTERM
            n0 = len(fod.log())

            def during(w=w, ci=ci, graceful=graceful):
                if graceful:
                    check(isc.fo_state()[0] == "partner-down", "%s: dhcpd took over "
                          "at once: %r" % (w, isc.fo_state()))
                step_alone(clients, tmp, w, ci)
            restart(victim, sig, during=during)
            if not step_normal(isc, fod, w):
                break
            if graceful:
                log = fod.log()[n0:]
                check("NORMAL -> SHUTDOWN" in log and "stopped cleanly" in log and
                      "RECOVER -> RECOVER_DONE" in log and "RECOVER_WAIT" not in log,
                      "%s: dhcpfod stopped cleanly and recovered without waiting "
                      "MCLT:\n%s" % (w, "\n".join(l for l in log.splitlines()
                                                    if " -> " in l or "stopped" in l)))
            check(wait_for(lambda: stores_agree(isc, fod), 20),
                  "%s: the ACTIVE leases agree (dhcpd %s; dhcpfod %s)"
                  % (w, isc.active(), fod.active()))
            step_owners(isc, fod, w)
            no_double_lease(isc, fod, clients, w)
            step_renew(isc, fod, clients, tmp, w, [ci])
        step_leases(isc, fod, clients, tmp, what + " after the restarts",
                    first=NCLIENTS, n=2)
        # a cut failover link, dhcpfod told its partner is down, the link
        # back: both go through POTENTIAL_CONFLICT (UPDREQ both ways) to NORMAL
        step_conflict(isc, fod, clients, tmp, what, NCLIENTS + 4)
        # ISC's resynchronisation (KB aa-00609): stop dhcpd, empty its lease
        # file, start it; it asks for every binding (UPDREQALL) and must
        # learn the leases and who owns each free address from dhcpfod
        step_wipe(isc, fod, clients, what)
        if which == "B":
            step_import(isc, fod, clients, tmp, base)
    finally:
        if cap:
            cap.terminate()
            cap.wait(5)
    return isc, fod


def migrate(tmp):
    """M: the migration of issue 5. Two dhcpd in failover serve clients; the
    secondary dhcpd is replaced by dhcpfod (its dhcpd.conf imported), which
    recovers from the primary dhcpd; then the primary dhcpd is replaced by a
    second dhcpfod (its dhcpd.conf imported), which recovers from the first.
    The pair serves on and no address is ever ACTIVE for two clients."""
    what = "migration"
    base = os.path.join(tmp, "M")
    os.makedirs(base)
    p_isc = Isc(base, "dhcpd-P", NS_P, "lp", "primary")
    s_isc = Isc(base, "dhcpd-S", NS_S, "ls", "secondary")
    s_fod = Fod(base, "dhcpfod-S", NS_S, "ls", SECONDARY + ":647", "secondary")
    p_fod = Fod(base, "dhcpfod-P", NS_P, "lp", PRIMARY + ":647", "primary")
    cap = capture(base, "failover")
    clients = {}
    try:
        p_isc.start()
        s_isc.start()
        check(wait_for(lambda: p_isc.normal() and s_isc.normal(), 60, 0.5),
              "%s: two dhcpd reach normal (%s, %s)" % (what, p_isc.fo_state(),
                                                       s_isc.fo_state()))
        step_leases(p_isc, s_isc, clients, tmp, what + ", two dhcpd", first=0, n=6)
        # 1. the secondary dhcpd makes way for dhcpfod
        s_isc.stop()
        w = what + ", secondary replaced"
        check(wait_for(lambda: p_isc.fo_state()[0] == "communications-interrupted", 40),
              "%s: the primary dhcpd serves alone (%s)" % (w, p_isc.fo_state()))
        s_fod.start()
        conf = os.path.join(base, "dhcpd-secondary.conf")
        shutil.copy(s_isc.conf, conf)
        rc, out = s_fod.run_import(conf)
        check(rc == 0 and "relationship r1: secondary" in out,
              "%s: dhcpd-import of the secondary's dhcpd.conf (rc %d)\n%s" % (w, rc, out))
        if not step_normal(p_isc, s_fod, w):
            return p_isc, s_fod
        check(wait_for(lambda: stores_agree(p_isc, s_fod), 20),
              "%s: dhcpfod learned every lease (dhcpd %s; dhcpfod %s)" % (
                  w, p_isc.active(), s_fod.active()))
        step_owners(p_isc, s_fod, w)
        no_double_lease(p_isc, s_fod, clients, w)
        step_leases(p_isc, s_fod, clients, tmp, w, first=6, n=2)
        # 2. the primary dhcpd makes way for a second dhcpfod
        p_isc.stop()
        w = what + ", primary replaced"
        check(wait_for(lambda: s_fod.rel().get("state") == "COMMUNICATION_INT", 30),
              "%s: the dhcpfod secondary serves alone (%s)" % (w, s_fod.rel().get("state")))
        p_fod.start()
        conf = os.path.join(base, "dhcpd-primary.conf")
        shutil.copy(p_isc.conf, conf)
        rc, out = p_fod.run_import(conf)
        check(rc == 0 and "relationship r1: primary" in out,
              "%s: dhcpd-import of the primary's dhcpd.conf (rc %d)\n%s" % (w, rc, out))
        check(wait_for(lambda: p_fod.normal() and s_fod.normal(), 120, 0.5),
              "%s: both dhcpfod NORMAL (%s/%s, %s/%s)" % (
                  w, p_fod.rel().get("state"), p_fod.rel().get("partner_state"),
                  s_fod.rel().get("state"), s_fod.rel().get("partner_state")))
        want = {ip: hw for hw, ip in clients.items()}
        check(wait_for(lambda: p_fod.active() == want and s_fod.active() == want, 20),
              "%s: every lease in both stores (want %s; P %s; S %s)" % (
                  w, want, p_fod.active(), s_fod.active()))
        check(wait_for(lambda: p_fod.owned() == s_fod.owned() and
                       (s_fod.owned()[1] or 0) > 0, 20),
              "%s: both agree who owns the free addresses (P %s, S %s)" % (
                  w, p_fod.owned(), s_fod.owned()))
        no_double_lease(p_fod, s_fod, clients, w)
        got = [udhcpc(tmp, "c%d" % i) for i in (8, 9)]
        for i, g in zip((8, 9), got):
            if check(g is not None, "%s: client c%d gets a lease" % (w, i)):
                clients[hw_of("c%d" % i)] = g[0]
        want = {ip: hw for hw, ip in clients.items()}
        check(wait_for(lambda: p_fod.active() == want and s_fod.active() == want, 20),
              "%s: new leases in both stores" % w)
        no_double_lease(p_fod, s_fod, clients, w + ", new clients")
        return p_fod, s_fod
    finally:
        if cap:
            cap.terminate()
            cap.wait(5)
        for x in (p_isc, s_isc):
            x.stop(signal.SIGKILL)


def main():
    if os.geteuid() != 0:
        print("isc: SKIP: needs root for network namespaces; run: "
              "sudo BUILD=build tests/integration/t_isc.sh")
        return 77
    if not os.access(DHCPD, os.X_OK):
        print("isc: SKIP: %s missing: install ISC dhcpd 4.4 (Debian: apt-get install "
              "isc-dhcp-server) to test pairing with it" % DHCPD)
        return 77
    if shutil.which("busybox") is None:
        print("isc: SKIP: busybox (udhcpc) missing: run scripts/install-deps")
        return 77
    tmp = tempfile.mkdtemp(prefix="dfo-isc.")
    lk.exit_on_sigterm(130)
    lk.VERBOSE = True
    which = os.environ.get("ISC_PAIRING", "ABM")
    try:
        for p in which:
            isc = fod = None
            try:
                LAB.up()
                isc, fod = migrate(tmp) if p == "M" else pairing(tmp, p)
            except Exception as e:      # a broken lab is a failure, not a crash
                check(False, "pairing %s: exception: %r" % (p, e))
            finally:
                if lk.failed and isc and fod:
                    for s in (isc, fod):
                        print("---- %s log (tail) ----\n%s" % (s.name, s.log()[-5000:]))
                for s in (isc, fod):
                    if s:
                        s.stop(signal.SIGKILL)
                LAB.down()
    finally:
        check(not LAB.left(), "lab torn down (%s)" % LAB.left())
        if os.environ.get("LAB_KEEP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("kept " + tmp)
    return lk.report("isc")


if __name__ == "__main__":
    sys.exit(main())
