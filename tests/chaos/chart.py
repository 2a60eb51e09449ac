#!/usr/bin/python3
"""The picture of a chaos run: availability through the faults, and the pool.

    /usr/bin/python3 tests/chaos/chart.py OUT_DIR

Reads OUT_DIR/clients.jsonl (the clients' own log) and OUT_DIR/summary.json
(the cycles and violations chaos.py wrote), writes OUT_DIR/availability.png:
above, the share of DORAs answered per 10 s (failures while the pool was
exhausted apart, in grey), each fault shaded from its start until both servers
were NORMAL again, a violation as a red line; below, how many addresses the
clients held against the pool's size. Debian's python3-matplotlib, hence the
system interpreter. Exit status 0, or 1 with a message (matplotlib missing).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checker                                      # noqa: E402

BIN = 10.0
COLORS = {"kill": "#f4a582", "stop": "#fddbc7", "partition": "#92c5de",
          "partition-kill": "#4393c3", "partner-down": "#d6604d",
          "rebalance": "#a6dba0", "resync-kill": "#c2a5cf", "clock": "#fee08b"}


def bins(events, ivs, naddr, t0):
    """Per BIN seconds from t0: [answered, failed, exhausted] DORAs."""
    out = {}
    declined = 0
    for e in events:
        if e.get("ev") == "drop" and e.get("why") == "decline":
            declined += 1
        if e.get("ev") != "dora":
            continue
        b = out.setdefault(int((e["t"] - t0) // BIN), [0, 0, 0])
        if e["ok"]:
            b[0] += 1
        elif len(checker.holders_at(ivs, e["t"])) >= (naddr - declined) * 9 // 10:
            b[2] += 1
        else:
            b[1] += 1
    return out


def held_series(ivs, t0, t1, step=2.0):
    """(seconds from t0, addresses held) every step seconds."""
    xs, ys, t = [], [], t0
    while t <= t1:
        xs.append(t - t0)
        ys.append(len(checker.holders_at(ivs, t)))
        t += step
    return xs, ys


def draw(out, events, doc, naddr):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ts = [e["t"] for e in events if "t" in e]
    t0, t1 = min(ts), max(ts)
    ivs = checker.intervals(events)
    per = bins(events, ivs, naddr, t0)
    fig, (top, low) = plt.subplots(2, 1, figsize=(12, 6), sharex=True,
                                   gridspec_kw={"height_ratios": [2, 1]})
    seen = set()
    for c in doc["cycles"]:
        kind = c["fault"]
        for ax in (top, low):
            ax.axvspan(c["t_fault"] - t0, c["t_normal"] - t0, color=COLORS.get(kind, "#ddd"),
                       alpha=0.6, lw=0, label=None if kind in seen or ax is low else kind)
        seen.add(kind)
    xs = [k * BIN + BIN / 2 for k in sorted(per)]
    ok = [per[k][0] for k in sorted(per)]
    tried = [per[k][0] + per[k][1] for k in sorted(per)]
    top.plot(xs, [100.0 * a / b if b else None for a, b in zip(ok, tried)], "k.-", lw=1,
             ms=3, label="DORAs answered (%)")
    top.bar(xs, [per[k][2] for k in sorted(per)], width=BIN * 0.8, color="#999",
            label="failed, pool exhausted (count)")
    cyc = {c["cycle"] + 1: c for c in doc["cycles"]}
    for v in doc.get("violations", []):
        c = cyc.get(v["cycle"]) if isinstance(v["cycle"], int) else None
        x = (c["t_fault"] if c else t1) - t0
        top.axvline(x, color="red", lw=2)
        top.text(x, 102, v["what"], color="red", fontsize=8, rotation=90, va="bottom")
    top.set_ylim(0, 110)
    top.set_ylabel("DORAs, per %d s" % BIN)
    s = doc["summary"]
    top.set_title("chaos seed %s: %s cycles, %s ACKs, %s double allocations, %s lost, "
                  "availability %s %% (%s %% between faults)" % (
                      s["seed"], s["cycles"], s["acks"], s["duplicates"], s["lost"],
                      s["availability"], s["availability_between_faults"]), fontsize=10)
    top.legend(loc="lower left", fontsize=7, ncol=5)
    hx, hy = held_series(ivs, t0, t1)
    low.plot(hx, hy, color="#2166ac", lw=1)
    low.axhline(naddr, color="k", ls="--", lw=0.8)
    low.set_ylabel("addresses held")
    low.set_xlabel("seconds since the clients started")
    low.set_ylim(0, naddr * 1.15)
    fig.tight_layout()
    path = os.path.join(out, "availability.png")
    fig.savefig(path, dpi=90)
    return path


def main(argv):
    if len(argv) != 2:
        print("usage: chart.py OUT_DIR", file=sys.stderr)
        return 2
    out = argv[1]
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("chart: python3-matplotlib missing (scripts/install-deps)", file=sys.stderr)
        return 1
    with open(os.path.join(out, "summary.json")) as f:
        doc = json.load(f)
    events = checker.read_events(os.path.join(out, "clients.jsonl"))
    if not events or not doc.get("cycles"):
        print("chart: nothing to draw in %s" % out, file=sys.stderr)
        return 1
    naddr = doc["summary"].get("addresses") or 60
    print("chart: %s" % draw(out, events, doc, naddr))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
