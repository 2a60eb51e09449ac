#!/bin/bash
# The metrics end to end (issue 6). First metrics_test.py on loopback (any
# user): server.metrics, `dhcpfoctl metrics` and the metrics-listen HTTP
# listener, every text through a strict format checker and promtool. Then, as
# root, in network namespaces this script creates: a real client (busybox
# udhcpc) obtains a lease and the metrics show it (an ACTIVE lease, the
# packets, a group commit timed by the histogram), fetched with dhcpfoctl and
# over HTTP from the server namespace's own loopback.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
export BUILD
MT=tests/integration/metrics_test.py

python3 "$MT" || exit 1

if [ "$(id -u)" != 0 ]; then
	echo "SKIP (part): the DHCP part needs root for network namespaces"
	exit 0
fi
if ! command -v busybox >/dev/null 2>&1; then
	echo "SKIP (part): busybox is missing (scripts/install-deps installs it)"
	exit 0
fi

. scripts/netns-lab.sh

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if eval "$1"; then ok; else bad "$2"; fi; }
ctl() { "$BUILD/dhcpfoctl" -s "$LAB_SOCK" "$@"; }
# the value of one series line (exact name and labels) in a text file
val() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

finish() {
	if [ "$fail" -gt 0 ] && [ -f "$LAB_DIR/dhcpfod.log" ]; then
		echo "---- dhcpfod log (tail) ----"
		tail -n 40 "$LAB_DIR/dhcpfod.log"
	fi
	echo "metrics-netns: $pass passed, $fail failed"
}

LAB_TAG=dfm
lab_require
lab_init
lab_install_trap
trap 'rc=$?; finish; (exit $rc); _lab_on_exit' EXIT
lab_up

lab_dhcpfod_conf "$LAB_DIR/dhcpfod.conf" 67 debug
# the listener on the server namespace's own loopback
sed -i 's/^dhcp-port = 67$/dhcp-port = 67\nmetrics-listen = 127.0.0.1:9967/' "$LAB_DIR/dhcpfod.conf"
lab_run_server "$LAB_SRV_NS" "$LAB_DIR/dhcpfod.log" "$BUILD/dhcpfod" -c "$LAB_DIR/dhcpfod.conf"
DPID=$LAB_LAST_PID
lab_wait_socket "$LAB_SOCK" 10 "$DPID" || exit 1

ctl scope create 10.77.0.0/24 --range 10.77.0.100 10.77.0.109 --name lab \
	--option routers=10.77.0.1 --lease-time 600 >/dev/null
check '[ $? = 0 ]' "scope create"
out=$(lab_lease_udhcpc "$LAB_CLI_NS" "$LAB_CIF" 3)
check 'echo "$out" | grep -q "ip=10.77.0.10[0-9] "' "udhcpc lease: $out"

ctl metrics >"$LAB_DIR/ctl.txt"
check '[ $? = 0 ]' "dhcpfoctl metrics"
python3 "$MT" check "$LAB_DIR/ctl.txt"
check '[ $? = 0 ]' "dhcpfoctl metrics text checks"
ip netns exec "$LAB_SRV_NS" python3 "$MT" get http://127.0.0.1:9967/metrics "$LAB_DIR/http.txt"
check '[ $? = 0 ]' "GET /metrics inside the server namespace"
python3 "$MT" check "$LAB_DIR/http.txt"
check '[ $? = 0 ]' "GET /metrics text checks"

for f in ctl http; do
	t=$LAB_DIR/$f.txt
	a=$(val "$t" 'dhcpfod_scope_leases{scope="10.77.0.0",state="ACTIVE"}')
	check '[ "$a" = 1 ]' "$f: one ACTIVE lease: '$a'"
	a=$(val "$t" 'dhcpfod_scope_leases{scope="10.77.0.0",state="FREE"}')
	check '[ "$a" = 9 ]' "$f: nine FREE: '$a'"
	a=$(val "$t" 'dhcpfod_scope_in_use_addresses{scope="10.77.0.0"}')
	check '[ "$a" = 1 ]' "$f: one in use: '$a'"
	a=$(val "$t" 'dhcpfod_packets_received_total{type="DHCPDISCOVER"}')
	check '[ "${a:-0}" -ge 1 ]' "$f: DISCOVER counted: '$a'"
	a=$(val "$t" 'dhcpfod_packets_sent_total{type="DHCPACK"}')
	check '[ "${a:-0}" -ge 1 ]' "$f: ACK counted: '$a'"
	a=$(val "$t" 'dhcpfod_leases_granted_total')
	check '[ "${a:-0}" -ge 1 ]' "$f: lease granted: '$a'"
	b=$(val "$t" 'dhcpfod_commit_batches_total')
	c=$(val "$t" 'dhcpfod_commit_durable_seconds_count')
	inf=$(val "$t" 'dhcpfod_commit_durable_seconds_bucket{le="+Inf"}')
	check '[ "${c:-0}" -ge 1 ] && [ "$c" -le "${b:-0}" ] && [ "$inf" = "$c" ]' \
		"$f: group commits timed: count '$c' of '$b' batches, +Inf '$inf'"
done

lab_stop "$DPID"
check '[ $? = 0 ]' "dhcpfod exits 0 on SIGTERM"
[ "$fail" -eq 0 ]
