#!/usr/bin/env bash
# demo.sh (`make demo`): dhcpfod serving a real DHCP client in a private lab.
#
# Builds a lab of two network namespaces joined by a veth pair (scripts/netns-lab.sh):
# the server side 10.77.0.1/24, the client side unnumbered. Starts build/dhcpfod in the
# server namespace on that veth, creates a scope with dhcpfoctl, lets a real client (busybox
# udhcpc, or ISC dhclient) ask for a lease by broadcast, shows `dhcpfoctl lease list`, and
# tears everything down, also when a step fails or on Ctrl-C. Run as root.
#
# Environment: BUILD (build), DEMO_CLIENT=udhcpc|dhclient (udhcpc when busybox is
# there), DEMO_CAPTURE=1 (tshark on the server veth, when installed; 0 = off),
# LAB_KEEP=1 (keep the lab's temp dir: config, database, logs, capture), LAB_DEBUG=1.
# Exit status: 0 the client got a lease and dhcpfod lists it; 1 a step failed (the
# message says which); 2 missing tools or not root.

set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
DAEMON=$BUILD/dhcpfod
CTL=$BUILD/dhcpfoctl
DEMO_CAPTURE=${DEMO_CAPTURE:-1}

# the lab: server 10.77.0.1/24, client unnumbered; the scope hands out .100-.199
LAB_SRV_IP=10.77.0.1
LAB_CLI_IP=
LAB_PREFIX=24
SCOPE=10.77.0.0/24
RANGE_LO=10.77.0.100
RANGE_HI=10.77.0.199

# shellcheck source=scripts/netns-lab.sh
. "$ROOT/scripts/netns-lab.sh"

say()  { printf '\n==> %s\n' "$*"; }
fail() { printf '\ndemo: FAILED: %s\n' "$*" >&2; exit 1; }
ctl()  { printf '$ dhcpfoctl %s\n' "$*"; "$CTL" -s "$LAB_SOCK" "$@"; }

[ "$(id -u)" = 0 ] || { echo "demo: must run as root (network namespaces)" >&2; exit 2; }
for f in "$DAEMON" "$CTL"; do
	[ -x "$f" ] || { echo "demo: $f missing: run make first" >&2; exit 2; }
done
if [ -z "${DEMO_CLIENT:-}" ]; then
	if command -v busybox >/dev/null 2>&1; then DEMO_CLIENT=udhcpc
	elif command -v dhclient >/dev/null 2>&1; then DEMO_CLIENT=dhclient
	else echo "demo: no DHCP client: install busybox or isc-dhcp-client (scripts/install-deps --bench)" >&2; exit 2
	fi
fi
case "$DEMO_CLIENT" in
udhcpc) command -v busybox >/dev/null 2>&1 || { echo "demo: busybox missing" >&2; exit 2; } ;;
dhclient) command -v dhclient >/dev/null 2>&1 || { echo "demo: dhclient missing" >&2; exit 2; } ;;
*) echo "demo: DEMO_CLIENT must be udhcpc or dhclient" >&2; exit 2 ;;
esac
command -v tshark >/dev/null 2>&1 || DEMO_CAPTURE=0
( lab_require ) || exit 2

CAP_PID=""
# show what went over the wire (when capturing): the answer to "did the server say
# anything at all?"
show_capture() {
	[ -n "$CAP_PID" ] || return 0
	sleep 0.5
	lab_stop "$CAP_PID" 3
	CAP_PID=""
	say "DHCP packets on the server's veth (tshark)"
	local lines
	lines=$(tshark -n -r "$LAB_DIR/demo.pcap" -Y dhcp -T fields -E separator=' ' -E occurrence=f \
		-e frame.time_relative -e ip.src -e ip.dst -e dhcp.option.dhcp -e dhcp.hw.mac_addr \
		-e dhcp.ip.your 2>/dev/null |
		awk '{ split("DISCOVER OFFER REQUEST DECLINE ACK NAK RELEASE INFORM", n, " ");
			printf "  %8.3fs  %-15s -> %-15s  %-8s chaddr=%s yiaddr=%s\n",
			$1, $2, $3, n[$4], $5, ($6 == "" ? "-" : $6) }')
	if [ -n "$lines" ]; then printf '%s\n' "$lines"; else echo "  (none)"; fi
}

lab_init "$$"
lab_install_trap

say "lab: netns $LAB_SRV_NS ($LAB_SIF $LAB_SRV_IP/$LAB_PREFIX) <-> netns $LAB_CLI_NS ($LAB_CIF, unnumbered)"
lab_up
ip -n "$LAB_SRV_NS" -br addr show dev "$LAB_SIF"
ip -n "$LAB_CLI_NS" -br addr show dev "$LAB_CIF"

say "dhcpfod in $LAB_SRV_NS, DHCP on $LAB_SIF"
lab_dhcpfod_conf "$LAB_DIR/dhcpfod.conf" 67 info
cat "$LAB_DIR/dhcpfod.conf"
"$DAEMON" -t -c "$LAB_DIR/dhcpfod.conf" >/dev/null || fail "dhcpfod -t rejects the lab config"
lab_run_server "$LAB_SRV_NS" "$LAB_DIR/dhcpfod.log" "$DAEMON" -c "$LAB_DIR/dhcpfod.conf"
DPID=$LAB_LAST_PID
if ! lab_wait_socket "$LAB_SOCK" 10 "$DPID"; then
	tail -n 20 "$LAB_DIR/dhcpfod.log" >&2
	fail "dhcpfod did not start (log above)"
fi
echo "dhcpfod pid $DPID, control socket $LAB_SOCK"

say "a scope for the lab link"
ctl scope create "$SCOPE" --range "$RANGE_LO" "$RANGE_HI" --name lab --lease-time 600 \
	--option routers="$LAB_SRV_IP" || fail "dhcpfoctl scope create"
ctl scope list || fail "dhcpfoctl scope list"

if [ "$DEMO_CAPTURE" = 1 ]; then
	lab_bg "$LAB_SRV_NS" "$LAB_DIR/tshark.log" timeout 120 tshark -n -q -i "$LAB_SIF" \
		-f 'udp port 67 or udp port 68' -w "$LAB_DIR/demo.pcap"
	CAP_PID=$LAB_LAST_PID
	for _ in $(seq 50); do grep -q Capturing "$LAB_DIR/tshark.log" && break; sleep 0.1; done
fi

say "$DEMO_CLIENT in $LAB_CLI_NS asks for a lease on $LAB_CIF (broadcast DORA)"
rc=0
case "$DEMO_CLIENT" in
udhcpc) echo "\$ busybox udhcpc -i $LAB_CIF -n -q -f -t 3 -T 1 -A 1 -s <print-only script>"
	lab_lease_udhcpc "$LAB_CLI_NS" "$LAB_CIF" 3 >/dev/null || rc=$? ;;
dhclient) echo "\$ dhclient -4 -1 -d -v -cf/-lf/-pf/-sf <lab temp dir> $LAB_CIF"
	lab_lease_dhclient "$LAB_CLI_NS" "$LAB_CIF" 8 >/dev/null || rc=$? ;;
esac
LEASE=$LAB_LEASE
sed 's/^/  | /' "$LAB_DIR/$DEMO_CLIENT.out"
show_capture
if [ $rc -ne 0 ] || [ -z "$LEASE" ]; then
	if lab_alive "$DPID"; then
		say "dhcpfod is running; its non-zero counters and its log"
		echo "\$ dhcpfoctl stats | grep -v ' 0\$'"
		"$CTL" -s "$LAB_SOCK" stats | grep -v ' 0$' || echo "(every counter is 0)"
		tail -n 15 "$LAB_DIR/dhcpfod.log" | sed 's/^/  | /'
		fail "no lease: $DEMO_CLIENT got no answer from dhcpfod on $LAB_SIF. Does dhcpfod serve DHCP yet? (the management RPC worked; the DHCP engine did not answer)"
	fi
	tail -n 20 "$LAB_DIR/dhcpfod.log" >&2
	fail "no lease, and dhcpfod has exited (log above)"
fi
echo "$DEMO_CLIENT got: ${LEASE#LEASE }"
IP=$(printf '%s\n' "$LEASE" | sed -n 's/.* ip=\([0-9.]*\).*/\1/p')

say "the lease as dhcpfod has it"
ctl lease list "${SCOPE%/*}" | tee "$LAB_DIR/leases.txt" || fail "dhcpfoctl lease list"
grep -qw -- "$IP" "$LAB_DIR/leases.txt" ||
	fail "$DEMO_CLIENT was given $IP, but dhcpfoctl lease list does not show it"

say "demo: ok: $DEMO_CLIENT got $IP from dhcpfod, and dhcpfod lists the lease"
exit 0
