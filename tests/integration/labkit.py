"""What the Python integration tests share, and the chaos suite's lab with them.

  check, report     the checks counted (passed, failed); report prints the
                    summary line and gives the exit status
  sh, ns_pids       a command, inside a network namespace when given; the
                    processes of a namespace
  wait_for          a condition polled until it holds or time runs out
  Lab, PairLab      network namespaces this process creates, wires and always
                    removes (down() in a finally, and again at exit;
                    exit_on_sigterm turns a SIGTERM into an exit)
  udhcpc, hw_of     busybox udhcpc as a client; the MAC of an interface
  Process, Dhcpfod  a server under test in its own directory; dhcpfod with its
                    configuration, control socket and JSON-RPC calls (through
                    `dhcpfoctl call`, as an operator's script would)
Stdlib only. BUILD (the environment's, default build) holds dhcpfod and dhcpfoctl.
"""
import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import time

BUILD = os.path.abspath(os.environ.get("BUILD", "build"))
DAEMON = os.path.join(BUILD, "dhcpfod")
CTL = os.path.join(BUILD, "dhcpfoctl")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMPORT = os.path.join(ROOT, "scripts", "dhcpd-import")
# in the names of this process's namespaces, so that concurrent runs never meet
TAG = "%d" % (os.getpid() % 100000)

# ---- checks ----

passed = failed = 0
VERBOSE = False     # an "ok:" line for every check that holds, too


def check(cond, what):
    """Count one check, saying what failed (and what held, when VERBOSE); cond."""
    global passed, failed
    if cond:
        passed += 1
        if VERBOSE:
            print("ok: " + (what if len(what) < 90 else what[:87] + "..."), flush=True)
    else:
        failed += 1
        print("FAIL: " + what, flush=True)
    return cond


def show_logs(servers, tail=5000):
    """When a check failed, the end of each server's log (None skipped)."""
    if not failed:
        return
    for s in servers:
        if s is not None and os.path.exists(s.logpath):
            print("---- %s log (tail) ----\n%s" % (s.name, s.log()[-tail:]))


def report(name):
    """Print the summary line of test name; the exit status, 1 if a check failed."""
    print("%s: %d passed, %d failed" % (name, passed, failed))
    return 1 if failed else 0


# ---- commands ----

def sh(*cmd, ns=None, check_rc=True, timeout=30):
    """Run cmd, inside namespace ns when given; RuntimeError if it fails and check_rc."""
    full = (["ip", "netns", "exec", ns] if ns else []) + list(cmd)
    p = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
    if check_rc and p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(full), p.stderr.strip()))
    return p


def ns_pids(ns):
    """The processes in namespace ns (none if it does not exist)."""
    p = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True)
    return [int(x) for x in p.stdout.split()]


def wait_for(fn, secs, step=0.25):
    """Poll fn every step seconds: True once it holds, False after secs."""
    end = time.time() + secs
    while time.time() < end:
        if fn():
            return True
        time.sleep(step)
    return False


def exit_on_sigterm(status):
    """A SIGTERM (a timeout, a runner giving up) exits with status, through
    every finally and atexit handler, so that the lab comes down."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(status))


# ---- the lab ----

class Lab:
    """Network namespaces this process creates, wires and always removes:
    after up(), down() runs at exit too (it may run any number of times)."""

    def __init__(self, *names):
        self.names = names
        self.guarded = False

    def up(self):
        """The namespaces, each with its loopback up."""
        if not self.guarded:
            atexit.register(self.down)
            self.guarded = True
        for ns in self.names:
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "set", "lo", "up", ns=ns)

    def down(self):
        """Kill every process in the namespaces (stopped ones too), delete them."""
        pids = [pid for ns in self.names for pid in ns_pids(ns)]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGCONT)
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if pids:
            time.sleep(0.2)
        for ns in self.names:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)

    def close(self, tmp):
        """The end of a test: the lab down, checked gone, and the test's
        directory tmp removed (kept with LAB_KEEP=1)."""
        self.down()
        check(not self.left(), "lab torn down (%s)" % self.left())
        if os.environ.get("LAB_KEEP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)

    def left(self):
        """The namespaces of the lab that still exist."""
        out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        listed = {line.split()[0] for line in out.splitlines() if line.strip()}
        return [ns for ns in self.names if ns in listed]

    def veth(self, ns, ifc, peer, to=None, mac=None):
        """A veth pair created inside ns, never in the host: ifc (its MAC mac
        when given) and peer, which moves to namespace to when given."""
        sh("ip", "link", "add", ifc, *(["address", mac] if mac else []), "type", "veth",
           "peer", "name", peer, ns=ns)
        if to:
            sh("ip", "link", "set", peer, "netns", to, ns=ns)

    def ifup(self, ns, ifc, *addrs, master=None):
        """Interface ifc of ns up with addresses addrs, a port of bridge master if given."""
        for addr in addrs:
            sh("ip", "addr", "add", addr, "dev", ifc, ns=ns)
        sh("ip", "link", "set", ifc, *(["master", master] if master else []), "up", ns=ns)

    def bridge(self, ns, br, *addrs):
        """Bridge br in ns, up with addresses addrs."""
        sh("ip", "link", "add", br, "type", "bridge", ns=ns)
        self.ifup(ns, br, *addrs)

    def port(self, ns, br, port, ifc, to=None, addrs=(), mac=None):
        """A veth from port, on bridge br of ns, to ifc (its MAC mac when
        given), which moves to namespace to when given; ifc up with addrs."""
        self.veth(ns, ifc, port, mac=mac)
        if to:
            sh("ip", "link", "set", ifc, "netns", to, ns=ns)
        self.ifup(ns, port, master=br)
        self.ifup(to or ns, ifc, *addrs)


class PairLab(Lab):
    """Two servers and their clients (failover_test.py, isc_test.py), in the
    namespaces names: the primary's, the secondary's and the clients'. The
    failover link, interfaces link, is a veth pair straight between the
    servers (10.99.0.1/24, 10.99.0.2/24), so that it can be cut without
    cutting the clients off; the clients' namespace holds bridge br0
    (addresses br_addrs) with a port to each server's LAN interface, lan
    (10.77.0.1/24, 10.77.0.2/24), and a veth cN (bridge port cNp) per MAC
    of macs."""

    def __init__(self, names, link, lan, macs, br_addrs):
        super().__init__(*names)
        self.link, self.lan, self.macs, self.br_addrs = link, lan, macs, br_addrs

    def up(self):
        """The namespaces and their links."""
        super().up()
        p, s, c = self.names
        self.veth(p, self.link[0], self.link[1], s)
        self.ifup(p, self.link[0], "10.99.0.1/24")
        self.ifup(s, self.link[1], "10.99.0.2/24")
        self.bridge(c, "br0", *self.br_addrs)
        for ns, ifc, addr in ((p, self.lan[0], "10.77.0.1/24"),
                              (s, self.lan[1], "10.77.0.2/24")):
            self.port(c, "br0", ifc + "1", ifc, ns, [addr])
        for i, mac in enumerate(self.macs):
            self.port(c, "br0", "c%dp" % i, "c%d" % i, mac=mac)


# ---- clients ----

def udhcpc(ns, ifc, tmp, want=None, tries=4):
    """One DORA by busybox udhcpc from interface ifc of namespace ns (tries
    DISCOVERs; asking for address want when given), its script in directory
    tmp: (address, server id, lease time) or None."""
    script = os.path.join(tmp, "udhcpc.sh")
    if not os.path.exists(script):
        with open(script, "w") as f:
            f.write('#!/bin/sh\n[ "$1" = bound ] && echo "LEASE $ip $serverid $lease"\n'
                    'exit 0\n')
        os.chmod(script, 0o755)
    cmd = ["busybox", "udhcpc", "-i", ifc, "-n", "-q", "-f", "-t", str(tries), "-T", "1",
           "-A", "1", "-s", script]
    if want:
        cmd += ["-r", want]
    for line in sh(*cmd, ns=ns, check_rc=False).stdout.splitlines():
        if line.startswith("LEASE "):
            _, ip, sid, lease = line.split()
            return ip, sid, int(lease)
    return None


def hw_of(ns, ifc):
    """The MAC of interface ifc in namespace ns."""
    return sh("cat", "/sys/class/net/%s/address" % ifc, ns=ns).stdout.strip()


# ---- servers ----

class Process:
    """A server under test: directory dir (named after its name) holds its
    files and its log, logname; it runs inside namespace ns when given."""

    def __init__(self, dir, ns, logname):
        os.makedirs(dir, exist_ok=True)
        self.dir, self.ns, self.name = dir, ns, os.path.basename(dir)
        self.logpath = os.path.join(dir, logname)
        self.proc = None

    def spawn(self, cmd, env=None):
        """Start cmd (environment env), its output appended to the log."""
        with open(self.logpath, "a") as log:
            self.proc = subprocess.Popen((["ip", "netns", "exec", self.ns] if self.ns
                                          else []) + cmd, stdout=log,
                                         stderr=subprocess.STDOUT, env=env)

    def stop(self, sig=signal.SIGTERM, secs=15):
        """Signal it and wait for its end (SIGKILL after secs): its exit
        status, None if it was not started."""
        p, self.proc = self.proc, None
        if p is None:
            return None
        p.send_signal(sig)
        try:
            return p.wait(secs)
        except subprocess.TimeoutExpired:
            p.kill()
            return p.wait(5)

    def log(self):
        with open(self.logpath, errors="replace") as f:
            return f.read()


class Dhcpfod(Process):
    """dhcpfod under test: its configuration, control socket and log in dir;
    the binaries of build."""
    RPC_TIMEOUT = 60

    def __init__(self, dir, ns=None, build=BUILD):
        super().__init__(dir, ns, "dhcpfod.log")
        self.daemon = os.path.join(build, "dhcpfod")
        self.ctl = os.path.join(build, "dhcpfoctl")
        self.conf = os.path.join(dir, "dhcpfod.conf")
        self.sock = os.path.join(dir, "ctl.sock")

    def write_conf(self, text):
        with open(self.conf, "w") as f:
            f.write(text)

    def lab_conf(self, ifc, listen, server_id=None):
        """A lab server's configuration: DHCP on ifc, failover on listen, the
        database in dir, debug log."""
        self.write_conf("[server]\ninterfaces = %s\n%sdatabase = %s/db.sqlite\n"
                        "control-socket = %s\nlog-level = debug\n[failover]\nlisten = %s\n"
                        % (ifc, "server-id = %s\n" % server_id if server_id else "",
                           self.dir, self.sock, listen))

    def start(self, prefix=(), env=None):
        """Start it (through prefix, such as env LD_PRELOAD=...), wait until its
        control socket answers; RuntimeError (and killed) if not within 10 s."""
        self.spawn(list(prefix) + [self.daemon, "-c", self.conf], env)
        for _ in range(100):
            if os.path.exists(self.sock) and self.call("server.status")[0] == "ok":
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.stop(signal.SIGKILL)
        raise RuntimeError("%s did not start: %s" % (self.name, self.log()[-2000:]))

    def call(self, method, params=None):
        """One JSON-RPC method through `dhcpfoctl call`: ("ok", result);
        ("err", code, line) for an error answered, line its "SYMBOL (code):
        detail"; ("bad", line) for another failure; ("timeout",)."""
        args = [self.ctl, "-s", self.sock, "call", method] + \
            ([json.dumps(params)] if params is not None else [])
        try:
            p = subprocess.run(args, capture_output=True, text=True,
                               timeout=self.RPC_TIMEOUT)
        except subprocess.TimeoutExpired:
            return ("timeout",)
        if p.returncode == 0:
            return ("ok", json.loads(p.stdout))
        line = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
        try:
            if p.returncode == 1:
                return ("err", int(line.split(" (", 1)[1].split(")", 1)[0]), line)
        except (IndexError, ValueError):
            pass
        return ("bad", line)

    def result(self, method, params=None, default=None):
        """The result of a call, default if it failed."""
        r = self.call(method, params)
        return r[1] if r[0] == "ok" else default

    def rel(self, name="r1"):
        """Relationship name as failover.get gives it ({} if that fails)."""
        return self.result("failover.get", {"name": name}, {})

    def lease_list(self, subnet):
        """Every lease of subnet, page by page; None if the server does not answer."""
        out, frm = [], None
        while True:
            p = {"subnet": subnet, "limit": 1000}
            if frm:
                p["from"] = frm
            r = self.call("lease.list", p)
            if r[0] != "ok":
                return None
            out += r[1]["leases"]
            frm = r[1].get("next")
            if not frm:
                return out

    def run_import(self, *args):
        """scripts/dhcpd-import against this daemon, its output also in the
        log: (exit status, output)."""
        p = subprocess.run([sys.executable, IMPORT, "-s", self.sock, "--ctl", self.ctl] +
                           list(args), capture_output=True, text=True, timeout=300)
        with open(self.logpath, "a") as f:
            f.write("---- dhcpd-import %s: %d\n%s%s" % (" ".join(args), p.returncode,
                                                        p.stdout, p.stderr))
        return p.returncode, p.stdout + p.stderr
