"""The chaos lab: three network namespaces this process creates and always removes.

  A  primary     failover link fa 10.99.0.1/24, client side ac 10.97.1.1/24
  B  secondary   failover link fb 10.99.0.2/24, client side bc 10.97.2.1/24
  C  clients     ca 10.97.1.2/24 to A, cb 10.97.2.2/24 to B; the client range
                 10.96.0.0/24 is local here (the relay agent is 10.96.0.1)

The failover link is a veth pair straight between A and B, so it can be cut
silently (nftables in A drops the packets; nothing tells either side) while
both servers still reach the clients. Servers run with libfaketime preloaded,
its offset read from a file, so that a clock can be stepped at run time.
What the integration tests share (namespaces, processes, RPC) comes from
tests/integration/labkit.py.
"""
import calendar
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "integration"))
import labkit                   # noqa: E402
from labkit import sh           # noqa: E402

FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
SUBNET, LO, HI = "10.96.0.0", "10.96.0.100", "10.96.0.159"
NADDR = 60
LEASE, MCLT = 30, 10
FO_A, FO_B = "10.99.0.1", "10.99.0.2"
SRV_A, SRV_B = "10.97.1.1", "10.97.2.1"
RELAY = "10.96.0.1"


def preload(binary):
    """LD_PRELOAD for a server under test: libfaketime, after the sanitizer's
    runtime when the binary was built with it (make asan: ASan must come
    first in the library list)."""
    libs = [FAKETIME]
    try:
        out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    except OSError:
        out = ""
    for line in out.splitlines():
        if "libasan" in line and "=>" in line:
            libs.insert(0, line.split("=>")[1].split()[0])
    return "LD_PRELOAD=" + ":".join(libs)


class Lab(labkit.Lab):
    """The namespaces of the docstring, named after tag; partitions of the failover link."""

    def __init__(self, tag):
        self.a, self.b, self.c = "chaos-a-" + tag, "chaos-b-" + tag, "chaos-c-" + tag
        super().__init__(self.a, self.b, self.c)

    def up(self):
        """The namespaces and their links."""
        super().up()
        a, b, c = self.a, self.b, self.c
        for ns in self.names:
            for k in ("all", "default", "lo"):
                sh("sysctl", "-qw", "net.ipv4.conf.%s.rp_filter=0" % k, ns=ns)
        # every link is created inside a lab namespace and moved to another
        self.veth(a, "fa", "fb", b)
        self.veth(a, "ac", "ca", c)
        self.veth(b, "bc", "cb", c)
        for ns, ifc, addr in ((a, "fa", FO_A + "/24"), (b, "fb", FO_B + "/24"),
                              (a, "ac", SRV_A + "/24"), (b, "bc", SRV_B + "/24"),
                              (c, "ca", "10.97.1.2/24"), (c, "cb", "10.97.2.2/24")):
            self.ifup(ns, ifc, addr)
        sh("ip", "addr", "add", RELAY + "/32", "dev", "lo", ns=c)
        sh("ip", "route", "add", "local", SUBNET + "/24", "dev", "lo", ns=c)
        sh("ip", "route", "add", SUBNET + "/24", "via", "10.97.1.2", ns=a)
        sh("ip", "route", "add", SUBNET + "/24", "via", "10.97.2.2", ns=b)
        for ifc in ("ca", "cb"):
            sh("sysctl", "-qw", "net.ipv4.conf.%s.rp_filter=0" % ifc, ns=c)
        # the whole range is local to C: a server's ping before an offer must
        # not find every address taken
        sh("sysctl", "-qw", "net.ipv4.icmp_echo_ignore_all=1", ns=c)

    # -- silent partitions of the failover link (nftables in A) ---------------
    def partition(self, way):
        """way: "both", "a2b" (A's packets to B dropped) or "b2a"."""
        rules = ["add table inet chaos",
                 "add chain inet chaos out { type filter hook output priority 0; }",
                 "add chain inet chaos in { type filter hook input priority 0; }"]
        if way in ("both", "a2b"):
            rules.append("add rule inet chaos out ip daddr %s drop" % FO_B)
        if way in ("both", "b2a"):
            rules.append("add rule inet chaos in ip saddr %s drop" % FO_B)
        p = subprocess.run(["ip", "netns", "exec", self.a, "nft", "-f", "-"],
                           input="\n".join(rules) + "\n", capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("nft: " + p.stderr.strip())

    def heal(self):
        sh("nft", "delete", "table", "inet", "chaos", ns=self.a, check_rc=False)


class Dhcpfod(labkit.Dhcpfod):
    """One dhcpfod of the pair, in its namespace, clock offset adjustable."""
    kind = "dhcpfod"
    RPC_TIMEOUT = 20

    def __init__(self, build, tmp, name, ns, role):
        super().__init__(os.path.join(tmp, name), ns, build)
        self.role = role
        self.clock = os.path.join(self.dir, "faketime")
        self.offset = 0
        self.server_id, ifc = (SRV_A, "ac") if role == "primary" else (SRV_B, "bc")
        self.lab_conf(ifc, FO_A if role == "primary" else FO_B, self.server_id)
        self.set_clock(0)
        self.stopped = False

    def set_clock(self, offset):
        self.offset = offset
        with open(self.clock + ".new", "w") as f:
            f.write("%+d\n" % offset)
        os.rename(self.clock + ".new", self.clock)

    def start(self):
        self.stopped = False
        super().start(["env", preload(self.daemon), "FAKETIME_TIMESTAMP_FILE=" + self.clock,
                       "FAKETIME_CACHE_DURATION=1", "FAKETIME_DONT_FAKE_MONOTONIC=1",
                       "NO_FAKE_STAT=1", "FAKETIME_DONT_RESET=1"])

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        if self.alive():
            os.kill(self.proc.pid, sig)
        self.stopped = sig == signal.SIGSTOP

    def kill(self):
        if self.proc is not None:
            try:
                os.kill(self.proc.pid, signal.SIGCONT)
                os.kill(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            self.proc.wait(10)
        self.proc = None
        self.stopped = False

    def state(self):
        return self.rel().get("state")

    def leases(self):
        """address -> lease object, or None if the server does not answer."""
        ls = self.lease_list(SUBNET)
        return None if ls is None else {l["address"]: l for l in ls}

    def setup(self):
        scope = {"subnet": SUBNET, "prefix": 24, "name": "chaos",
                 "range": {"start": LO, "end": HI}, "lease_time": LEASE}
        rel = {"name": "r1", "primary_server": FO_A, "secondary_server": FO_B,
               "mode": "load-balance", "percentage": 50, "mclt": MCLT, "port": 647,
               "scopes": [SUBNET], "server_type": self.role,
               # as ISC's "load balance max seconds 3": a client its hash
               # server leaves waiting 3 s is answered by the other
               "load_balance_max_seconds": 3}
        for m, p in (("scope.create", scope), ("failover.create", rel)):
            r = self.call(m, p)
            if r[0] != "ok":
                raise RuntimeError("%s on %s: %r" % (m, self.name, r))


ISC_STATES = {"normal": "NORMAL", "communications-interrupted": "COMMUNICATION_INT",
              "partner-down": "PARTNER_DOWN", "recover": "RECOVER",
              "recover-wait": "RECOVER_WAIT", "recover-done": "RECOVER_DONE",
              "startup": "STARTUP", "potential-conflict": "POTENTIAL_CONFLICT",
              "resolution-interrupted": "RESOLUTION_INT", "conflict-done": "CONFLICT_DONE",
              "shutdown": "SHUTDOWN", "paused": "PAUSED"}


def isc_time(body, key):
    m = re.search(r"^\s*%s \d ([0-9/]+ [0-9:]+);" % key, body, re.M)
    if not m:
        return None
    return calendar.timegm(time.strptime(m.group(1), "%Y/%m/%d %H:%M:%S"))


class Isc(labkit.Process):
    """ISC dhcpd as one side of the pair, in the foreground, its own files only."""
    kind = "dhcpd"

    def __init__(self, tmp, name, ns, role):
        super().__init__(os.path.join(tmp, name), ns, "dhcpd.log")
        self.role = role
        self.ifc = "ac" if role == "primary" else "bc"
        self.server_id = SRV_A if role == "primary" else SRV_B
        self.conf = os.path.join(self.dir, "dhcpd.conf")
        self.leases_path = os.path.join(self.dir, "dhcpd.leases")
        self.pid = os.path.join(self.dir, "dhcpd.pid")
        self.clock = os.path.join(self.dir, "faketime")
        me, peer = (FO_A, FO_B) if role == "primary" else (FO_B, FO_A)
        net = "10.97.1.0" if role == "primary" else "10.97.2.0"
        lines = ["authoritative;", "ddns-update-style none;",
                 "default-lease-time %d;" % LEASE, "max-lease-time %d;" % LEASE,
                 "dhcp-cache-threshold 0;",
                 # the clients' namespace answers for the whole range: no ping
                 "ping-check false;",
                 'failover peer "r1" {', "  %s;" % role, "  address %s;" % me,
                 "  port 647;", "  peer address %s;" % peer, "  peer port 647;",
                 "  max-response-delay 10;", "  max-unacked-updates 10;",
                 "  load balance max seconds 3;", "  min-balance 2;",
                 "  max-balance 10;"]
        if role == "primary":
            lines += ["  mclt %d;" % MCLT, "  split 128;"]
        lines += ["}", "subnet %s netmask 255.255.255.0 { }" % net,
                  "subnet %s netmask 255.255.255.0 {" % SUBNET, "  pool {",
                  '    failover peer "r1";', "    range %s %s;" % (LO, HI), "  }", "}"]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        open(self.leases_path, "a").close()
        self.offset = 0
        self.set_clock(0)
        self.stopped = False

    set_clock = Dhcpfod.set_clock
    alive = Dhcpfod.alive
    signal = Dhcpfod.signal
    kill = Dhcpfod.kill

    def start(self):
        with open(self.logpath, "a") as log:
            log.write("==== start %s ====\n" % time.strftime("%T"))
        self.stopped = False
        self.spawn(["env", "LD_PRELOAD=" + FAKETIME, "FAKETIME_TIMESTAMP_FILE=" + self.clock,
                    "FAKETIME_CACHE_DURATION=1", "FAKETIME_DONT_FAKE_MONOTONIC=1",
                    "NO_FAKE_STAT=1", "FAKETIME_DONT_RESET=1", "/usr/sbin/dhcpd", "-4", "-f",
                    "-d", "-cf", self.conf, "-lf", self.leases_path, "-pf", self.pid,
                    self.ifc])
        end = time.time() + 10
        while time.time() < end:
            if self.proc.poll() is not None:
                break
            if self.log().rsplit("==== start", 1)[-1].find("Server starting service") >= 0:
                return
            time.sleep(0.1)
        raise RuntimeError("dhcpd did not start: %s" % self.log()[-3000:])

    def lease_file(self):
        with open(self.leases_path, errors="replace") as f:
            return f.read()

    def state(self):
        """The state dhcpd last logged moving to since it was started."""
        if not self.alive():
            return None
        moves = re.findall(r"failover peer r1: I move from [a-z-]+ to ([a-z-]+)",
                           self.log().rsplit("==== start", 1)[-1])
        return ISC_STATES.get(moves[-1]) if moves else "STARTUP"

    def leases(self):
        """address -> lease like dhcpfod's lease.list (the journal's last record)."""
        out = {}
        for addr, body in re.findall(r"lease (\d+\.\d+\.\d+\.\d+) \{(.*?)\n\}",
                                     self.lease_file(), re.S):
            st = re.search(r"^\s*binding state ([a-z]+);", body, re.M)
            hw = re.search(r"hardware ethernet ([0-9a-f:]+);", body)
            out[addr] = {"address": addr, "state": st.group(1).upper() if st else "?",
                         "hwaddr": hw.group(1) if hw else None,
                         "ends": isc_time(body, "ends"), "cltt": isc_time(body, "cltt")}
        return out

    def call(self, method, params=None):
        return ("err", "ISC dhcpd has no management RPC")

    def setup(self):
        pass
