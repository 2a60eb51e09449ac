#!/usr/bin/env python3
"""Fuzz harness for scripts/dhcpd-import (the dhcpd.conf and dhcpd.leases
parsers), in-process, with the standard library only (no atheris here).

Every input, read as latin-1 text like the importer reads its files, goes
through what the importer does with a dhcpd.conf (tokenize, parse, walk,
apply with every call recorded instead of made, report) and with a
dhcpd.leases (tokenize, parse, the ACTIVE leases against a few scopes).
The importer may refuse an input only with its own ParseError (a clean
"dhcpd-import: FILE:LINE: ..." and exit 2); any other exception, or an
input that runs longer than --timeout seconds, is a crash: the input is
written to ARTIFACT_PREFIX/crash-SHA1 (or timeout-SHA1) and the run stops
with status 1, as libFuzzer does.

The loop is libFuzzer's in miniature: the seed corpora loaded (the first
directory also receives new finds), then inputs mutated from them (bytes,
tokens from a dictionary of dhcpd.conf words, numbers and addresses,
nesting, splices of two inputs), seeded (--seed). Python offers no cheap
coverage, so the feedback is what the importer did: each note it wrote,
each call it would make, each statement keyword at its depth, each
refusal; an input that does something new joins the corpus. --merge
instead copies into the first directory (the repository's corpus,
tests/fuzz/corpus/fuzz_dhcpd_import) the inputs of the others that reach
importer lines it does not (line coverage through sys.settrace).

    fuzz_dhcpd_import.py [--runs N] [--seconds S] [--seed N] [--max-len N]
        [--timeout S] [--artifact-prefix P] OUT_CORPUS [SEED_CORPUS...]
    fuzz_dhcpd_import.py --merge OUT_CORPUS CANDIDATE_DIR...
    fuzz_dhcpd_import.py FILE...      (run these inputs once each)

It ends with libFuzzer's stat lines (stat::number_of_executed_units).
"""
import argparse
import hashlib
import importlib.machinery
import importlib.util
import os
import random
import re
import signal
import sys
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
IMPORTER = os.path.join(HERE, "..", "..", "scripts", "dhcpd-import")


def load_importer():
    loader = importlib.machinery.SourceFileLoader("dhcpd_import", IMPORTER)
    spec = importlib.util.spec_from_loader("dhcpd_import", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


imp = load_importer()


class Hang(BaseException):
    """An input ran past --timeout (BaseException: no except clause of the
    importer catches it)."""


class Recorder(imp.Importer):
    """The importer with its calls recorded instead of made."""

    def __init__(self, args):
        super().__init__(args)
        self.calls = []

    def call(self, method, params, what):
        self.calls.append((method, tuple(sorted(params))))
        return {}


SCOPES = None      # the scopes a lease file is read against (lease_scopes)


def lease_scopes():
    """Scopes as apply() leaves them in Importer.done."""
    out = {}
    for net, mask in (("10.10.0.0", "255.255.255.0"), ("10.0.0.0", "255.0.0.0"),
                      ("192.0.2.0", "255.255.255.0")):
        out[net] = {"subnet": net, "net": imp.ip(net), "mask": imp.ip(mask)}
    return out


def run(text, args):
    """The input as dhcpd.conf (what main() does with it) and as
    dhcpd.leases (what --leases does once the scopes exist), tokenized and
    parsed once: ((Importer, statements, refusal), (Importer, refusal));
    statements None and refusal None where there is none."""
    conf, leases = Recorder(args), Recorder(args)
    leases.done = dict(SCOPES)
    stmts = err = lerr = None
    try:
        stmts = imp.parse(imp.tokenize(text), "fuzz.conf")
    except imp.ParseError as e:
        err = lerr = str(e)
    if stmts is not None:
        try:
            conf.walk(stmts, {"options": {}})
            conf.apply()
            conf.report()
        except imp.ParseError as e:
            err = str(e)
        try:
            leases.lease_file(stmts)
            leases.report()
        except imp.ParseError as e:
            lerr = str(e)
    return (conf, stmts, err), (leases, lerr)


class Sink:
    """stdout while the importer prints its report and dry-run lines."""

    def write(self, s):
        return len(s)

    def flush(self):
        pass


BLOCKS = {"", "subnet", "pool", "pool4", "failover", "host", "group",
          "shared-network", "class", "lease"}


def stmt_features(stmts, feats, parent="", depth=0):
    """Each statement keyword at its depth, and inside which kind of block."""
    for st in stmts:
        kw = st.kw()
        kw = kw if kw in DICT_SET else "?"
        feats.add(("kw", min(depth, 3), kw, st.block is not None))
        if parent in BLOCKS:
            feats.add(("in", parent, kw))
        if st.block is not None and depth < 8:
            stmt_features(st.block, feats, kw, depth + 1)


def shape(text, n=32):
    """A message or note reduced to its kind: numbers, quoted and named
    values out, so that each kind of finding counts once."""
    return re.sub(r"\d+|'[^']*'|\([^)]*\)", "N", text.split(": ", 1)[0])[:n]


def features(conf, leases):
    """What the importer did with one input, as a set of small tuples."""
    feats = set()
    r, stmts, err = conf
    if err is not None:
        feats.add(("conf-err", shape(err.split(":", 2)[-1].strip())))
    for kind, _, _, why in r.notes:
        feats.add(("note", kind, shape(why)))
    for c in r.calls:
        feats.add(("call", c))
    feats.add(("n", min(len(r.scopes), 3), min(len(r.hosts), 3),
               min(len(r.peers), 3)))
    if stmts:
        stmt_features(stmts, feats)
    lr, lerr = leases
    if lerr is not None:
        feats.add(("lease-err", shape(lerr.split(":", 2)[-1].strip())))
    for kind, _, _, why in lr.notes:
        feats.add(("lnote", kind, shape(why)))
    for c in lr.calls:
        feats.add(("lcall", c))
    return feats


def execute(data, args):
    """One input through both parsers; raises anything but ParseError."""
    text = data.decode("latin-1")
    out = sys.stdout
    sys.stdout = Sink()
    signal.setitimer(signal.ITIMER_REAL, args.timeout)
    try:
        return run(text, args.imp)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.stdout = out


def on_alarm(signum, frame):
    raise Hang()


interrupted = False


def on_interrupt(signum, frame):
    """SIGINT, SIGTERM: stop after this input, with the stats (libFuzzer's
    "run interrupted")."""
    global interrupted
    interrupted = True


# ---- mutations ----

DICT_WORDS = sorted(set(
    list(imp.OPTIONS) + list(imp.IGNORED) + """
    subnet netmask range pool pool4 failover peer primary secondary address
    port mclt split hba load balance max seconds auto-partner-down host
    hardware ethernet token-ring fixed-address group shared-network class
    subclass include option code default-lease-time max-lease-time
    min-lease-time deny allow dynamic bootp clients dynamic-bootp unknown-clients
    known-clients members of lease starts ends cltt tstp tsfp atsfp binding
    state next active free expired released abandoned backup uid
    client-hostname never epoch subnet6 host6 range6 dhcpv6-lease-file-name
    max-response-delay max-unacked-updates max-lease-misbalance
    max-lease-ownership min-balance max-balance match if substring
    vendor-class-identifier dhcp-client-identifier server-duid
    authoring-byte-order little-endian normal recover partner-down
    communications-interrupted my partner at on off true false
    """.split()))

DICT_SET = frozenset(DICT_WORDS)

TOKENS = DICT_WORDS + [
    "0", "1", "-1", "647", "3600", "128", "255", "256", "65536", "4294967295",
    "4294967296", "0x10", "010", "1e9", "99999999999999999999999", "+5", "--1",
    "10.10.0.1", "10.10.0.0", "255.255.255.0", "255.255.255.255", "0.0.0.0",
    "10.0.0.0", "255.0.0.0", "192.0.2.1", "256.1.1.1", "1.2.3", "10.10.0.99",
    "::1", "02:00:00:00:00:01", "ff:ff:ff:ff:ff:ff", "ff:00", "zz:zz", ":",
    "00:" * 31 + "00", "ff:" * 31 + "ff", "ff:" * 16 + "ff",
    "4 2020/01/02 10:00:00", "1 2099/13/45 99:99:99", "2020/01/02", "10:00:00",
    '"', '"x"', '"\\', '"\\777"', '"\\0"', "\\", "{", "}", ";", ",", "#", "\n",
    "{ }", "{ ; }", " ", "\t", "\r", "\x00", "\xff", "=", "(", ")",
]


def rand_token(rng):
    return rng.choice(TOKENS)


def rand_number(rng):
    return rng.choice([str(rng.randint(-5, 300)), str(rng.getrandbits(33)),
                       str(rng.getrandbits(rng.randint(1, 200))), "0x%x" %
                       rng.getrandbits(16), "-" + str(rng.getrandbits(40))])


WORD_RE = re.compile(rb'[^\s{};,"#]+')


def mutate(data, corpus, rng, max_len):
    """One to four of the mutations below, libFuzzer style."""
    for _ in range(rng.choice((1, 1, 2, 3, 4))):
        data = MUTATORS[rng.randrange(len(MUTATORS))](data, corpus, rng)
    return data[:max_len]


def m_flip(d, c, rng):
    if not d:
        return bytes([rng.randrange(256)])
    i = rng.randrange(len(d))
    return d[:i] + bytes([d[i] ^ (1 << rng.randrange(8))]) + d[i + 1:]


def m_byte(d, c, rng):
    i = rng.randrange(len(d) + 1)
    b = bytes([rng.choice(b'{};,"#\\\n 0123456789.:-' + bytes([rng.randrange(256)]))])
    if d and rng.random() < 0.5:
        return d[:i] + b + d[i + 1:]
    return d[:i] + b + d[i:]


def m_erase(d, c, rng):
    if not d:
        return d
    i = rng.randrange(len(d))
    return d[:i] + d[i + rng.randint(1, min(64, len(d) - i)):]


def m_dup(d, c, rng):
    if not d:
        return d
    i = rng.randrange(len(d))
    j = min(len(d), i + rng.randint(1, 128))
    k = rng.randrange(len(d) + 1)
    return d[:k] + d[i:j] * rng.randint(1, 3) + d[k:]


def m_insert_token(d, c, rng):
    i = rng.randrange(len(d) + 1)
    t = (rand_number(rng) if rng.random() < 0.2 else rand_token(rng)).encode("latin-1")
    return d[:i] + b" " + t + b" " + d[i:]


def words(d):
    return [m.span() for m in WORD_RE.finditer(d)]


def m_replace_word(d, c, rng):
    w = words(d)
    if not w:
        return m_insert_token(d, c, rng)
    a, b = rng.choice(w)
    t = rand_number(rng) if rng.random() < 0.3 else rand_token(rng)
    return d[:a] + t.encode("latin-1") + d[b:]


def m_drop_word(d, c, rng):
    w = words(d)
    if not w:
        return d
    a, b = rng.choice(w)
    return d[:a] + d[b:]


def m_swap_lines(d, c, rng):
    lines = d.split(b"\n")
    if len(lines) < 2:
        return d
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def m_splice(d, c, rng):
    o = rng.choice(c)
    i, j = rng.randrange(len(d) + 1), rng.randrange(len(o) + 1)
    if rng.random() < 0.5:
        return d[:i] + o[j:]
    k = min(len(o), j + rng.randint(1, 400))
    return d[:i] + o[j:k] + d[i:]


def m_nest(d, c, rng):
    n = rng.choice((2, 10, 100, 1000, 5000))
    i = rng.randrange(len(d) + 1)
    kind = rng.choice((b"{", b"group {", b"subnet 10.0.0.0 netmask 255.0.0.0 {",
                       b"shared-network x {"))
    close = b"}" * (n if rng.random() < 0.7 else rng.randrange(n + 1))
    return d[:i] + kind * n + close + d[i:]


def m_line_from(d, c, rng):
    o = rng.choice(c).split(b"\n")
    lines = d.split(b"\n")
    lines.insert(rng.randrange(len(lines) + 1), rng.choice(o))
    return b"\n".join(lines)


MUTATORS = [m_flip, m_byte, m_erase, m_dup, m_insert_token, m_insert_token,
            m_replace_word, m_replace_word, m_drop_word, m_swap_lines, m_splice,
            m_nest, m_line_from, m_line_from]


# ---- the loop ----

def sha1(data):
    return hashlib.sha1(data).hexdigest()


def load_dirs(dirs):
    out = []
    for d in dirs:
        if not os.path.isdir(d):
            continue
        for n in sorted(os.listdir(d)):
            p = os.path.join(d, n)
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    out.append(f.read())
    return out


def crash(data, args, kind, exc):
    path = "%s%s-%s" % (args.artifact_prefix, kind, sha1(data))
    with open(path, "wb") as f:
        f.write(data)
    import traceback
    sys.stdout.flush()
    print("==%d== ERROR: dhcpd-import fuzz: %s" % (os.getpid(), kind), file=sys.stderr)
    traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    print("artifact_prefix='%s'; Test unit written to %s" % (args.artifact_prefix, path),
          file=sys.stderr)


def run_one(data, args):
    """Features of one input, or None after reporting its crash."""
    try:
        return features(*execute(data, args))
    except Hang as e:
        crash(data, args, "timeout", e)
    except RecursionError as e:
        crash(data, args, "crash", e)
    except Exception as e:  # noqa: B902 (any other exception is the finding)
        crash(data, args, "crash", e)
    return None


def stats(args, execs, t0, added, corpus):
    el = max(time.time() - t0, 1e-9)
    print("Done %d runs in %d second(s)" % (execs, int(el)))
    print("stat::number_of_executed_units: %d" % execs)
    print("stat::average_exec_per_sec:     %d" % int(execs / el))
    print("stat::new_units_added:          %d" % added)
    print("stat::corpus_size:              %d" % len(corpus))
    print("stat::seed:                     %d" % args.seed)
    sys.stdout.flush()


def fuzz(args):
    out_dir, dirs = args.dirs[0], args.dirs
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(args.seed)
    corpus = [d[:args.max_len] for d in load_dirs(dirs)] or [b""]
    seen = set()
    t0 = time.time()
    execs = added = 0
    print("INFO: Seed: %d" % args.seed)
    print("INFO: %d inputs loaded from %s" % (len(corpus), " ".join(dirs)))
    for d in list(corpus):
        f = run_one(d, args)
        execs += 1
        if f is None:
            return 1
        seen |= f
    print("#%d\tINITED cov: %d corp: %d" % (execs, len(seen), len(corpus)))
    last = t0
    while not interrupted:
        if args.runs is not None and execs >= args.runs:
            break
        if args.seconds is not None and time.time() - t0 >= args.seconds:
            break
        data = mutate(rng.choice(corpus), corpus, rng, args.max_len)
        f = run_one(data, args)
        execs += 1
        if f is None:
            stats(args, execs, t0, added, corpus)
            return 1
        if not f <= seen:
            seen |= f
            corpus.append(data)
            added += 1
            with open(os.path.join(out_dir, sha1(data)), "wb") as fh:
                fh.write(data)
        if execs & 0x3fff == 0 and time.time() - last >= 30:
            last = time.time()
            print("#%d\tpulse cov: %d corp: %d exec/s: %d" % (
                execs, len(seen), len(corpus), int(execs / (last - t0))))
            sys.stdout.flush()
    stats(args, execs, t0, added, corpus)
    return 130 if interrupted else 0


def line_cover(data, args):
    """The importer's lines this input runs (for --merge)."""
    lines = set()
    code_file = imp.__file__

    def tracer(frame, event, arg):
        if frame.f_code.co_filename != code_file:
            return None
        if event == "line":
            lines.add(frame.f_lineno)
        return tracer

    sys.settrace(tracer)
    try:
        run_one(data, args)
    finally:
        sys.settrace(None)
    return lines


def merge(args):
    """libFuzzer's -merge=1 for the importer: what the first directory holds
    stays; each input of the others (shortest first) that reaches importer
    lines nothing before it reached (line coverage) is copied into it."""
    out_dir = args.dirs[0]
    os.makedirs(out_dir, exist_ok=True)
    covered = set()
    for d in load_dirs([out_dir]):
        covered |= line_cover(d, args)
    have = len(covered)
    cands = sorted(set(d[:args.max_len] for d in load_dirs(args.dirs[1:])),
                   key=lambda d: (len(d), d))
    added = 0
    for d in cands:
        lines = line_cover(d, args)
        if not lines <= covered:
            covered |= lines
            added += 1
            with open(os.path.join(out_dir, sha1(d)), "wb") as fh:
                fh.write(d)
    print("MERGE-OUTER: %d new inputs of %d added; importer lines %d -> %d" % (
        added, len(cands), have, len(covered)))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="+", help="corpus directories (or input files)")
    ap.add_argument("--runs", type=int, help="executions (the initial corpus counts)")
    ap.add_argument("--seconds", type=float, help="seconds (20 if neither bound is "
                    "given; with both, whichever comes first)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--max-len", type=int, default=4096)
    ap.add_argument("--timeout", type=float, default=5.0,
                    help="seconds one input may take")
    ap.add_argument("--artifact-prefix", default="./")
    ap.add_argument("--merge", action="store_true")
    args = ap.parse_args()
    if args.seed is None:
        args.seed = int.from_bytes(os.urandom(4), "little")
    args.imp = types.SimpleNamespace(dry_run=True, no_failover=False, socket=None,
                                     ctl="dhcpfoctl")
    if args.runs is None and args.seconds is None:
        args.seconds = 20.0
    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGINT, on_interrupt)
    signal.signal(signal.SIGTERM, on_interrupt)
    global SCOPES
    SCOPES = lease_scopes()
    if args.merge:
        return merge(args)
    if all(os.path.isfile(p) for p in args.dirs):
        for p in args.dirs:
            with open(p, "rb") as f:
                if run_one(f.read(), args) is None:
                    return 1
            print("Executed %s" % p)
        return 0
    return fuzz(args)


if __name__ == "__main__":
    sys.exit(main())
