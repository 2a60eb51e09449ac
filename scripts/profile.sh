#!/usr/bin/env bash
# profile.sh: one server under perfdhcp load in a private lab (scripts/netns-lab.sh), for
# profiling and for quick side-by-side figures; make bench is the reference measurement.
# Run as root.
#
#   scripts/profile.sh [RATE [SECONDS]]       dhcpfod (BUILD=build) at RATE DORA/s (5000)
#                                             for SECONDS (5), perfdhcp as relay agent
#   SERVER=kea scripts/profile.sh 6000        kea-dhcp4 (memfile, as make bench runs it)
#   PERF=1 scripts/profile.sh 6000            also `perf record -g` the server: OUT/perf.data
#   NET=8 scripts/profile.sh                  a /8 scope (or 24; default 16)
#
# Prints one line: server, offered and completed rate, DISCOVERs sent, OFFERs, ACKs, the
# server's CPU time per lease (utime+stime of all its threads), its voluntary context
# switches per lease, and the UDP receive-buffer drops of perfdhcp's socket. The server is
# pinned to CPU 1 and perfdhcp to CPU 0 (as in make bench); the load is bounded in time.
# Knobs: SERVER (dhcpfod|kea), BUILD, NET, PERF, CLIENTS (-R, 65000), OUT (build/profile),
# LAB_KEEP=1 keeps the lab's directory.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
RATE=${1:-5000}
SECS=${2:-5}
SERVER=${SERVER:-dhcpfod}
NET=${NET:-16}
PERF=${PERF:-0}
CLIENTS=${CLIENTS:-65000}
OUT=${OUT:-$ROOT/build/profile}

LAB_SRV_IP=10.77.0.1
LAB_CLI_IP=10.77.0.2
# shellcheck source=scripts/netns-lab.sh
. "$ROOT/scripts/netns-lab.sh"

die() { printf 'profile: %s\n' "$*" >&2; exit 2; }
for v in RATE SECS CLIENTS; do
	case "${!v}" in '' | *[!0-9]* | 0) die "$v must be a positive integer" ;; esac
done
case "$NET" in
16) SUBNET=10.77.0.0 MASK=255.255.0.0 LO=10.77.1.0 HI=10.77.255.254 ;;
24) SUBNET=10.77.0.0 MASK=255.255.255.0 LO=10.77.0.10 HI=10.77.0.254 ;;
8) SUBNET=10.0.0.0 MASK=255.0.0.0 LO=10.128.0.0 HI=10.255.255.254 ;;
*) die "NET must be 8, 16 or 24" ;;
esac
lab_require
command -v perfdhcp >/dev/null 2>&1 || die "perfdhcp is missing (scripts/install-deps --bench)"
[ "$PERF" = 1 ] && { command -v perf >/dev/null 2>&1 || die "perf is missing"; }
mkdir -p "$OUT"

lab_init
lab_install_trap
LAB_PREFIX=$NET
lab_up
lab_static_neigh
LAB_SRV_CPU=1

kea_conf() {
	cat <<EOF
{ "Dhcp4": { "interfaces-config": { "interfaces": [ "$LAB_SIF" ], "dhcp-socket-type": "raw" },
  "lease-database": { "type": "memfile", "persist": true, "name": "$LAB_DIR/kea-leases4.csv",
                      "lfc-interval": 0 },
  "multi-threading": { "enable-multi-threading": false }, "valid-lifetime": 3600,
  "subnet4": [ { "id": 1, "subnet": "$SUBNET/$NET", "pools": [ { "pool": "$LO - $HI" } ] } ],
  "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "$LAB_DIR/kea.log" } ],
                 "severity": "WARN" } ] } }
EOF
}

# pd ARGS...: perfdhcp from the client namespace, as a relay, pinned, bounded in time
pd() {
	ip netns exec "$LAB_CLI_NS" timeout $((SECS + 20)) taskset -c 0 perfdhcp -4 -g single \
		-l "$LAB_CIF" "$@" "$LAB_SRV_IP"
}

start_server() {
	if [ "$SERVER" = kea ]; then
		kea_conf >"$LAB_DIR/kea.json"
		lab_run_server "$LAB_SRV_NS" "$LAB_DIR/server.out" env KEA_PIDFILE_DIR="$LAB_DIR" \
			KEA_LOCKFILE_DIR="$LAB_DIR" kea-dhcp4 -c "$LAB_DIR/kea.json"
		SPID=$LAB_LAST_PID
		lab_wait_udp "$LAB_SRV_NS" 67 15 "$SPID" || exit 1
		return
	fi
	[ -x "$BUILD/dhcpfod" ] || die "$BUILD/dhcpfod is not built (make)"
	lab_dhcpfod_conf "$LAB_DIR/dhcpfod.conf" 67 warning
	lab_run_server "$LAB_SRV_NS" "$LAB_DIR/server.out" "$BUILD/dhcpfod" -c "$LAB_DIR/dhcpfod.conf"
	SPID=$LAB_LAST_PID
	lab_wait_socket "$LAB_SOCK" 10 "$SPID" || exit 1
	"$BUILD/dhcpfoctl" -s "$LAB_SOCK" scope create "$SUBNET" --mask "$MASK" --range "$LO" "$HI" \
		--name profile --lease-time 3600 >/dev/null || die "scope create failed"
}

ticks() { awk '{ print $14 + $15 }' "/proc/$SPID/stat"; }
switches() { cat /proc/"$SPID"/task/*/status | awk '/^voluntary_ctxt/ { s += $2 } END { print s }'; }
rcvbuf_errs() {
	ip netns exec "$LAB_CLI_NS" awk '/^Udp:/ { n++ } n == 2 && /^Udp:/ { print $6; exit }' /proc/net/snmp
}
field() {       # FILE DO|RA sent|recv
	awk -v sec="$2" -v key="$3" '
		/Statistics for: DISCOVER-OFFER/ { s = "DO" } /Statistics for: REQUEST-ACK/ { s = "RA" }
		s != sec { next }
		key == "sent" && /^sent packets:/ { print $3; exit }
		key == "recv" && /^received packets:/ { print $3; exit }' "$1"
}

start_server
# ready: one relayed DORA (a cold server loses part of a first burst)
for _ in $(seq 20); do
	pd -r 20 -R 2 -n 20 -p 1 -b mac=02:db:ff:00:00:00 >"$LAB_DIR/ping.out" 2>&1
	[ "$(field "$LAB_DIR/ping.out" RA recv)" -gt 0 ] 2>/dev/null && break
done
t0=$(ticks) s0=$(switches) c0=$(rcvbuf_errs)
if [ "$PERF" = 1 ]; then
	perf record -g -o "$OUT/perf.data" -p "$SPID" -- sleep $((SECS + 1)) >/dev/null 2>&1 &
	PPID_=$!
fi
pd -r "$RATE" -R "$CLIENTS" -p "$SECS" >"$OUT/perfdhcp.out" 2>&1
t1=$(ticks) s1=$(switches) c1=$(rcvbuf_errs)
[ "$PERF" = 1 ] && wait "$PPID_"
lab_stop "$SPID" 5
acks=$(field "$OUT/perfdhcp.out" RA recv)
awk -v srv="$SERVER" -v r="$RATE" -v hz="$(getconf CLK_TCK)" -v t="$((t1 - t0))" \
	-v sw="$((s1 - s0))" -v cd="$((c1 - c0))" -v a="${acks:-0}" \
	-v rate="$(awk '/^Rate:/ { print $2; exit }' "$OUT/perfdhcp.out")" \
	-v ds="$(field "$OUT/perfdhcp.out" DO sent)" -v dr="$(field "$OUT/perfdhcp.out" DO recv)" \
	'BEGIN { printf "%s offered=%d completed=%.0f discovers=%d offers=%d acks=%d us_cpu_per_lease=%.1f switches_per_lease=%.2f perfdhcp_rcvbuf_drops=%d\n",
		srv, r, rate, ds, dr, a, a ? 1e6 * t / hz / a : 0, a ? sw / a : 0, cd }'
[ "$PERF" = 1 ] && printf 'profile: perf report -i %s/perf.data\n' "$OUT" >&2
exit 0
