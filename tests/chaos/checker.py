"""What the chaos suite checks, from the clients' own log and the servers' tables.

Pure functions, no I/O but reading the clients' log: the driver (chaos.py) calls
them during the run and at the end; `python3 checker.py` runs their self-test.

A client holds an address from the DHCPACK it received until the lease it was
given runs out (counted from when it sent the request, RFC 2131 §4.4.1), or
until it stops using it (release, decline, DHCPNAK, a failed INIT-REBOOT, a move
to another address), whichever comes first. A client that vanishes keeps its
address until the lease runs out. Two different clients holding one address at
one moment is a double allocation.
"""
import json

FREEISH = ("FREE", "BACKUP", "OFFERED", "ABANDONED")


def read_events(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass            # a line cut short by a kill at the very end
    return out


def intervals(events):
    """ip -> [(mac, start, end)], every time a client held ip."""
    held = {}       # mac -> [ip, start, end]
    out = {}

    def close(mac, t):
        ip, start, end = held.pop(mac)
        out.setdefault(ip, []).append((mac, start, min(end, t)))

    for e in events:
        ev, mac, t = e.get("ev"), e.get("mac"), e.get("t", 0)
        if ev == "ack":
            end = e["sent"] + e["lease"]
            cur = held.get(mac)
            if cur and cur[0] == e["ip"] and cur[2] > t:
                cur[2] = end            # renewed: the client now counts from this ACK
                continue
            if cur:
                close(mac, t)
            held[mac] = [e["ip"], t, end]
        elif ev == "drop" and mac in held:
            close(mac, t)
    for mac in list(held):
        close(mac, float("inf"))
    return out


def duplicates(ivs, tolerance=0.0):
    """Overlaps of two different clients on one address, longer than tolerance
    (a server clock stepped ahead by s seconds may free an address s early)."""
    found = []
    for ip, lst in ivs.items():
        lst = sorted(lst, key=lambda x: x[1])
        for i, (m1, s1, e1) in enumerate(lst):
            for m2, s2, e2 in lst[i + 1:]:
                if s2 >= e1:
                    break
                if m1 != m2 and min(e1, e2) - s2 > tolerance:
                    found.append({"ip": ip, "first": m1, "held": [s1, e1],
                                  "second": m2, "from": s2,
                                  "overlap": round(min(e1, e2) - s2, 3)})
    return found


def holders_at(ivs, t):
    """ip -> mac of every address some client holds at time t."""
    out = {}
    for ip, lst in ivs.items():
        for mac, s, e in lst:
            if s <= t < e:
                out[ip] = mac
    return out


def availability(events, ivs, naddr, exclude=()):
    """DORAs answered; a failure while clients held at least 90 % of the
    addresses not declined (a declined address stays ABANDONED for a day)
    counts as pool exhaustion, apart. exclude: (from, to) spans left out (a
    DORA takes up to 7 s, so one that ended within 7 s of a span counts in it)."""
    ok = fail = exhausted = declined = 0
    for e in events:
        if e.get("ev") == "drop" and e.get("why") == "decline":
            declined += 1
        if e.get("ev") != "dora":
            continue
        if any(a <= e["t"] <= b + 7 for a, b in exclude):
            continue
        if e["ok"]:
            ok += 1
        elif len(holders_at(ivs, e["t"])) >= (naddr - declined) * 9 // 10:
            exhausted += 1
        else:
            fail += 1
    tried = ok + fail
    return {"dora_ok": ok, "dora_failed": fail, "dora_exhausted": exhausted,
            "declined": declined,
            "availability": round(100.0 * ok / tried, 1) if tried else None}


def norm(lease, now, ends=True):
    """What both servers must agree on for one address. An ACTIVE lease past
    its end is EXPIRED whether or not the server's expiry has run yet."""
    if lease is None or lease["state"] in FREEISH:
        return None
    if lease["state"] == "ACTIVE":
        if lease.get("ends") and lease["ends"] < now:
            return ("EXPIRED",)
        return ("ACTIVE", lease["hwaddr"]) + ((lease.get("ends"),) if ends else ())
    return (lease["state"],)


def table_diffs(la, lb, now, ends=True):
    """Addresses whose bindings differ between the two servers (ends=False:
    lease ends not compared, for ISC dhcpd, which keeps its own)."""
    out = []
    for ip in sorted(set(la) | set(lb)):
        a, b = norm(la.get(ip), now, ends), norm(lb.get(ip), now, ends)
        if a != b:
            out.append({"ip": ip, "A": a, "B": b})
    return out


def lost(la, lb, holders):
    """Clients' addresses not ACTIVE for them on both servers."""
    out = []
    for ip, mac in sorted(holders.items()):
        for name, t in (("A", la), ("B", lb)):
            l = t.get(ip)
            if not l or l["state"] != "ACTIVE" or l["hwaddr"] != mac:
                out.append({"ip": ip, "client": mac, "server": name,
                            "has": (l["state"], l["hwaddr"]) if l else None})
    return out


def out_of_pool(table):
    """RELEASED/EXPIRED addresses and since when (their later of ends, CLTT)."""
    return {ip: max(l.get("ends") or 0, l.get("cltt") or 0)
            for ip, l in table.items() if l["state"] in ("RELEASED", "EXPIRED")}


def _selftest():
    ev = [{"ev": "ack", "mac": "m1", "ip": "x", "sent": 0, "lease": 10, "t": 0.1},
          {"ev": "ack", "mac": "m1", "ip": "x", "sent": 5, "lease": 10, "t": 5.1},
          {"ev": "ack", "mac": "m2", "ip": "x", "sent": 14, "lease": 10, "t": 14.5},
          {"ev": "ack", "mac": "m3", "ip": "y", "sent": 0, "lease": 10, "t": 0.2},
          {"ev": "drop", "mac": "m3", "ip": "y", "why": "release", "t": 3},
          {"ev": "ack", "mac": "m4", "ip": "y", "sent": 3.5, "lease": 10, "t": 3.6}]
    ivs = intervals(ev)
    d = duplicates(ivs)
    assert len(d) == 1 and d[0]["ip"] == "x" and abs(d[0]["overlap"] - 0.5) < 1e-6, d
    assert duplicates(ivs, tolerance=1.0) == []
    assert holders_at(ivs, 4) == {"x": "m1", "y": "m4"}
    la = {"x": {"state": "ACTIVE", "hwaddr": "m1", "ends": 15}}
    lb = {"x": {"state": "RELEASED", "hwaddr": "m1", "ends": 15}}
    assert table_diffs(la, lb, 10) == [{"ip": "x", "A": ("ACTIVE", "m1", 15),
                                        "B": ("RELEASED",)}]
    assert table_diffs(la, {"x": dict(la["x"], ends=16)}, 10, ends=False) == []
    assert table_diffs(la, {"x": dict(la["x"], state="EXPIRED")}, 16) == []
    assert lost(la, lb, {"x": "m1"}) == [{"ip": "x", "client": "m1", "server": "B",
                                          "has": ("RELEASED", "m1")}]
    print("checker self-test passed")


if __name__ == "__main__":
    _selftest()
