#!/bin/sh
# Deliberately broken servers the chaos suite must catch (docs/CHAOS.md).
# Each mutant is the current tree with one safety rule taken out, built in a
# temporary copy and run through chaos.py; the run must report a violation.
#   tests/chaos/mutants.sh [NAME...]      (root; CYCLES, SEED per mutant below)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/dhcpfod-mutants.XXXXXX)
[ -n "${MUTANTS_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT INT TERM

# name @ file @ text @ replaced by @ faults @ cycles @ seed
MUTANTS='no-mclt-cap@src/dhcp/dhcp_srv.c@if ((int64_t)lt > known)@if (0 && (int64_t)lt > known)@partner-down@8@5
comm-int-takeover@src/failover/fo_fsm.c@return state == FO_PARTNER_DOWN && now >= stos + (int64_t)mclt;@return (state == FO_PARTNER_DOWN || state == FO_COMMUNICATION_INT) && now >= stos + (int64_t)mclt;@partition@8@4
takeover-at-once@src/failover/fo_fsm.c@now >= stos + (int64_t)mclt;@now >= stos;@partner-down@6@6'

echo "$MUTANTS" | while IFS='@' read -r name file from to faults cycles seed; do
	if [ $# -gt 0 ] && ! echo " $* " | grep -q " $name "; then
		continue
	fi
	dir="$work/$name"
	mkdir -p "$dir"
	(cd "$root" && tar cf - Makefile src include scripts tests/chaos) | (cd "$dir" && tar xf -)
	FROM="$from" TO="$to" python3 - "$dir/$file" <<'EOF'
import os, sys
p = sys.argv[1]
s = open(p).read()
if s.count(os.environ["FROM"]) != 1:
    sys.exit("mutant: the line to break is not (exactly once) in " + p)
open(p, "w").write(s.replace(os.environ["FROM"], os.environ["TO"]))
EOF
	make -s -C "$dir" -j2 BUILD="$dir/build" >"$dir/build.log" 2>&1 ||
		{ echo "mutant $name: build failed"; tail -20 "$dir/build.log"; exit 1; }
	echo "== mutant $name: $file, faults $faults, $cycles cycles, seed $seed"
	if python3 "$dir/tests/chaos/chaos.py" --build "$dir/build" --faults "$faults" \
		--cycles "$cycles" --seed "$seed" --out "$dir/out" >"$dir/chaos.log" 2>&1; then
		echo "mutant $name: NOT caught"
		tail -3 "$dir/chaos.log"
		exit 1
	fi
	grep -q "VIOLATION" "$dir/chaos.log" ||
		{ echo "mutant $name: chaos failed without a violation"; tail -20 "$dir/chaos.log"; exit 1; }
	echo "mutant $name: caught"
	grep "VIOLATION" "$dir/chaos.log" | head -3 | cut -c1-400
	grep "summary:" "$dir/chaos.log"
done
