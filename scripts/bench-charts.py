#!/usr/bin/python3
"""The pictures of the benchmarks, next to their text figures.

    /usr/bin/python3 scripts/bench-charts.py bench OUT      (scripts/bench.sh)
    /usr/bin/python3 scripts/bench-charts.py failover OUT   (scripts/bench-failover.py)

Reads OUT/results.json and the series in OUT/series/ (lps-RUN-REP.tsv: second, ACKs in
that second; rss-RUN-REP.tsv: seconds, KiB), writes into OUT:
  leases-per-second.png  ACKs per second over each round, a colour per server (bench)
                         or per setup (failover: standalone, pair)
  latency.png            p50, p90, p99 of DISCOVER->OFFER and REQUEST->ACK (ms, log
                         scale), per server or setup, from perfdhcp's per-exchange
                         timestamps
  rss.png                the resident memory of each server over each round
Debian's python3-matplotlib, hence the system interpreter (tests/chaos/chart.py is the
same). Exit status 0, 1 with a message (matplotlib missing, nothing to draw), 2 usage.
"""
import glob
import json
import os
import re
import sys

COLORS = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#718096"]
STYLES = ["-", "--", ":", "-.", (0, (5, 1)), (0, (1, 1))]
PCTS = ("p50", "p90", "p99")


def read_series(path):
    xs, ys = [], []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                xs.append(float(parts[0]))
                ys.append(float(parts[1]))
    return xs, ys


def series(out, kind):
    """{run: {rep: (xs, ys)}} of OUT/series/KIND-RUN-REP.tsv."""
    got = {}
    for path in sorted(glob.glob(os.path.join(out, "series", kind + "-*.tsv"))):
        m = re.match(kind + r"-(.+)-(\d+)\.tsv$", os.path.basename(path))
        if m:
            got.setdefault(m.group(1), {})[int(m.group(2))] = read_series(path)
    return got


def lines(ax, runs, labels, scale=1.0):
    """A line per round, a colour per run (in the order of labels), a line
    style per round."""
    order = [r for r in labels if r in runs] + sorted(r for r in runs if r not in labels)
    for i, run in enumerate(order):
        for rep, (xs, ys) in sorted(runs[run].items()):
            ax.plot(xs, [y * scale for y in ys], color=COLORS[i % len(COLORS)],
                    ls=STYLES[(rep - 1) % len(STYLES)], lw=1.2,
                    label="%s, round %d" % (labels.get(run, run), rep))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=3, loc="best")


def draw_lps(plt, out, runs, labels, title):
    fig, ax = plt.subplots(figsize=(10, 4.5))
    lines(ax, runs, labels)
    ax.set_xlabel("second of the round")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("leases (ACKs) per second")
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    path = os.path.join(out, "leases-per-second.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def draw_rss(plt, out, runs, labels, title):
    fig, ax = plt.subplots(figsize=(10, 4.5))
    lines(ax, runs, labels, 1 / 1024.0)
    ax.set_xlabel("seconds since the round's load started")
    ax.set_ylabel("resident memory (MiB)")
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    path = os.path.join(out, "rss.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def draw_latency(plt, out, panels, title):
    """panels: [(subtitle, {label: {"DO": [p50, p90, p99], "RA": [...]}})]."""
    fig, axes = plt.subplots(len(panels), 2, figsize=(10, 3.2 * len(panels)), squeeze=False)
    for row, (sub, by) in enumerate(panels):
        names = list(by)
        for col, (key, what) in enumerate((("DO", "DISCOVER -> OFFER"),
                                           ("RA", "REQUEST -> ACK"))):
            ax = axes[row][col]
            w = 0.8 / max(len(names), 1)
            for i, name in enumerate(names):
                vals = by[name].get(key) or [None] * 3
                xs = [j + i * w for j in range(len(PCTS))]
                ys = [v if isinstance(v, (int, float)) and v > 0 else 0 for v in vals]
                bars = ax.bar(xs, ys, width=w, color=COLORS[i % len(COLORS)], label=name)
                for b, v in zip(bars, ys):
                    if v:
                        ax.text(b.get_x() + b.get_width() / 2, v, "%.2g" % v, ha="center",
                                va="bottom", fontsize=6)
            ax.set_xticks([j + w * (len(names) - 1) / 2 for j in range(len(PCTS))])
            ax.set_xticklabels(PCTS)
            ax.set_yscale("log")
            ax.set_ylabel("ms")
            ax.set_title("%s, %s" % (what, sub), fontsize=9)
            ax.grid(axis="y", alpha=0.3)
            if row == 0 and col == 0:
                ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path = os.path.join(out, "latency.png")
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def bench(plt, out, doc):
    servers = doc.get("servers", {})
    labels = {s: e.get("label", s) for s, e in servers.items()}
    meds = ", ".join("%s %s/s" % (labels[s], (e.get("throughput") or {}).get("median"))
                     for s, e in servers.items() if e.get("throughput"))
    meta = doc.get("meta", {})
    paths = []
    lps = series(out, "lps")
    if lps:
        paths.append(draw_lps(plt, out, lps, labels,
                              "make bench, phase 1: leases/s over each %s s round (offered "
                              "%sx capacity)\nmedians: %s" % (meta.get("duration"),
                                                             meta.get("overload"), meds)))
    rss = series(out, "rss")
    if rss:
        paths.append(draw_rss(plt, out, rss, labels,
                              "make bench, phase 1: resident memory of each server "
                              "through each round"))
    panels = []
    for r in str(meta.get("cpu_rates") or "").split():
        by = {}
        for s, e in servers.items():
            c = (e.get("cpu") or {}).get(r) or {}
            if c.get("do_p50") is None:
                continue
            by[labels[s] + ("" if c.get("below_saturation") else " (saturated)")] = {
                k: [c.get("%s_%s" % (k.lower(), p)) for p in PCTS] for k in ("DO", "RA")}
        if by:
            panels.append(("%s/s offered" % r, by))
    if panels:
        paths.append(draw_latency(plt, out, panels, "make bench, phase 2: latency "
                                  "percentiles at a rate below saturation (perfdhcp -x t)"))
    return paths


def failover(plt, out, doc):
    t = doc.get("throughput") or {}
    labels = {"standalone": "standalone", "pair": "pair (hot standby)",
              "A": "primary A", "B": "secondary B", "A-solo": "A standalone"}
    paths = []
    lps = series(out, "lps")
    if lps:
        paths.append(draw_lps(plt, out, lps, labels,
                              "make bench-failover: leases/s over each round\n(medians: "
                              "standalone %.0f, pair %.0f)" % (t.get("standalone") or 0,
                                                               t.get("pair") or 0)))
    rss = series(out, "rss")
    if rss:
        paths.append(draw_rss(plt, out, rss, labels,
                              "make bench-failover: resident memory through each round"))
    lat = t.get("latency") or {}
    if lat:
        by = {labels.get(k, k): {key: [v.get(key, {}).get(p) for p in PCTS]
                                 for key in ("DO", "RA")} for k, v in lat.items()}
        paths.append(draw_latency(plt, out, [("medians of the rounds, offered %s/s"
                                              % doc.get("rate"), by)],
                                  "make bench-failover: latency percentiles, standalone "
                                  "against the pair (perfdhcp -x t)"))
    return paths


def main(argv):
    if len(argv) != 3 or argv[1] not in ("bench", "failover"):
        print("usage: bench-charts.py bench|failover OUT", file=sys.stderr)
        return 2
    out = argv[2]
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench-charts: python3-matplotlib missing (scripts/install-deps)",
              file=sys.stderr)
        return 1
    try:
        with open(os.path.join(out, "results.json")) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print("bench-charts: %s/results.json: %s" % (out, e), file=sys.stderr)
        return 1
    paths = (bench if argv[1] == "bench" else failover)(plt, out, doc)
    if not paths:
        print("bench-charts: nothing to draw in %s" % out, file=sys.stderr)
        return 1
    for p in paths:
        print("bench-charts: %s" % p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
