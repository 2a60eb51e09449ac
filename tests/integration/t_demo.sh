#!/bin/bash
# `make demo` (docs/README): both chapters run, the standalone server and the
# failover pair, and the last step of each is its "demo: ok:" line. Needs root.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the demo needs root for network namespaces"
	exit 77
fi
out=$(mktemp /tmp/dhcpfod-t-demo.XXXXXX)
trap 'rm -f "$out"' EXIT
pass=0 fail=0
for d in scripts/demo.sh scripts/demo-failover.py; do
	BUILD=$BUILD DEMO_CAPTURE=0 timeout 120 "./$d" >"$out" 2>&1
	rc=$?
	last=$(grep '^==> ' "$out" | tail -n 1)	# its last step
	if [ $rc -eq 0 ] && [[ $last == "==> demo: ok:"* ]]; then
		pass=$((pass + 1)); echo "ok: $d: ${last#==> }"
	else
		fail=$((fail + 1)); echo "FAIL: $d exited $rc, last line: $last"; tail -n 30 "$out"
	fi
done
echo "demo: $pass passed, $fail failed"
[ $fail -eq 0 ]
