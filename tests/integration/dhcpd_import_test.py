#!/usr/bin/env python3
"""scripts/dhcpd-import against a live dhcpfod (no root: no interfaces served).

tests/data/dhcpd-import/dhcpd.conf and dhcpd.leases hold the common shapes of a
site's dhcpd configuration; each mapped line is checked through the RPC, and
each line dhcpfod cannot honour must be reported with its line number.
"""
import os
import sys
import tempfile

import labkit as lk
from labkit import check

DATA = os.path.join(lk.ROOT, "tests", "data", "dhcpd-import")
CONF, LEASES = os.path.join(DATA, "dhcpd.conf"), os.path.join(DATA, "dhcpd.leases")


def main():
    for b in (lk.DAEMON, lk.CTL):
        if not os.access(b, os.X_OK):
            print("missing %s: run make first" % b)
            return 1
    with tempfile.TemporaryDirectory(prefix="dhcpfod-import.") as tmp:
        d = lk.Dhcpfod(tmp)
        d.write_conf("[server]\ninterfaces =\ndatabase = %s/db.sqlite\ncontrol-socket = %s\n"
                     "server-id = 192.0.2.2\n[failover]\nlisten = 127.0.0.1:6471\n" % (
                         tmp, d.sock))
        try:
            d.start()
            body(d)
        finally:
            d.stop()
            if lk.failed:
                print("---- daemon log (tail) ----\n" + d.log()[-3000:])
    return lk.report("dhcpd-import")


def body(d):
    # -n changes nothing
    rc, out = d.run_import("-n", "--leases", LEASES, CONF)
    check(rc == 0 and "would call scope.create" in out, "dry run: rc %d\n%s" % (rc, out))
    check(d.result("scope.list")["scopes"] == [], "dry run created nothing")

    rc, out = d.run_import("--leases", LEASES, CONF)
    check(rc == 0, "import: rc %d\n%s" % (rc, out))
    sc = {s["subnet"]: s for s in d.result("scope.list")["scopes"]}
    check(sorted(sc) == ["10.10.0.0", "10.20.0.0", "10.21.0.0"], "scopes %s" % sorted(sc))
    a = sc.get("10.10.0.0", {})
    check(a.get("range") == {"start": "10.10.0.50", "end": "10.10.0.199"} and
          a.get("exclusions") == [{"start": "10.10.0.100", "end": "10.10.0.149"}],
          "two pool ranges: one range, the gap excluded: %r" % a)
    check(a.get("lease_time") == 3600 and a.get("options") == {
        "domain_name": "example.org", "domain_name_servers": ["192.0.2.53", "192.0.2.54"],
        "routers": ["10.10.0.1"], "ntp_servers": ["10.10.0.1"], "interface_mtu": 1400},
        "global and subnet options merged, global lease time: %r" % a)
    b = sc.get("10.20.0.0", {})
    check(b.get("prefix") == 23 and b.get("name") == "campus" and
          b.get("lease_time") == 1800 and
          b.get("options", {}).get("domain_search") == ["campus.example.org", "example.org"],
          "shared-network subnet: its options and lease time: %r" % b)
    c = sc.get("10.21.0.0", {})
    check("routers" not in c.get("options", {}), "a router given by name is left out")
    rv = d.result("reservation.list", {"subnet": "10.10.0.0"})["reservations"]
    check([(r["address"], r["hwaddr"], r["name"]) for r in rv] ==
          [("10.10.0.5", "02:00:00:10:00:05", "printer")], "host in a subnet: %r" % rv)
    rv = d.result("reservation.list", {"subnet": "10.20.0.0"})["reservations"]
    check([(r["address"], r["name"]) for r in rv] == [("10.20.0.7", "lab1")],
          "host in a group: %r" % rv)
    rel = d.result("failover.get", {"name": "dc"}, {})
    check(rel.get("server_type") == "secondary" and rel.get("primary_server") ==
          "192.0.2.1" and rel.get("secondary_server") == "192.0.2.2" and
          rel.get("safe_period") == 3600 and rel.get("scopes") == ["10.10.0.0"] and
          rel.get("port") == 647 and rel.get("load_balance_max_seconds") == 3 and
          rel.get("max_response_delay") == 60 and rel.get("max_unacked_updates") == 10,
          "failover peer -> relationship: %r" % rel)
    ls = {l["address"]: l for l in d.result("lease.list", {})["leases"]}
    l1, l2 = ls.get("10.10.0.51", {}), ls.get("10.20.0.10", {})
    check(l1.get("state") == "ACTIVE" and l1.get("hwaddr") == "02:00:00:10:00:51" and
          l1.get("client_id") == "01020000100051" and l1.get("hostname") == "pc51" and
          l1.get("starts") == 1700000000, "lease with octal uid, epoch times: %r" % l1)
    check(l2.get("state") == "ACTIVE" and l2.get("client_id") == "01020000200010",
          "lease with a colon uid: %r" % l2)
    check(sorted(ls) == ["10.10.0.51", "10.20.0.10"],
          "only leases ACTIVE and not ended, the last record winning: %s" % sorted(ls))
    check("leases: 2 imported, 1 ended, 2 not active, 1 outside the scopes, 0 refused"
          in out, "lease summary:\n%s" % out)
    # what dhcpfod cannot honour, by line
    lines = {int(x.split(":")[1]) for x in out.split() if x.startswith(CONF + ":")}
    leaselines = {int(x.split(":")[1]) for x in out.split() if x.startswith(LEASES + ":")}
    check(20 not in lines, "line 20 (load balance max seconds) is mapped, not reported")
    for n, what in ((10, "option definition"),
                    (40, "shared-network"), (48, "router by name"),
                    (50, "allow unknown-clients"), (54, "group options"),
                    (57, "fixed-address by name"), (60, "host without a MAC"),
                    (62, "class"), (64, "subnet without a range")):
        check(n in lines, "line %d (%s) is reported" % (n, what))
    check("NOT MAPPED" in out and "ignored" in out, "both kinds of note")
    check(leaselines, "the lease outside every scope is reported")
    # a second run refuses what exists and says so
    rc, out = d.run_import(CONF)
    check(rc == 1 and "FAILED: scope 10.10.0.0" in out, "a second import reports what "
          "already exists (rc %d)" % rc)
    malformed(d)


# Inputs tests/fuzz/fuzz_dhcpd_import.py found to end the importer in a
# traceback: each is now refused with its file and line (exit 2), or, the
# last, imported.
MALFORMED = [
    ("conf", "failover peer \"p\" { primary; address 10.0.0.1; peer address 10.0.0.2;"
     " mclt 1h; }\n", "mclt: not a number"),
    ("conf", "failover peer \"p\" { port 64x; }\n", "port: not a number"),
    ("conf", "failover peer \"p\" { hba zz:ff; }\n", "hba: not 32 bytes of hex"),
    ("conf", "group {" * 70 + "}" * 70 + "\n", "nested more than 64 deep"),
    ("leases", "lease 10.10.0.60 {\n ends 4 2020/13/02 11:00:00;\n}\n",
     "ends: not a lease time"),
    ("leases", "lease 10.10.0.60 { starts epoch; }\n", "starts: not a lease time"),
    ("leases", "lease 10.10.0.60 { binding state; hardware ethernet; }\n", None),
    ("conf", "subnet 10.40.0.0 netmask 255.255.255.0 { range 10.40.0.10 10.40.0.20;\n"
     " pool { range 10.40.0.10 10.40.0.20; } }\n", None),
]


def malformed(d):
    """Each input of MALFORMED refused with its file and line, or imported."""
    with tempfile.TemporaryDirectory(prefix="dhcpfod-import-bad.") as tmp:
        for i, (kind, text, err) in enumerate(MALFORMED):
            path = os.path.join(tmp, "bad%d" % i)
            with open(path, "w") as f:
                f.write(text)
            args = ("-n", "--leases", path, CONF) if kind == "leases" else ("-n", path)
            rc, out = d.run_import(*args)
            if err is None:
                check(rc == 0 and "Traceback" not in out,
                      "regression: %r imports (rc %d)\n%s" % (text[:60], rc, out[-800:]))
            else:
                check(rc == 2 and "dhcpd-import: %s:" % path in out and err in out and
                      "Traceback" not in out, "regression: %r refused with %r (rc %d)"
                      "\n%s" % (text[:60], err, rc, out[-800:]))


if __name__ == "__main__":
    sys.exit(main())
