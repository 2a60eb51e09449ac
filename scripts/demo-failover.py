#!/usr/bin/env python3
"""demo-failover.py (`make demo`, second chapter): a dhcpfod failover pair, told
step by step with the commands an operator types and what they print.

In network namespaces this script creates and always removes: a primary and a
secondary joined by a failover link, and real clients (busybox udhcpc) on a
LAN both servers serve, their MACs chosen so that they fall alternately in the
two halves of the RFC 3074 hash buckets. The story: the scope and the
relationship configured once, on the primary, and copied to the secondary
(export, import --as-partner); NORMAL; clients served by both servers by hash;
the free addresses split 50/50, then 70/30 by `failover rebalance`, shown on
both servers; the primary killed, the operator's PARTNER_DOWN on the secondary,
which then serves every client; the primary back, and the pair NORMAL again
with both lease tables equal. Run as root; exit status 0 with a final line
"demo: ok: ..." when every step held, 1 (and "demo: FAILED: ...") otherwise.

Environment: BUILD (build), DEMO_KEEP=1 keeps the temp dir (configs, logs).
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "tests", "integration"))
import labkit as lk                                 # noqa: E402
from rfc3074 import bucket_of, client_macs          # noqa: E402

NS_P, NS_S, NS_C = "demo-p-" + lk.TAG, "demo-s-" + lk.TAG, "demo-c-" + lk.TAG
SUBNET, LO, HI = "10.77.0.0", "10.77.0.100", "10.77.0.139"
MCLT = 5
NCLIENTS = 6
LAB = lk.PairLab((NS_P, NS_S, NS_C), ("fa", "fb"), ("la", "lb"), client_macs(NCLIENTS + 2),
                 ("10.77.0.3/24",))


class Failed(Exception):
    pass


def say(what):
    print("\n==> " + what, flush=True)


def need(cond, what):
    """A step that must hold for the story to go on."""
    if not cond:
        raise Failed(what)


class Server(lk.Dhcpfod):
    """One server of the pair, as the operator reaches it: by its socket,
    shown in the commands as $P or $S."""

    def __init__(self, tmp, name, ns, ifc, listen, var):
        super().__init__(os.path.join(tmp, name), ns)
        self.var = var
        self.lab_conf(ifc, listen)

    def run(self, *args, show=True):
        """`dhcpfoctl -s $X args`, echoed with its output when show: the output."""
        p = subprocess.run([self.ctl, "-s", self.sock] + list(args), capture_output=True,
                           text=True, timeout=30, env=dict(os.environ, NO_COLOR="1"))
        if show:
            print("$ dhcpfoctl -s $%s %s" % (self.var, " ".join(
                a if " " not in a else "'%s'" % a for a in args)))
            for line in (p.stdout + p.stderr).rstrip().splitlines():
                print("  " + line)
        need(p.returncode == 0, "dhcpfoctl %s on the %s: exit %d" % (
            " ".join(args), self.name, p.returncode))
        return p.stdout

    def state(self):
        return self.rel().get("state")


def lease(ifc, tmp, want=None):
    """One DORA (or a request for want) by the client on ifc: (address, server,
    lease time) or None."""
    return lk.udhcpc(NS_C, ifc, tmp, want)


def serve_clients(first, n, tmp, srv_name, pct):
    """Clients first..first+n-1 ask for a lease; each line says its bucket,
    which server's half that is at pct, and who answered: {mac: address}."""
    print("$ busybox udhcpc -i cN -n -q -f   # in the clients' namespace, one per client")
    held = {}
    for i in range(first, first + n):
        mac = LAB.macs[i]
        b = bucket_of(mac)
        owner = "primary" if b < pct * 256 // 100 else "secondary"
        got = lease("c%d" % i, tmp)
        need(got is not None, "client %s got no lease" % mac)
        print("  client %s  bucket %3d (%s's)  got %-12s from %-13s for %3d s" % (
            mac, b, owner, got[0], srv_name.get(got[1], got[1]), got[2]))
        held[mac] = got[0]
    return held


def story(p, s, tmp):
    srv_name = {"10.77.0.1": "the primary", "10.77.0.2": "the secondary"}
    say("the lab: primary in %s, secondary in %s, clients in %s" % (NS_P, NS_S, NS_C))
    print("  failover link 10.99.0.1 <-> 10.99.0.2; the LAN 10.77.0.0/24 (primary .1, "
          "secondary .2)\n  P=%s\n  S=%s" % (p.sock, s.sock))
    for srv in (p, s):
        srv.start()

    say("the scope and the relationship, configured once on the primary")
    p.run("scope", "create", SUBNET + "/24", "--range", LO, HI, "--name", "lan",
          "--lease-time", "120", "--option", "routers=10.77.0.254")
    p.run("failover", "create", "r1", "--primary", "10.99.0.1", "--secondary", "10.99.0.2",
          "--role", "primary", "--mode", "load-balance", "--percentage", "50", "--mclt",
          str(MCLT), "--scope", SUBNET)

    say("copied to the secondary: export from one, import as the partner's copy")
    doc = os.path.join(tmp, "pair.json")
    with open(doc, "w") as f:
        f.write(p.run("export", show=False))
    print("$ dhcpfoctl -s $P export > pair.json")
    s.run("import", doc, "--as-partner")

    say("the two servers find each other: NORMAL on both")
    need(lk.wait_for(lambda: p.state() == "NORMAL" and s.state() == "NORMAL", 30),
         "the pair did not reach NORMAL (primary %s, secondary %s)" % (p.state(), s.state()))
    p.run("failover", "get", "r1")

    say("clients served by both servers, each by its hash bucket (RFC 3074; 50 %: "
        "buckets 0-127 the primary's)")
    held = serve_clients(0, 4, tmp, srv_name, 50)
    print("  (a first lease is MCLT long, %d s, until the partner has acknowledged it; "
          "renewals get the scope's 120 s)" % MCLT)

    say("the free addresses, split 50/50: as each server counts them")
    p.run("failover", "stats", SUBNET)
    s.run("failover", "stats", SUBNET)

    say("70 % to the primary: the percentage on both, then a rebalance")
    p.run("failover", "set", "r1", "--percentage", "70")
    s.run("failover", "set", "r1", "--percentage", "70")
    # the primary reconnects to send the new hash-bucket assignment (FAILOVER.md §5.6)
    need(lk.wait_for(lambda: p.state() == "NORMAL" and s.state() == "NORMAL", 15),
         "not NORMAL after the new percentage (primary %s, secondary %s)" % (
             p.state(), s.state()))
    p.run("failover", "rebalance", "r1")
    time.sleep(1)
    p.run("failover", "stats", SUBNET)
    s.run("failover", "stats", SUBNET)

    say("the primary dies (SIGKILL)")
    print("$ kill -KILL %d" % p.proc.pid)
    p.stop(signal.SIGKILL)
    need(lk.wait_for(lambda: s.state() == "COMMUNICATION_INT", 15),
         "the secondary did not notice (state %s)" % s.state())
    s.run("failover", "get", "r1")

    say("the operator knows it is down: PARTNER_DOWN on the secondary")
    s.run("failover", "set", "r1", "--state", "PARTNER_DOWN")

    say("the secondary serves every client now: renewals, and new clients of both halves")
    for mac, ip in held.items():
        got = lease("c%d" % LAB.macs.index(mac), tmp, want=ip)
        need(got is not None and got[0] == ip, "%s could not renew %s" % (mac, ip))
        print("  client %s  renewed %-12s with %-13s for %3d s" % (
            mac, ip, srv_name.get(got[1], got[1]), got[2]))
    print("  (a new client's lease is MCLT long, %d s, until the partner can hear of it: "
          "its clients renew early, at half of it)" % MCLT)
    serve_clients(4, 4, tmp, srv_name, 70)

    say("the primary is back: it catches up (RECOVER), waits MCLT, and the pair is "
        "NORMAL again")
    print("$ dhcpfod -c primary/dhcpfod.conf")
    p.start()
    need(lk.wait_for(lambda: p.state() == "NORMAL" and s.state() == "NORMAL",
                     30 + 3 * MCLT),
         "not NORMAL again (primary %s, secondary %s)" % (p.state(), s.state()))
    p.run("failover", "get", "r1")
    s.run("failover", "get", "r1")
    p.run("lease", "list", SUBNET)

    tables = {}
    for srv in (p, s):
        rows = srv.lease_list(SUBNET) or []
        # a lease's end matters while it is ACTIVE
        tables[srv.name] = {l["address"]: (l.get("state"), l.get("hwaddr"), l.get("ends")
                                           if l.get("state") == "ACTIVE" else None)
                            for l in rows}
    need(tables["primary"] == tables["secondary"], "the lease tables differ: %r" % tables)
    need(all(tables["primary"].get(ip, ("",))[0] == "ACTIVE" for ip in held.values()),
         "a renewed client's lease is not ACTIVE in the tables")
    return 2 * len(held)


def main():
    if os.geteuid() != 0:
        print("demo: must run as root (network namespaces)", file=sys.stderr)
        return 2
    lk.exit_on_sigterm(1)
    tmp = tempfile.mkdtemp(prefix="dhcpfod-demo-")
    p = Server(tmp, "primary", NS_P, "la", "10.99.0.1", "P")
    s = Server(tmp, "secondary", NS_S, "lb", "10.99.0.2", "S")
    t0 = time.time()
    try:
        LAB.up()
        n = story(p, s, tmp)
        say("demo: ok: %d clients served by a dhcpfod pair through a rebalance, the "
            "primary's death and its return, both lease tables equal (%.0f s)" % (
                n, time.time() - t0))
        return 0
    except (Failed, RuntimeError, subprocess.TimeoutExpired) as e:
        print("\ndemo: FAILED: %s" % e, file=sys.stderr)
        for srv in (p, s):
            if os.path.exists(srv.logpath):
                print("---- %s log (last lines)" % srv.name, file=sys.stderr)
                print(srv.log()[-1500:], file=sys.stderr)
        return 1
    finally:
        for srv in (p, s):
            srv.stop(signal.SIGKILL)
        LAB.down()
        if os.environ.get("DEMO_KEEP"):
            print("demo: kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
