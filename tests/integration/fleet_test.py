#!/usr/bin/env python3
"""A failover pair managed from a console over mutual TLS (issue 13 part 2,
docs/REMOTE.md §7) end to end.

Three network namespaces this process creates and always removes: two servers
(A 10.88.0.1, B 10.89.0.1, their failover link 10.66.0.0/24) and a management
host on both management networks. A lab CA and its certificates are made with
the openssl CLI.

  - the pair is set up from the management host only: the scope, an
    exclusion, options and a reservation and the relationship on A with
    `dhcpfoctl --server A`, `export` from A and `import --as-partner` into B;
    it reaches NORMAL and both servers' scope.config_hash agree;
  - an edit on B alone (an exclusion, a reservation) changes B's hash, and
    `failover diff r1 --partner B` run against A names both fields with both
    values (exit 1);
  - a DHCP User's certificate may diff but its replicate is refused 5 by B;
  - `failover replicate r1 --partner B` with the administrator's certificate
    removes the drift (the hashes equal, diff exit 0, the pair still NORMAL)
    and B's audit log holds the calls under the administrator's subject;
  - both daemons poll each other's scope.config_hash every second
    ([management] client-certificate, partners, drift-interval, REMOTE.md §8):
    the drift shows within 10 s in failover.get and server.status
    (config_drift) and the metric dhcpfod_failover_config_drift_scopes, is
    logged once, and is gone after the replicate;
  - a relationship parameter set on B alone (load_balance_max_seconds) is
    drift too: config_drift_relationship on both, the parameters metric,
    `failover diff` with both values (RPC.md §6.17); set back, it is gone;
  - `failover create r2 ... --partner B` on A alone: A creates r2 on both
    (partner_management, REMOTE.md §9: B secondary, the scope's configuration
    copied first, scope.config and the parameters equal on both) and it
    reaches NORMAL; `add-scope` / `remove-scope r2 S --partner B` add (the
    scope copied first) and remove a scope on both (B's copy disabled);
    `failover.delete r2` with partner_management true (the address A keeps
    since it made r2) leaves it on neither, B's copy of the scope disabled;
    B's audit log holds A's calls on behalf of the administrator;
  - with the partner unreachable a delete is refused (1722, r3 kept), with
    --force done here only and said (exit 1); a create with the partner
    unreachable (1722), silent (stopped: 1722 after 10 s), and one the partner
    refuses (20114: B has its own r4;
    the scope copied to B deleted again), leave nothing behind.

Needs root (namespaces) and openssl; exit 77 (skip) without them.
Exit 0 = all passed.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import labkit as lk
from labkit import check
from remote_test import make_ca, sign

A, B, MGMT = ("dff%s%s" % (x, lk.TAG) for x in ("a", "b", "m"))
A_IP, B_IP = "10.88.0.1", "10.89.0.1"
A_FO, B_FO = "10.66.0.1", "10.66.0.2"
PORT = 9968
ADMINS = "OU=admins,O=Lab"
USERS = "O=Lab"
SUBNET = "10.77.0.0"
# B's audit identity of the calls A makes there for ops (session.on_behalf)
BEHALF_PREFIX = "CN=dhcpfod-a,OU=admins,O=Lab on behalf of CN=ops,OU=admins,O=Lab (tls "

CA_CNF = """[client]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = clientAuth
[server_a]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:%s
[server_b]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:%s
""" % (A_IP, B_IP)


def make_pki(tmp):
    with open(os.path.join(tmp, "ext.cnf"), "w") as f:
        f.write(CA_CNF)
    make_ca(tmp, "ca", "/O=Lab/CN=Lab CA")
    sign(tmp, "ca", "a", "/O=Lab/CN=dhcpfod-a", "server_a")
    sign(tmp, "ca", "b", "/O=Lab/CN=dhcpfod-b", "server_b")
    sign(tmp, "ca", "ops", "/O=Lab/OU=admins/CN=ops", "client")
    # each daemon's identity as a client of its partner's listener
    sign(tmp, "ca", "a-client", "/O=Lab/OU=admins/CN=dhcpfod-a", "client")
    sign(tmp, "ca", "b-client", "/O=Lab/OU=admins/CN=dhcpfod-b", "client")
    sign(tmp, "ca", "viewer", "/O=Lab/CN=viewer", "client")


def lab_up(lab):
    lab.up()
    lab.veth(A, "mg0", "mga", MGMT)
    lab.ifup(A, "mg0", A_IP + "/24")
    lab.ifup(MGMT, "mga", "10.88.0.2/24")
    lab.veth(B, "mg0", "mgb", MGMT)
    lab.ifup(B, "mg0", B_IP + "/24")
    lab.ifup(MGMT, "mgb", "10.89.0.2/24")
    lab.veth(A, "fo0", "fo1", B)
    lab.ifup(A, "fo0", A_FO + "/24")
    lab.ifup(B, "fo1", B_FO + "/24")
    # each daemon reaches its partner's management address over the link
    lk.sh("ip", "route", "add", "10.89.0.0/24", "via", B_FO, ns=A)
    lk.sh("ip", "route", "add", "10.88.0.0/24", "via", A_FO, ns=B)


def conf_text(d, tmp, fo, mg, cert, partner):
    return ("[server]\ninterfaces =\ndatabase = %s/db.sqlite\ncontrol-socket = %s\n"
            "server-id = %s\nlog-level = debug\n[failover]\nlisten = %s:647\n"
            "[management]\nlisten = %s:%d\ncertificate = %s/%s.crt\nkey = %s/%s.key\n"
            "ca = %s/ca.crt\nadmins = %s\nusers = %s\naudit-log = %s/audit.log\n"
            "client-certificate = %s/%s-client.crt\nclient-key = %s/%s-client.key\n"
            "partners = r1=%s:%d\ndrift-interval = 1\n"
            % (d.dir, d.sock, fo, fo, mg, PORT, tmp, cert, tmp, cert, tmp, ADMINS, USERS,
               d.dir, tmp, cert, tmp, cert, partner, PORT))


def drift_of(d):
    """(config_drift of failover.get r1, of server.status, the metric)."""
    g = d.rel().get("config_drift", "absent")
    st = d.result("server.status", None, {})
    s = [r.get("config_drift", "absent") for r in st.get("relationships", [])
         if r.get("name") == "r1"]
    text = d.result("server.metrics", None, {}).get("text", "")
    m = [line.split()[-1] for line in text.splitlines()
         if line.startswith('dhcpfod_failover_config_drift_scopes{relationship="r1"}')]
    return g, (s[0] if s else "absent"), (m[0] if m else "absent")


def wait_drift(a, b, want, n, what):
    """Both servers report drift want (a list) everywhere within 10 s."""
    w = (want, want, str(n))
    okay = lk.wait_for(lambda: drift_of(a) == w and drift_of(b) == w, 10)
    check(okay, "%s: A %s, B %s, want %s (A: %s, B: %s)" % (
        what, drift_of(a), drift_of(b), w, a.rel().get("config_check_error"),
        b.rel().get("config_check_error")))


def ctl(tmp, cert, server, *args, stdin=None):
    """dhcpfoctl on the management host as cert's holder: (rc, out, err)."""
    opts = ["--server", server, "--cert", os.path.join(tmp, cert + ".crt"),
            "--key", os.path.join(tmp, cert + ".key"), "--ca", os.path.join(tmp, "ca.crt")]
    e = dict(os.environ, HOME=os.path.join(tmp, "nohome"), DHCPFOCTL_TIMEOUT="10")
    p = subprocess.run(["ip", "netns", "exec", MGMT, lk.CTL] + opts + list(args),
                       capture_output=True, text=True, timeout=120, env=e, input=stdin)
    return p.returncode, p.stdout, p.stderr


def ok(tmp, server, method, params):
    rc, out, err = ctl(tmp, "ops", server, "call", method, json.dumps(params))
    check(rc == 0, "%s on %s: rc %d %s" % (method, server, rc, err))
    return json.loads(out) if rc == 0 else None


def hashes(tmp, server):
    r = ok(tmp, server, "scope.config_hash", {})
    return {x["subnet"]: x["hash"] for x in r["scopes"]} if r else {}


def both_normal(a, b):
    return a.rel().get("state") == "NORMAL" and b.rel().get("state") == "NORMAL"


def set_up_pair(tmp, a, b):
    ok(tmp, A_IP, "scope.create", {"subnet": SUBNET, "prefix": 24, "name": "lab",
       "range": {"start": "10.77.0.10", "end": "10.77.0.200"}, "lease_time": 600,
       "options": {"routers": "10.77.0.1", "domain_name": "lab.example"}})
    ok(tmp, A_IP, "scope.add_exclusion", {"subnet": SUBNET, "start": "10.77.0.50",
       "end": "10.77.0.59"})
    ok(tmp, A_IP, "reservation.add", {"subnet": SUBNET, "address": "10.77.0.20",
       "hwaddr": "02:00:00:77:00:20", "name": "printer"})
    ok(tmp, A_IP, "failover.create", {"name": "r1", "primary_server": A_FO,
       "secondary_server": B_FO, "server_type": "primary", "mode": "load-balance",
       "percentage": 50, "mclt": 60, "shared_secret": "s3cret", "scopes": [SUBNET]})
    rc, doc, err = ctl(tmp, "ops", A_IP, "export")
    check(rc == 0, "export from A: %s" % err)
    rc, out, err = ctl(tmp, "ops", B_IP, "import", "-", "--as-partner", "--secret",
                       "s3cret", stdin=doc)
    check(rc == 0 and "0 refused" in out, "import --as-partner into B: %s%s" % (out, err))
    check(lk.wait_for(lambda: both_normal(a, b), 60),
          "the pair reaches NORMAL: A %s, B %s" % (a.rel().get("state"),
                                                   b.rel().get("state")))
    ha, hb = hashes(tmp, A_IP), hashes(tmp, B_IP)
    check(ha and ha == hb, "the same configuration on both: %s / %s" % (ha, hb))
    return ha


def drift(tmp, ha):
    ok(tmp, B_IP, "scope.add_exclusion", {"subnet": SUBNET, "start": "10.77.0.90",
       "end": "10.77.0.99"})
    ok(tmp, B_IP, "reservation.add", {"subnet": SUBNET, "address": "10.77.0.21",
       "hwaddr": "02:00:00:77:00:21", "name": "laptop"})
    check(hashes(tmp, B_IP)[SUBNET] != ha[SUBNET], "B's hash changes with the edit")
    rc, out, err = ctl(tmp, "ops", A_IP, "failover", "diff", "r1", "--partner", B_IP)
    check(rc == 1 and "scope 10.77.0.0: 2 fields differ" in out and
          "\n  exclusions\n" in out and '"start":"10.77.0.90"' in out and
          "\n  reservations.10.77.0.21\n    here:    null\n    partner: "
          '{"hwaddr":"02:00:00:77:00:21","name":"laptop"}' in out,
          "failover diff names both fields: rc %d\n%s%s" % (rc, out, err))
    print(out, end="")
    rc, out, err = ctl(tmp, "viewer", A_IP, "failover", "diff", "r1", "--partner", B_IP)
    check(rc == 1 and "2 fields differ" in out, "a DHCP User may diff: rc %d %s" % (rc, err))
    rc, out, err = ctl(tmp, "viewer", A_IP, "failover", "replicate", "r1", "--partner",
                       B_IP)
    check(rc == 1 and "ERROR_ACCESS_DENIED (5)" in err and
          hashes(tmp, B_IP)[SUBNET] != ha[SUBNET],
          "a DHCP User's replicate is refused by B: rc %d %s" % (rc, err))


def replicate(tmp, a, b, ha):
    rc, out, err = ctl(tmp, "ops", A_IP, "failover", "replicate", "r1", "--partner", B_IP)
    check(rc == 0 and "scope 10.77.0.0: replicated (2 calls on %s:%d)" % (B_IP, PORT) in out,
          "failover replicate: rc %d %s%s" % (rc, out, err))
    print(out, end="")
    check(hashes(tmp, B_IP) == ha, "replicated: B's hash is A's again")
    rc, out, err = ctl(tmp, "ops", A_IP, "failover", "diff", "r1", "--partner", B_IP)
    check(rc == 0 and "scope 10.77.0.0: identical" in out, "diff after: rc %d %s%s" %
          (rc, out, err))
    check(both_normal(a, b), "the pair still NORMAL")
    with open(os.path.join(b.dir, "audit.log")) as f:
        lines = [json.loads(x) for x in f if x.strip()]
    mine = [x for x in lines if x["method"] in ("scope.remove_exclusion",
                                                "reservation.remove") and
            x["identity"] == "CN=ops,OU=admins,O=Lab"]
    check(len(mine) == 2 and all(x["channel"] == "tls" and x["result"] == 0 for x in mine),
          "B's audit log: the replicate's calls under ops: %s" % mine)
    denied = [x for x in lines if x["identity"].startswith("CN=viewer")]
    check(denied and all(x["result"] == 5 for x in denied),
          "B's audit log: the viewer's refused call: %s" % denied)


def pair_create_delete(tmp, a, b):
    """failover create / delete --partner: one command on A makes (removes)
    both sides; an unreachable partner is a clear partial success."""
    sub2 = "10.78.0.0"
    ok(tmp, A_IP, "scope.create", {"subnet": sub2, "prefix": 24, "name": "lab2",
       "range": {"start": "10.78.0.10", "end": "10.78.0.200"}, "lease_time": 900,
       "options": {"routers": "10.78.0.1"}})
    ok(tmp, A_IP, "scope.add_exclusion", {"subnet": sub2, "start": "10.78.0.30",
       "end": "10.78.0.39"})
    ok(tmp, A_IP, "reservation.add", {"subnet": sub2, "address": "10.78.0.20",
       "hwaddr": "02:00:00:78:00:20", "name": "camera"})
    rc, out, err = ctl(tmp, "ops", A_IP, "failover", "create", "r2", "--primary", A_FO,
                       "--secondary", B_FO, "--role", "primary", "--mclt", "60",
                       "--secret", "s3cret", "--scope", sub2, "--partner", B_IP)
    print(out, end="")
    check(rc == 0 and "r2: created on %s:%d (primary)" % (A_IP, PORT) in out and
          "r2: created on the partner %s:%d (secondary)" % (B_IP, PORT) in out,
          "failover create --partner: rc %d %s%s" % (rc, out, err))
    check(b.rel("r2").get("server_type") == "secondary", "B has r2 as secondary")
    ha, hb = hashes(tmp, A_IP), hashes(tmp, B_IP)
    check(ha.get(sub2) and ha.get(sub2) == hb.get(sub2),
          "the scope configured identically on B: %s / %s" % (ha, hb))
    ca, cb = (ok(tmp, x, "scope.config", {"subnet": sub2}) for x in (A_IP, B_IP))
    check(ca and ca == cb and ca["scopes"][0]["config"]["reservations"],
          "scope.config of %s equal on both: %s / %s" % (sub2, ca, cb))
    ra, rb = a.rel("r2"), b.rel("r2")
    same = ("mode", "percentage", "mclt", "primary_server", "secondary_server",
            "shared_secret_set", "scopes", "max_response_delay")
    check(all(ra.get(k) == rb.get(k) for k in same) and ra["shared_secret_set"],
          "r2's parameters equal on both: %s / %s" % (ra, rb))
    check(lk.wait_for(lambda: a.rel("r2").get("state") == "NORMAL" and
                      b.rel("r2").get("state") == "NORMAL", 60),
          "r2 reaches NORMAL: A %s, B %s" % (a.rel("r2").get("state"),
                                              b.rel("r2").get("state")))
    # add-scope / remove-scope --partner: both sides, the scope copied first
    sub3 = "10.79.0.0"
    ok(tmp, A_IP, "scope.create", {"subnet": sub3, "prefix": 24, "name": "lab3",
       "range": {"start": "10.79.0.10", "end": "10.79.0.50"}})
    ok(tmp, A_IP, "reservation.add", {"subnet": sub3, "address": "10.79.0.20",
       "hwaddr": "02:00:00:79:00:20"})
    rc, out, err = ctl(tmp, "ops", A_IP, "failover", "add-scope", "r2", sub3,
                       "--partner", B_IP)
    print(out, end="")
    check(rc == 0 and sub3 in a.rel("r2").get("scopes", []) and
          sub3 in b.rel("r2").get("scopes", []) and
          hashes(tmp, A_IP).get(sub3) == hashes(tmp, B_IP).get(sub3),
          "add-scope --partner: rc %d %s%s" % (rc, out, err))
    rc, out, err = ctl(tmp, "ops", A_IP, "failover", "remove-scope", "r2", sub3,
                       "--partner", B_IP)
    print(out, end="")
    check(rc == 0 and sub3 not in a.rel("r2").get("scopes", []) and
          sub3 not in b.rel("r2").get("scopes", []) and
          b.result("scope.get", {"subnet": sub3}, {}).get("state") == "disabled" and
          a.result("scope.get", {"subnet": sub3}, {}).get("state") == "enabled",
          "remove-scope --partner (B's copy disabled): rc %d %s%s" % (rc, out, err))
    # A watches r2's partner since it made r2 there: partner_management true
    check(a.rel("r2").get("partner_management") == "%s:%d" % (B_IP, PORT) and
          lk.wait_for(lambda: a.rel("r2").get("config_drift") == [] and
                      a.rel("r2").get("config_drift_relationship") == [], 10),
          "A checks r2 against B: %s" % a.rel("r2"))
    r = ok(tmp, A_IP, "failover.delete", {"name": "r2", "partner_management": True})
    print(json.dumps(r))
    check(r and r["partner"]["done"] is True and
          r["partner"]["scopes_disabled"] == [sub2], "failover.delete with "
          "partner_management true: %s" % r)
    check(a.call("failover.get", {"name": "r2"})[:2] == ("err", 20115) and
          b.call("failover.get", {"name": "r2"})[:2] == ("err", 20115),
          "r2 is on neither server")
    check(b.result("scope.get", {"subnet": sub2}, {}).get("state") == "disabled",
          "B's copy of %s disabled: A alone serves it" % sub2)
    # the partner unreachable: the delete is refused, nothing changed; with
    # --force deleted here, and said so
    ok(tmp, A_IP, "failover.create", {"name": "r3", "primary_server": A_FO,
       "secondary_server": B_FO, "server_type": "primary", "mclt": 60,
       "scopes": [sub2]})
    rc, out, err = ctl(tmp, "ops", A_IP, "failover", "delete", "r3", "--partner",
                       B_IP + ":9999")
    check(rc == 1 and "RPC_S_SERVER_UNAVAILABLE (1722)" in err and
          "Connection refused" in err and "nothing was changed" in err and
          a.rel("r3").get("name") == "r3",
          "delete with the partner unreachable is refused: rc %d %s%s" % (rc, out, err))
    rc, out, err = ctl(tmp, "ops", A_IP, "failover", "delete", "r3", "--partner",
                       B_IP + ":9999", "--force")
    print(out, end="")
    check(rc == 1 and "r3: deleted on %s:%d" % (A_IP, PORT) in out and
          "r3: the partner %s:9999 was NOT reached: delete it there" % B_IP in out,
          "delete --force with the partner unreachable: rc %d %s%s" % (rc, out, err))
    check(a.call("failover.get", {"name": "r3"})[:2] == ("err", 20115), "r3 gone from A")
    check("deleted on this server only (force)" in a.log(), "A logs the forced delete")
    with open(os.path.join(b.dir, "audit.log")) as f:
        lines = [json.loads(x) for x in f if x.strip()]
    made = [(x["method"], x["identity"].startswith(BEHALF_PREFIX)) for x in lines
            if x["method"] in ("failover.create", "failover.delete", "scope.create")
            and x["params"].get("name") in ("r2", "lab2")]
    check(("scope.create", True) in made and ("failover.create", True) in made and
          ("failover.delete", True) in made,
          "B's audit log holds the pair's calls under A on behalf of ops: %s" % made)
    with open(os.path.join(a.dir, "audit.log")) as f:
        lines = [json.loads(x) for x in f if x.strip()]
    mine = [x["params"].get("partner_management") for x in lines
            if x["method"] == "failover.create" and x["params"].get("name") == "r2"
            and x["identity"] == "CN=ops,OU=admins,O=Lab" and x["result"] == 0]
    check(mine == [B_IP], "A's audit log: ops's failover.create with "
          "partner_management: %s" % mine)


def pair_failures(tmp, a, b):
    """failover.create with partner_management that cannot finish leaves
    nothing behind: the partner unreachable (1722), the partner refusing its
    failover.create (its code, the scope copied there deleted again)."""
    sub4 = "10.80.0.0"
    ok(tmp, A_IP, "scope.create", {"subnet": sub4, "prefix": 24, "name": "lab4",
       "range": {"start": "10.80.0.10", "end": "10.80.0.90"}})
    base = {"name": "r4", "primary_server": A_FO, "secondary_server": B_FO,
            "mclt": 60, "scopes": [sub4]}
    rc, out, err = ctl(tmp, "ops", A_IP, "call", "failover.create", json.dumps(
        dict(base, partner_management=B_IP + ":9999")))
    check(rc == 1 and "(1722)" in err and "nothing was changed on either server" in err,
          "create, the partner unreachable: rc %d %s" % (rc, err))
    check(a.call("failover.get", {"name": "r4"})[:2] == ("err", 20115) and
          b.call("scope.get", {"subnet": sub4})[:2] == ("err", 20005),
          "nothing left behind after an unreachable partner")
    # B stopped (SIGSTOP): it accepts the connection and answers nothing
    os.kill(b.proc.pid, signal.SIGSTOP)
    try:
        t0 = time.time()
        rc, out, err = ctl(tmp, "ops", A_IP, "call", "failover.create", json.dumps(
            dict(base, partner_management=B_IP)))
        took = time.time() - t0
    finally:
        os.kill(b.proc.pid, signal.SIGCONT)
    check(rc == 1 and "(1722)" in err and "no answer within 10 seconds" in err and
          "nothing was changed on either server" in err and 9 < took < 30,
          "create, the partner silent: rc %d after %.1f s %s" % (rc, took, err))
    check(a.call("failover.get", {"name": "r4"})[:2] == ("err", 20115) and
          b.call("scope.get", {"subnet": sub4})[:2] == ("err", 20005),
          "nothing left behind after a silent partner")
    # B already has a relationship r4 (on its copy of lab2's scope)
    b_only = {"name": "r4", "primary_server": A_FO, "secondary_server": B_FO,
              "server_type": "secondary", "mclt": 60, "scopes": ["10.78.0.0"]}
    check(b.call("failover.create", b_only)[0] == "ok", "r4 made on B alone")
    rc, out, err = ctl(tmp, "ops", A_IP, "call", "failover.create", json.dumps(
        dict(base, partner_management=B_IP)))
    print(err, end="")
    check(rc == 1 and "(20114)" in err and "refused failover.create" in err and
          "scope.delete 10.80.0.0: done" in err,
          "create, the partner refuses: rc %d %s" % (rc, err))
    check(a.call("failover.get", {"name": "r4"})[:2] == ("err", 20115) and
          b.call("scope.get", {"subnet": sub4})[:2] == ("err", 20005) and
          b.rel("r4").get("scopes") == ["10.78.0.0"],
          "nothing left behind after the partner's refusal (B's own r4 intact)")
    check(b.call("failover.delete", {"name": "r4"})[0] == "ok", "B's r4 removed")


def param_drift(tmp, a, b):
    """A relationship parameter set on B alone is drift too: both daemons name
    it in config_drift_relationship within 10 s, the metric counts it, and
    `failover diff` prints both values; setting it back ends it."""
    def seen(d):
        return d.rel().get("config_drift_relationship")

    def metric(d):
        text = d.result("server.metrics", None, {}).get("text", "")
        return [line.split()[-1] for line in text.splitlines() if line.startswith(
            'dhcpfod_failover_config_drift_parameters{relationship="r1"}')]

    check(seen(a) == [] and seen(b) == [], "no parameter drift: %s %s" % (seen(a), seen(b)))
    ok(tmp, B_IP, "failover.set", {"name": "r1", "load_balance_max_seconds": 5})
    check(lk.wait_for(lambda: seen(a) == ["load_balance_max_seconds"] and
                      seen(b) == ["load_balance_max_seconds"], 10),
          "load_balance_max_seconds set on B is drift on both: %s %s" % (seen(a), seen(b)))
    check(metric(a) == ["1"], "the parameters metric: %s" % metric(a))
    check(a.rel().get("config_drift") == [], "the scopes still agree")
    rc, out, err = ctl(tmp, "viewer", A_IP, "failover", "diff", "r1", "--partner", B_IP)
    print(out, end="")
    check(rc == 1 and "relationship r1: 1 parameter differs" in out and
          "\n  load_balance_max_seconds\n    here:    3\n    partner: 5\n" in out and
          "scope 10.77.0.0: identical" in out,
          "failover diff names the parameter: rc %d %s%s" % (rc, out, err))
    check("s3cret" not in out, "the secret never shown")
    ok(tmp, B_IP, "failover.set", {"name": "r1", "load_balance_max_seconds": 3})
    check(lk.wait_for(lambda: seen(a) == [] and seen(b) == [], 10),
          "set back: no parameter drift: %s %s" % (seen(a), seen(b)))
    check(both_normal(a, b), "the pair still NORMAL")


def rpc_replicate(tmp, a, b, ha):
    """failover.replicate, the daemon's own (RPC.md §6.13): A pushes to B over
    B's listener with A's client certificate; B's audit log names A."""
    ok(tmp, B_IP, "scope.set", {"subnet": SUBNET, "lease_time": 1200})
    ok(tmp, B_IP, "reservation.remove", {"subnet": SUBNET, "address": "10.77.0.20"})
    wait_drift(a, b, [SUBNET], 1, "drift again before failover.replicate")
    rc, out, err = ctl(tmp, "viewer", A_IP, "call", "failover.replicate",
                       json.dumps({"name": "r1"}))
    check(rc == 1 and "ERROR_ACCESS_DENIED (5)" in err, "a user's failover.replicate: "
          "rc %d %s" % (rc, err))
    r = ok(tmp, A_IP, "failover.replicate", {"name": "r1"})
    print(json.dumps(r))
    check(r and r["replicated"] is True and r["partner"] == "%s:%d" % (B_IP, PORT) and
          r["scopes"] == [{"subnet": SUBNET, "calls": 2, "errors": []}],
          "failover.replicate: %s" % r)
    check(hashes(tmp, B_IP) == ha, "failover.replicate: B's hash is A's again")
    wait_drift(a, b, [], 0, "no drift after failover.replicate")
    rc, out, err = ctl(tmp, "ops", A_IP, "--json", "failover", "replicate", "r1",
                       "--scope", SUBNET)
    r = json.loads(out) if rc == 0 else None
    check(r and r["scopes"] == [{"subnet": SUBNET, "calls": 0, "errors": []}],
          "dhcpfoctl failover replicate r1 --scope (the server's): rc %d %s%s" %
          (rc, out, err))
    rc, out, err = ctl(tmp, "ops", A_IP, "call", "failover.replicate",
                       json.dumps({"name": "nosuch"}))
    check(rc == 1 and "(20115)" in err, "unknown relationship: rc %d %s" % (rc, err))
    with open(os.path.join(b.dir, "audit.log")) as f:
        lines = [json.loads(x) for x in f if x.strip()]
    byA = [x["method"] for x in lines if x["identity"].startswith(BEHALF_PREFIX)]
    check(byA == ["scope.set", "reservation.add"], "B's audit log: A's calls %s" % byA)
    with open(os.path.join(a.dir, "audit.log")) as f:
        lines = [json.loads(x) for x in f if x.strip()]
    check([x["result"] for x in lines if x["method"] == "failover.replicate"] ==
          [5, 0, 0, 20115], "A's audit log: the failover.replicate calls")


def run(tmp):
    make_pki(tmp)
    lab = lk.Lab(A, B, MGMT)
    try:
        lab_up(lab)
        a = lk.Dhcpfod(os.path.join(tmp, "a"), ns=A)
        b = lk.Dhcpfod(os.path.join(tmp, "b"), ns=B)
        a.write_conf(conf_text(a, tmp, A_FO, A_IP, "a", B_IP))
        b.write_conf(conf_text(b, tmp, B_FO, B_IP, "b", A_IP))
        a.start()
        b.start()
        ha = set_up_pair(tmp, a, b)
        if ha:
            wait_drift(a, b, [], 0, "no drift after the setup")
            # a check between A's relationship and B's import may see drift:
            # count the episodes from here
            base = {d.name: (d.log().count("configuration drift with the partner"),
                             d.log().count("the configuration is the partner's again"))
                    for d in (a, b)}
            drift(tmp, ha)
            wait_drift(a, b, [SUBNET], 1, "the edit on B is drift on both")
            replicate(tmp, a, b, ha)
            wait_drift(a, b, [], 0, "no drift after replicate")
            rpc_replicate(tmp, a, b, ha)
            param_drift(tmp, a, b)
            for d in (a, b):    # three episodes of drift, each logged once
                log = d.log()
                n = log.count("configuration drift with the partner") - base[d.name][0]
                m = log.count("the configuration is the partner's again") - base[d.name][1]
                check(n == 3 and m == 3, "%s logs each drift once and its end "
                      "once (%d, %d):\n%s" % (d.name, n, m, "\n".join(
                          x for x in log.splitlines() if "configuration" in x)))
            pair_create_delete(tmp, a, b)
            pair_failures(tmp, a, b)
        check(a.stop() == 0 and b.stop() == 0, "both exit 0 on SIGTERM")
        if lk.failed:
            for d in (a, b):
                print("---- %s log (tail) ----\n%s" % (d.name, d.log()[-3000:]))
    finally:
        lab.down()
    check(lab.left() == [], "the namespaces are gone")


def main():
    if os.geteuid() != 0:
        print("SKIP: fleet_test needs root for network namespaces")
        return 77
    if shutil.which("openssl") is None:
        print("SKIP: openssl is missing (scripts/install-deps installs it)")
        return 77
    lk.exit_on_sigterm(1)
    with tempfile.TemporaryDirectory(prefix="dhcpfod-fleet.") as tmp:
        os.chmod(tmp, 0o755)
        run(tmp)
    return lk.report("fleet")


if __name__ == "__main__":
    sys.exit(main())
