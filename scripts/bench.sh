#!/usr/bin/env bash
# bench.sh (`make bench`): DHCPv4 DORA throughput of dhcpfod against kea-dhcp4 (memfile) and
# ISC dhcpd, measured with ISC perfdhcp in one lab, in one run. Run as root.
#
# The lab (scripts/netns-lab.sh): netns dfo-srv-PID (veth 10.77.0.1) and dfo-cli-PID
# (veth 10.77.0.2) joined by one veth pair, nothing else; static ARP entries both ways.
# perfdhcp (DHCPv4) always acts as a relay agent: it sends from 10.77.0.2:67 with
# giaddr=10.77.0.2 and the server unicasts its replies to giaddr:67, so the relayed path
# is what is measured. (Its -A option is DHCPv6-only.) The server is pinned to CPU 1,
# perfdhcp to CPU 0; every measured run starts a fresh server on an empty database.
#
# Phases, each over every server in SERVERS that is installed (others are skipped with a
# message; a server that fails to start or to serve is reported and the others go on):
#   1. throughput: scope 10.77.0.0/16, pool 10.77.1.0-10.77.255.254 (65279); offered rate
#      = OVERLOAD x the capacity (the best ACK rate) found by a ramp of 1 s steps, each
#      CAL_FACTOR x the last, up to the first step under 85 % (RATE=auto), or RATE; REPS rounds,
#      servers interleaved; median leases/s (perfdhcp's ACK rate) and the ratios
#      dhcpfod/kea, dhcpfod/dhcpd.
#   2. CPU per lease: the /16 again at each rate of CPU_RATES for CPU_SECONDS, the same
#      rate for every server (one it can sustain: a server whose calibrated capacity is
#      within 10 % of a rate is left out of it); utime+stime (/proc/PID/stat) of the server
#      namespace's processes (every thread) per ACK. "auto" is half the lower calibrated
#      capacity of dhcpfod and kea: below the saturation of both, where the cost per lease
#      rather than idle wake-ups dominates; the fixed low rate shows the other end.
#   3. first-time allocation: ALLOC_CLIENTS new clients offered at ALLOC_RATE/s on a /24
#      (10.77.0.0/24, pool .10-.254) and on a /8 (10.0.0.0/8, pool
#      10.128.0.0-10.255.255.254, 8388607 addresses), the same rate for both (auto: 3 x the
#      server's /16 capacity, so that it stays saturated through the burst; what its socket
#      buffer drops only makes the sample smaller: see "bound"). Each run: a fresh server,
#      1 s of warm-up by two returning clients (a cold server loses much of a first burst),
#      then the burst; rate = ACKs / (last ACK - first DISCOVER) from perfdhcp's
#      per-exchange timestamps (-x t); median of ALLOC_REPS runs. A median near the offered
#      rate is only a lower bound (">="). A burst lasts a few tens of ms: any other load on
#      the machine shows in its rate, so each run also reports the server's CPU time per
#      allocation (/proc/PID/task/*/schedstat, ns), and the /8-over-/24 ratio is given from
#      both (rate, and 1 / CPU cost). The scopes alternate within each round.
#      dhcpd is left out of the /8 unless ALLOC_DHCPD_8=1: it builds (and writes out) one
#      lease per address at start-up: 2.7 GB here, and no answer within 135 s.
# Reference servers, configured for a fair comparison (docs/PERFORMANCE.md, Method): kea-dhcp4 memfile with
# persist=true (one CSV line per lease, no fsync), LFC off (lfc-interval 0: no run lasts
# long enough for it to matter), multi-threading off (set explicitly: one pinned core, as
# dhcpfod and dhcpd), raw sockets, WARN logging; dhcpd with ping-check false and its
# per-packet syslog muted where the host has a /dev/log. Lease time 3600 s for all;
# dhcpfod logs at warning.
# Pictures (scripts/bench-charts.py, Debian's python3-matplotlib through /usr/bin/python3):
#   leases-per-second.png  phase 1, each round of each server: ACKs per second (perfdhcp's
#                          -t 1 reports) over the round
#   latency.png            phase 2 (a rate below every server's saturation): p50, p90,
#                          p99 of DISCOVER->OFFER and REQUEST->ACK, from perfdhcp's
#                          per-exchange timestamps (-x t)
#   rss.png                phase 1: the resident memory (VmRSS of every process in the
#                          server's namespace, sampled every RSS_STEP s) over each round
#   Their data: OUT/series/ (lps-KIND-REP.tsv, rss-KIND-REP.tsv); the figures also in
#   results.json and the table.
# Output: a table on stdout, progress on stderr, build/bench/results.json (and results.txt),
# the charts above in build/bench/.
# Exit status: 0 every installed server was measured; 1 a server failed (dhcpfod until its
# DHCP engine serves relayed clients); 2 usage, environment or missing tools.
#
# Knobs (environment): SERVERS ("dhcpfod kea dhcpd"), PHASES ("throughput cpu alloc"; the
# calibration runs whenever RATE=auto), REPS (3), DURATION (10 s), RATE
# (auto|N), OVERLOAD (1.25), CAL_START (2000), CAL_FACTOR (1.5: the ramp's step),
# CAL_MAX (32000; the steps' new clients also stop at the /16 pool), CLIENTS (65000),
# WORKLOAD (mixed: -R CLIENTS for DURATION, clients wrap | new: every client one DORA),
# CPU_RATES ("1000 auto"), CPU_SECONDS (10), ALLOC (1), ALLOC_CLIENTS (200), ALLOC_RATE (auto|N;
# with a fixed RATE, auto is 3 x RATE), ALLOC_REPS (7),
# ALLOC_DHCPD_8 (0), START_TIMEOUT (15 s), DHCPFOD_START_TIMEOUT (5 s), PIN (1), BUILD,
# OUT (BUILD/bench), RSS_STEP (0.25 s), CHARTS (1; 0: none), LAB_TAG (dfo: the lab's
# namespace prefix), LAB_KEEP=1 keeps configs, logs and raw perfdhcp output.
# The method, and the behaviour of perfdhcp, Kea and dhcpd it allows for:
# docs/PERFORMANCE.md, Method.

set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
DAEMON=$BUILD/dhcpfod
CTL=$BUILD/dhcpfoctl
OUT=${OUT:-$BUILD/bench}

SERVERS=${SERVERS:-dhcpfod kea dhcpd}
REPS=${REPS:-3}
DURATION=${DURATION:-10}
RATE=${RATE:-auto}
OVERLOAD=${OVERLOAD:-1.25}
CAL_START=${CAL_START:-2000}
CAL_FACTOR=${CAL_FACTOR:-1.5}
CAL_MAX=${CAL_MAX:-32000}
CLIENTS=${CLIENTS:-65000}
WORKLOAD=${WORKLOAD:-mixed}
CPU_RATES=${CPU_RATES:-${CPU_RATE:-1000 auto}}
CPU_SECONDS=${CPU_SECONDS:-10}
ALLOC=${ALLOC:-1}
PHASES=${PHASES:-throughput cpu alloc}
[ "$ALLOC" = 1 ] || PHASES=${PHASES//alloc/}
ALLOC_CLIENTS=${ALLOC_CLIENTS:-200}
ALLOC_RATE=${ALLOC_RATE:-auto}
ALLOC_REPS=${ALLOC_REPS:-7}
ALLOC_DHCPD_8=${ALLOC_DHCPD_8:-0}
START_TIMEOUT=${START_TIMEOUT:-15}
DHCPFOD_START_TIMEOUT=${DHCPFOD_START_TIMEOUT:-5}
PIN=${PIN:-1}
RSS_STEP=${RSS_STEP:-0.25}
CHARTS=${CHARTS:-1}
SRV_CPU=${SRV_CPU:-1}
CLI_CPU=${CLI_CPU:-0}
DROP_TIME=1
LEASE_TIME=3600

LAB_SRV_IP=10.77.0.1
LAB_CLI_IP=10.77.0.2
LAB_PREFIX=16
# shellcheck source=scripts/netns-lab.sh
. "$ROOT/scripts/netns-lab.sh"

log() { printf '%s\n' "$*" >&2; }
has_phase() { case " $PHASES " in *" $1 "*) return 0 ;; esac; return 1; }
usage_die() { log "bench: $*"; exit 2; }

# --- checks --------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || usage_die "must run as root (network namespaces)"
( lab_require ) || exit 2
for c in perfdhcp taskset ss awk timeout python3; do
	command -v "$c" >/dev/null 2>&1 || usage_die "missing command: $c (scripts/install-deps --bench)"
done
for r in $CPU_RATES; do
	case "$r" in auto) ;; *[!0-9]* | 0) usage_die "CPU_RATES: '$r' is neither auto nor a positive integer" ;; esac
done
[ -n "$CPU_RATES" ] || usage_die "CPU_RATES is empty"
for v in REPS DURATION CAL_START CAL_MAX CLIENTS CPU_SECONDS ALLOC_CLIENTS ALLOC_REPS; do
	case "${!v}" in '' | *[!0-9]* | 0) usage_die "$v must be a positive integer" ;; esac
done
case "$RATE" in auto) ;; '' | *[!0-9]* | 0) usage_die "RATE must be auto or a positive integer" ;; esac
case "$ALLOC_RATE" in auto) ;; '' | *[!0-9]* | 0) usage_die "ALLOC_RATE must be auto or a positive integer" ;; esac
case "$WORKLOAD" in mixed | new) ;; *) usage_die "WORKLOAD must be mixed or new" ;; esac
[ "$CLIENTS" -le 65279 ] || usage_die "CLIENTS must not exceed the /16 pool (65279)"
# the /24 pool has 245 addresses, 2 go to the readiness ping, perfdhcp overshoots -n a little
[ "$ALLOC_CLIENTS" -le 230 ] || usage_die "ALLOC_CLIENTS must fit the /24 pool (at most 230)"
if [ "$PIN" = 1 ] && [ "$(nproc)" -lt 2 ]; then log "bench: one CPU only: no pinning"; PIN=0; fi
[ "$PIN" = 1 ] && LAB_SRV_CPU=$SRV_CPU

# which servers run: installed ones; the rest are reported as skipped
declare -A STATUS=() REASON=() VERSION=()
ACTIVE=()
for s in $SERVERS; do
	case "$s" in
	dhcpfod)
		if [ -x "$DAEMON" ] && [ -x "$CTL" ]; then
			VERSION[$s]=$("$DAEMON" -V 2>&1 | awk '{print $NF; exit}')
		else
			STATUS[$s]=skipped; REASON[$s]="$DAEMON or $CTL not built (make)"
		fi ;;
	kea)
		if command -v kea-dhcp4 >/dev/null 2>&1; then VERSION[$s]=$(kea-dhcp4 -v 2>&1 | head -n 1)
		else STATUS[$s]=skipped; REASON[$s]="kea-dhcp4 not installed (scripts/install-deps --bench)"; fi ;;
	dhcpd)
		if command -v dhcpd >/dev/null 2>&1; then VERSION[$s]=$(dhcpd --version 2>&1 | head -n 1 | sed 's/^isc-dhcpd-//')
		else STATUS[$s]=skipped; REASON[$s]="dhcpd not installed (scripts/install-deps --bench)"; fi ;;
	*) usage_die "unknown server '$s' (dhcpfod, kea, dhcpd)" ;;
	esac
	if [ -n "${STATUS[$s]:-}" ]; then
		log "bench: skipping $s: ${REASON[$s]}"
	else
		STATUS[$s]=ok; ACTIVE+=("$s")
	fi
done
[ ${#ACTIVE[@]} -gt 0 ] || usage_die "no server to measure"

# --- the lab -------------------------------------------------------------------------
others=$(ip netns list | awk '{print $1}' | grep -E '^dfo-srv-[0-9]+$' | tr '\n' ' ')
[ -n "$others" ] && log "bench: WARNING: other labs exist ($others): another run may compete for the CPUs"
lab_init "$$"
lab_install_trap
lab_up
lab_static_neigh
RES=$LAB_DIR/results.tsv
: >"$RES"
SERIES=$OUT/series
mkdir -p "$OUT"
rm -rf "$SERIES"
mkdir -p "$SERIES"
HZ=$(getconf CLK_TCK)
PD_LIMIT=$(( (DURATION > CPU_SECONDS + 5 ? DURATION : CPU_SECONDS + 5) + 30 ))

# record PHASE SERVER NET REP key=value...: one tab-separated result line for the report
record() { local IFS=$'\t'; printf '%s\n' "${*//[$'\t\n']/ }" >>"$RES"; }

# set_net 16|24|8: the scope of a phase, and the lab link addressed to match it (dhcpd
# wants its interface inside a declared subnet; Kea and dhcpfod choose by giaddr)
set_net() {
	NET=$1
	case "$NET" in
	16) SUBNET=10.77.0.0 MASK=255.255.0.0 POOL_LO=10.77.1.0 POOL_HI=10.77.255.254 POOL_SIZE=65279 ;;
	24) SUBNET=10.77.0.0 MASK=255.255.255.0 POOL_LO=10.77.0.10 POOL_HI=10.77.0.254 POOL_SIZE=245 ;;
	8) SUBNET=10.0.0.0 MASK=255.0.0.0 POOL_LO=10.128.0.0 POOL_HI=10.255.255.254 POOL_SIZE=8388607 ;;
	esac
	lab_set_addrs "$NET"
	lab_static_neigh
}

# --- servers -------------------------------------------------------------------------
INST=0
SRV_PID=""
SRV_DIR=""
FAIL=""

kea_config() {  # DIR
	cat <<EOF
{
  "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$LAB_SIF" ], "dhcp-socket-type": "raw" },
    "lease-database": { "type": "memfile", "persist": true,
                        "name": "$1/kea-leases4.csv", "lfc-interval": 0 },
    "multi-threading": { "enable-multi-threading": false },
    "valid-lifetime": $LEASE_TIME,
    "subnet4": [ { "id": 1, "subnet": "$SUBNET/$NET",
                   "pools": [ { "pool": "$POOL_LO - $POOL_HI" } ] } ],
    "loggers": [ { "name": "kea-dhcp4",
                   "output_options": [ { "output": "$1/kea-dhcp4.log" } ],
                   "severity": "WARN" } ]
  }
}
EOF
}

dhcpd_config() {
	cat <<EOF
authoritative;
default-lease-time $LEASE_TIME;
max-lease-time $LEASE_TIME;
min-lease-time $LEASE_TIME;
ddns-update-style none;
ping-check false;
subnet $SUBNET netmask $MASK {
  range $POOL_LO $POOL_HI;
}
EOF
}

# ping DIR: one relayed DORA round (20/s for 1 s, 2 clients of their own MAC range)
ping_ok() {
	pd "$1/ping.out" -r 20 -R 2 -n 40 -p 1 -b mac=02:db:ff:00:00:00 >/dev/null 2>&1
	[ "$(pd_field "$1/ping.out" RA recv)" -gt 0 ] 2>/dev/null
}

# start_server KIND: a fresh instance on the current NET, ready to answer relayed
# DORAs; 0 with SRV_PID/SRV_DIR, or 1 with FAIL set to why.
start_server() {
	local kind=$1 dir lim t0
	INST=$((INST + 1))
	dir=$LAB_DIR/run$INST-$kind-net$NET
	mkdir -p "$dir"
	SRV_DIR=$dir FAIL="" lim=$START_TIMEOUT
	case "$kind" in
	kea)
		kea_config "$dir" >"$dir/kea-dhcp4.json"
		lab_run_server "$LAB_SRV_NS" "$dir/server.out" env KEA_PIDFILE_DIR="$dir" \
			KEA_LOCKFILE_DIR="$dir" kea-dhcp4 -c "$dir/kea-dhcp4.json" ;;
	dhcpd)
		dhcpd_config >"$dir/dhcpd.conf"
		: >"$dir/dhcpd.leases"
		[ "$NET" = 8 ] && lim=$((START_TIMEOUT + 120))
		# dhcpd syslogs every packet: where the host has a /dev/log, cover it in the
		# private mount namespace of `ip netns exec` (never propagated to the host)
		lab_run_server "$LAB_SRV_NS" "$dir/server.out" sh -c \
			'[ -S /dev/log ] && mount --bind /dev/null /dev/log 2>/dev/null; exec "$@"' sh \
			dhcpd -f -4 -cf "$dir/dhcpd.conf" -lf "$dir/dhcpd.leases" -pf "$dir/dhcpd.pid" "$LAB_SIF" ;;
	dhcpfod)
		lab_dhcpfod_conf "$dir/dhcpfod.conf" 67 warning "$dir"
		lab_run_server "$LAB_SRV_NS" "$dir/server.out" "$DAEMON" -c "$dir/dhcpfod.conf"
		lim=$DHCPFOD_START_TIMEOUT ;;
	esac
	SRV_PID=$LAB_LAST_PID
	if [ "$kind" = dhcpfod ]; then
		if ! lab_wait_socket "$LAB_SOCK" "$START_TIMEOUT" "$SRV_PID"; then
			FAIL="dhcpfod did not open its control socket"; return 1
		fi
		if ! "$CTL" -s "$LAB_SOCK" scope create "$SUBNET" --mask "$MASK" --range "$POOL_LO" \
			"$POOL_HI" --name bench --lease-time "$LEASE_TIME" >"$dir/scope.out" 2>&1; then
			FAIL="dhcpfoctl scope create failed: $(tail -n 1 "$dir/scope.out")"; return 1
		fi
	fi
	# ready = completes a relayed DORA; each ping takes about 1 s
	t0=$SECONDS
	while :; do
		if ! lab_alive "$SRV_PID"; then
			FAIL="$kind exited during start-up: $(tail -n 1 "$dir/server.out")"; return 1
		fi
		ping_ok "$dir" && return 0
		[ $((SECONDS - t0)) -ge "$lim" ] && break
		sleep 0.2
	done
	if [ -n "$(ip netns exec "$LAB_SRV_NS" ss -Hlun 'sport = :67' 2>/dev/null)" ]; then
		FAIL="$kind listens on UDP 67 but completed no relayed DORA within ${lim}s"
	else
		FAIL="$kind does not listen on UDP 67 within ${lim}s"
	fi
	[ "$kind" = dhcpfod ] && FAIL="$FAIL: does dhcpfod serve (relayed) DHCP yet?"
	return 1
}

stop_server() {
	[ -n "$SRV_PID" ] && lab_stop "$SRV_PID" 5
	SRV_PID=""
	lab_kill_ns "$LAB_SRV_NS"
	return 0
}

# try_start KIND [soft]: start_server, or mark KIND failed for the rest of the run (soft:
# only report it)
try_start() {
	if start_server "$1"; then return 0; fi
	stop_server
	if [ "${2:-}" = soft ]; then
		log "bench: $1 failed: $FAIL"
		return 1
	fi
	STATUS[$1]=failed
	REASON[$1]=$FAIL
	log "bench: $1 FAILED: $FAIL"
	log "bench: $1: the last lines of its output ($SRV_DIR/server.out):"
	tail -n 5 "$SRV_DIR/server.out" | sed 's/^/  | /' >&2
	log "bench: $1 is left out of the remaining phases; the other servers go on"
	return 1
}

running() { [ "${STATUS[$1]}" = ok ]; }

srv_ticks() {   # utime+stime of every process in the server namespace
	local t=0 p v
	for p in $(lab_ns_pids "$LAB_SRV_NS"); do
		v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null) || continue
		t=$((t + ${v:-0}))
	done
	echo "$t"
}

srv_ns() {      # CPU time, in ns, of every thread in the server namespace (schedstat)
	local t=0 p f v
	for p in $(lab_ns_pids "$LAB_SRV_NS"); do
		for f in /proc/"$p"/task/*/schedstat; do
			read -r v _ <"$f" 2>/dev/null && t=$((t + v))
		done
	done
	echo "$t"
}

# --- perfdhcp ------------------------------------------------------------------------
declare -A CMDS=()
# pd OUT ARGS...: perfdhcp from the client namespace (pinned), as a relay, to the server
pd() {
	local out=$1 rc=0 pin=()
	shift
	[ "$PIN" = 1 ] && pin=(taskset -c "$CLI_CPU")
	# a hard stop well past the longest -p any phase gives
	# in the background and waited for, so that INT/TERM reach the trap at once
	ip netns exec "$LAB_CLI_NS" "${pin[@]}" timeout "$PD_LIMIT" perfdhcp -4 -g single -l "$LAB_CIF" \
		"$@" "$LAB_SRV_IP" >"$out.raw" 2>&1 &
	wait $! || rc=$?
	# -x t repeats this line while it waits (-W)
	grep -v '^Reached max requests limit' "$out.raw" >"$out"
	rm -f "$out.raw"
	echo "rc=$rc" >>"$out"
	# 0: all answered; 3: some dropped (normal at saturation)
	[ "$rc" = 0 ] || [ "$rc" = 3 ]
}
note_cmd() { CMDS["$1"]="perfdhcp -4 -g single -l $LAB_CIF $2 $LAB_SRV_IP"; }

# pd_field FILE DO|RA sent|recv|drops
pd_field() {
	awk -v sec="$2" -v key="$3" '
		/Statistics for: DISCOVER-OFFER/ { s = "DO" } /Statistics for: REQUEST-ACK/ { s = "RA" }
		s != sec { next }
		key == "sent" && /^sent packets:/ { print $3; exit }
		key == "recv" && /^received packets:/ { print $3; exit }
		key == "drops" && /^drops:/ { print $2; exit }' "$1"
}
pd_rate() { awk '/^Rate:/ { printf "%.1f", $2; exit }' "$1"; }

# ACKs / (last ACK received - first DISCOVER sent), from -x t timestamps
pd_burst_rate() {
	awk '/Timestamps for packets: DISCOVER-OFFER/ { s = 1; next }
		/Timestamps for packets: REQUEST-ACK/ { s = 2; next }
		/^sent \/ received:/ {
			if (s == 1 && (first == "" || $4 + 0 < first)) first = $4 + 0
			if (s == 2) { n++; if ($6 + 0 > last) last = $6 + 0 }
		}
		END { if (n == 0 || last <= first) print "0 0"; else printf "%.1f %d\n", n / (last - first), n }' "$1"
}

# pd_latency FILE DO|RA: "p50 p90 p99 max" of the exchange's delays in ms, from -x t
# timestamps ("sent / received: SENT / RECEIVED", seconds); "null null null null" if none
pd_latency() {
	awk -v sec="$2" '/Timestamps for packets: DISCOVER-OFFER/ { s = "DO"; next }
		/Timestamps for packets: REQUEST-ACK/ { s = "RA"; next }
		/^\*\*\*/ { s = "" }
		s == sec && /^sent \/ received:/ { printf "%.3f\n", ($6 - $4) * 1000 }' "$1" |
		sort -n | awk '{ v[NR] = $1 } END {
			if (NR == 0) { print "null null null null"; exit }
			split("50 90 99", q, " ")
			for (i = 1; i <= 3; i++) { k = int(NR * q[i] / 100 + 0.999999); if (k < 1) k = 1
				printf "%s ", v[k] }
			print v[NR] }'
}

# pd_series FILE OUT: ACKs per second from perfdhcp's -t 1 reports (cumulative
# "received: OFFERS/ACKS"), one "second<TAB>acks" line each
pd_series() {
	awk -F'[ /;]+' '/^sent: / { for (i = 1; i < NF; i++) if ($i == "received:") { a = $(i + 2)
		printf "%d\t%d\n", ++n, a - last; last = a } }' "$1" >"$2"
}

# rss_start FILE / rss_stop: sample the resident memory (KiB) of every process in the
# server namespace every RSS_STEP s, "seconds<TAB>KiB" lines, in the background (it
# ends by itself with this script, and after 900 s at most)
RSS_PID=""
rss_start() {
	local f=$1 parent=$$
	(
		t0=${EPOCHREALTIME/./}
		while kill -0 "$parent" 2>/dev/null &&
			[ $(( ${EPOCHREALTIME/./} - t0 )) -lt 900000000 ]; do
			kib=0
			for p in $(lab_ns_pids "$LAB_SRV_NS"); do
				v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
				kib=$((kib + ${v:-0}))
			done
			t=${EPOCHREALTIME/./}
			printf '%s\t%s\n' "$(awk -v d=$((t - t0)) 'BEGIN { printf "%.2f", d / 1e6 }')" "$kib"
			sleep "$RSS_STEP"
		done
	) >"$f" 2>/dev/null &
	RSS_PID=$!
}
rss_stop() {
	[ -n "$RSS_PID" ] && { kill "$RSS_PID" 2>/dev/null; wait "$RSS_PID" 2>/dev/null; }
	RSS_PID=""
}
rss_max() { awk 'max < $2 { max = $2 } END { print max + 0 }' "$1"; }

# --- phase 1: throughput -------------------------------------------------------------
declare -A OFFER=() CAPACITY=() ALLOC_OFF=()
calibrate() {   # KIND -> OFFER[KIND], CAPACITY[KIND]
	local kind=$1 r step best=0 ack f sat=0 used
	for _ in 1 2; do
		try_start "$kind" || return 1
		r=$CAL_START step=0 used=0
		# every step's clients are new: together they must fit the /16 pool
		while [ "$r" -le "$CAL_MAX" ] && [ $((used + r)) -le 65000 ]; do
			used=$((used + r))
			step=$((step + 1))
			f=$SRV_DIR/cal-$r.out
			pd "$f" -r "$r" -R "$r" -n $((r * 2)) -p 1 -d "$DROP_TIME" \
				-b "mac=00:0c:$(printf '%02x' $((16 + step))):00:00:00" || log "bench: perfdhcp failed ($f)"
			ack=$(pd_rate "$f"); ack=${ack%.*}; ack=${ack:-0}
			log "bench: calibrate $kind: offered $r/s for 1 s -> $ack ACK/s"
			[ "$ack" -gt "$best" ] && best=$ack
			if [ "$ack" -lt $((r * 85 / 100)) ]; then sat=1; break; fi
			r=$(awk -v r="$r" -v f="$CAL_FACTOR" 'BEGIN { printf "%.0f", r * f }')
		done
		stop_server
		[ "$best" -gt 0 ] && break
		# it answered the readiness ping a moment ago: show why, then try a fresh one
		log "bench: $kind completed no DORA at $CAL_START/s; perfdhcp said:"
		grep -E '^(Rate|sent packets|received packets|rc=)' "$f" | sed 's/^/  | /' >&2
		tail -n 3 "$SRV_DIR/server.out" | sed 's/^/  | server: /' >&2
	done
	note_cmd calibrate "-r RATE -R RATE -n 2xRATE -p 1 -d $DROP_TIME -b mac=00:0c:STEP:00:00:00"
	if [ "$best" -le 0 ]; then
		STATUS[$kind]=failed; REASON[$kind]="completed no DORA in calibration (twice)"; return 1
	fi
	[ "$sat" = 1 ] || log "bench: WARNING: $kind kept up with every step up to $CAL_MAX/s"
	CAPACITY[$kind]=$best
	OFFER[$kind]=$(awk -v c="$best" -v o="$OVERLOAD" 'BEGIN { printf "%.0f", c * o }')
	log "bench: $kind capacity ~$best/s -> offered rate ${OFFER[$kind]}/s (x$OVERLOAD)"
	record cal "$kind" 16 0 "capacity=$best" "offered=${OFFER[$kind]}"
}

# cli_rcvbuf: UDP receive-buffer drops in the client namespace (perfdhcp's own socket)
cli_rcvbuf() {
	ip netns exec "$LAB_CLI_NS" awk '/^Udp:/ { n++ } n == 2 && /^Udp:/ { print $6; exit }' \
		/proc/net/snmp 2>/dev/null || echo 0
}

tput_once() {   # KIND REP
	local kind=$1 rep=$2 f rate n t0 t1 lps dos dor ras rar cpu first c0 c1 verdict rss
	rate=${OFFER[$kind]}
	try_start "$kind" || return 1
	f=$SRV_DIR/tput.out
	if [ "$WORKLOAD" = new ]; then n=$CLIENTS; else n=$((rate * (DURATION + 5))); fi
	t0=$(srv_ticks)
	c0=$(cli_rcvbuf)
	rss_start "$SERIES/rss-$kind-$rep.tsv"
	pd "$f" -r "$rate" -R "$CLIENTS" -n "$n" -p "$DURATION" -d "$DROP_TIME" -t 1 ||
		log "bench: perfdhcp failed ($f)"
	rss_stop
	c1=$(cli_rcvbuf)
	t1=$(srv_ticks)
	pd_series "$f" "$SERIES/lps-$kind-$rep.tsv"
	rss=$(rss_max "$SERIES/rss-$kind-$rep.tsv")
	note_cmd throughput "-r OFFERED -R $CLIENTS -n $([ "$WORKLOAD" = new ] && echo "$CLIENTS" || echo "OFFEREDx$((DURATION + 5))") -p $DURATION -d $DROP_TIME -t 1"
	stop_server
	lps=$(pd_rate "$f"); lps=${lps:-0}
	dos=$(pd_field "$f" DO sent); dor=$(pd_field "$f" DO recv)
	ras=$(pd_field "$f" RA sent); rar=$(pd_field "$f" RA recv)
	cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" -v d="$DURATION" 'BEGIN { printf "%.0f", 100 * (b - a) / hz / d }')
	first=$(awk -v s="${dos:-0}" -v c="$CLIENTS" 'BEGIN { if (s <= 0) print 0; else printf "%.0f", 100 * (s < c ? s : c) / s }')
	# the verdict of docs/PERFORMANCE.md (Method): perfdhcp sent under 95 % of the rate, or its
	# socket dropped over 0.5 % of the replies: generator-limited; under 2 % of the
	# exchanges incomplete: not saturated (the figure is a lower bound)
	verdict=$(awk -v o="$rate" -v d="$DURATION" -v s="${dos:-0}" -v dr="${dor:-0}" \
		-v ra="${rar:-0}" -v cd=$((c1 - c0)) 'BEGIN {
		if (s < 0.95 * o * d || cd > 0.005 * (dr + ra)) print "generator-limited"
		else if (s > 0 && ra >= 0.98 * s) print "not-saturated"
		else print "ok" }')
	log "bench: throughput $kind round $rep: $lps leases/s (offered $rate/s; DISCOVER sent $dos, OFFER $dor; REQUEST $ras, ACK $rar; perfdhcp's socket dropped $((c1 - c0)); server CPU $cpu%; first-time $first%; peak RSS $rss KiB; $verdict)"
	record tput "$kind" 16 "$rep" "lps=$lps" "offered=$rate" "do_sent=${dos:-0}" "do_recv=${dor:-0}" \
		"ra_sent=${ras:-0}" "ra_recv=${rar:-0}" "cli_drops=$((c1 - c0))" "cpu_pct=$cpu" \
		"first_time_pct=$first" "rss_max_kib=$rss" "verdict=$verdict"
}

# --- phase 2: CPU per lease at a fixed rate ------------------------------------------
# cpu_auto: half the lower calibrated capacity of dhcpfod and kea (hundreds)
cpu_auto() {
	local c=0 s
	for s in dhcpfod kea; do
		[ -n "${CAPACITY[$s]:-}" ] || continue
		if [ "$c" = 0 ] || [ "${CAPACITY[$s]}" -lt "$c" ]; then c=${CAPACITY[$s]}; fi
	done
	[ "$c" = 0 ] && case "$RATE" in auto) c=4000 ;; *) c=$RATE ;; esac
	c=$((c / 2 / 100 * 100))
	echo $((c < 100 ? 100 : c))
}

cpu_once() {    # KIND RATE
	local kind=$1 rate=$2 f t0 t1 dos rar n per ok lat_do lat_ra cap=${CAPACITY[$1]:-}
	n=$((rate * CPU_SECONDS))
	if [ -n "$cap" ] && [ $((rate * 10)) -gt $((cap * 9)) ]; then
		log "bench: cpu $kind at $rate/s: left out, above 90 % of its capacity (~$cap/s)"
		record cpu "$kind" 16 0 "rate=$rate" "skipped=above its capacity (~$cap/s)"
		return 0
	fi
	try_start "$kind" || return 1
	f=$SRV_DIR/cpu-$rate.out
	t0=$(srv_ticks)
	pd "$f" -r "$rate" -R "$CLIENTS" -n "$n" -p $((CPU_SECONDS + 5)) -W 1000000 -d "$DROP_TIME" -x t ||
		log "bench: perfdhcp failed ($f)"
	t1=$(srv_ticks)
	note_cmd cpu "-r RATE -R $CLIENTS -n RATEx$CPU_SECONDS -p $((CPU_SECONDS + 5)) -W 1000000 -d $DROP_TIME -x t"
	read -r -a lat_do <<<"$(pd_latency "$f" DO)"
	read -r -a lat_ra <<<"$(pd_latency "$f" RA)"
	stop_server
	dos=$(pd_field "$f" DO sent); rar=$(pd_field "$f" RA recv)
	dos=${dos:-0} rar=${rar:-0}
	per=$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" -v n="$rar" 'BEGIN { if (n > 0) printf "%.1f", 1e6 * (b - a) / hz / n; else print "null" }')
	# below saturation means (nearly) every DISCOVER completed
	ok=$(awk -v s="$dos" -v r="$rar" 'BEGIN { print (s > 0 && r >= 0.98 * s) ? "true" : "false" }')
	log "bench: cpu $kind: $rar leases at $rate/s, $((t1 - t0))/$HZ s CPU -> $per us/lease$([ "$ok" = true ] || echo " (SATURATED: only $rar of $dos completed; not comparable)"); latency p50/p90/p99/max ms: DISCOVER-OFFER ${lat_do[*]}, REQUEST-ACK ${lat_ra[*]}"
	record cpu "$kind" 16 0 "rate=$rate" "leases=$rar" "discovers=$dos" "cpu_ticks=$((t1 - t0))" \
		"hz=$HZ" "us_per_lease=$per" "below_saturation=$ok" \
		"do_p50=${lat_do[0]}" "do_p90=${lat_do[1]}" "do_p99=${lat_do[2]}" "do_max=${lat_do[3]}" \
		"ra_p50=${lat_ra[0]}" "ra_p90=${lat_ra[1]}" "ra_p99=${lat_ra[2]}" "ra_max=${lat_ra[3]}"
}

# --- phase 3: first-time allocation, /24 vs /8 --------------------------------------
alloc_rate() {  # KIND -> the offered rate of phase 3
	if [ "$ALLOC_RATE" != auto ]; then echo "$ALLOC_RATE"; return; fi
	local c=${CAPACITY[$1]:-${OFFER[$1]}}
	awk -v c="$c" 'BEGIN { r = 3 * c; if (r < 300) r = 300; if (r > 30000) r = 30000; printf "%.0f", r }'
}

alloc_once() {  # KIND REP
	local kind=$1 rep=$2 f r n rate lim warm mode= c0 c1 us
	rate=$(alloc_rate "$kind")
	# dhcpd on the /8 is an experiment (ALLOC_DHCPD_8=1): its failure is only reported
	[ "$kind" = dhcpd ] && [ "$NET" = 8 ] && mode=soft
	if ! try_start "$kind" $mode; then
		[ -n "$mode" ] && { ALLOC_OFF[$kind.$NET]=1; record allocfail "$kind" "$NET" "$rep" "reason=$FAIL"; }
		return 1
	fi
	f=$SRV_DIR/alloc.out
	# warm-up: the readiness ping's two clients again, returning, for 1 s
	warm=$(awk -v r="$rate" 'BEGIN { w = r / 3; if (w > 2000) w = 2000; printf "%.0f", w }')
	pd "$SRV_DIR/warm.out" -r "$warm" -R 2 -n "$warm" -p 1 -d 1 -b mac=02:db:ff:00:00:00 ||
		log "bench: perfdhcp failed ($SRV_DIR/warm.out)"
	note_cmd warmup "-r min(ALLOC_RATE/3,2000) -R 2 -n SAME -p 1 -d 1 -b mac=02:db:ff:00:00:00"
	# -R above -n: the few DISCOVERs perfdhcp sends past -n are new clients too
	c0=$(srv_ns)
	pd "$f" -r "$rate" -R $((ALLOC_CLIENTS * 4)) -n "$ALLOC_CLIENTS" -p 10 -W 1000000 -d 2 -x t \
		-b "mac=00:0c:$(printf '%02x' $((0x40 + rep))):00:00:00" || log "bench: perfdhcp failed ($f)"
	c1=$(srv_ns)
	note_cmd alloc "-r ALLOC_RATE -R $((ALLOC_CLIENTS * 4)) -n $ALLOC_CLIENTS -p 10 -W 1000000 -d 2 -x t -b mac=00:0c:REP:00:00:00"
	stop_server
	read -r r n <<<"$(pd_burst_rate "$f")"
	lim=$(awk -v r="$r" -v o="$rate" 'BEGIN { print (r >= 0.9 * o) ? "true" : "false" }')
	us=$(awk -v a="$c0" -v b="$c1" -v n="$n" 'BEGIN { if (n > 0) printf "%.1f", (b - a) / 1000 / n; else print "null" }')
	log "bench: alloc /$NET $kind round $rep: $n of $ALLOC_CLIENTS new clients bound at $rate/s offered -> $r allocations/s$([ "$lim" = true ] && echo " (offered-limited: a lower bound)"), $us us CPU each"
	record alloc "$kind" "$NET" "$rep" "rate=$r" "bound=$n" "clients=$ALLOC_CLIENTS" "offered=$rate" \
		"offered_limited=$lim" "us_per_alloc=$us"
}

# report TSV JSON: results.json from the recorded lines; the table on stdout
report() {
	python3 - "$@" <<'PY'
import json, statistics, sys
tsv, out = sys.argv[1], sys.argv[2]
rows = []
for line in open(tsv):
    f = line.rstrip("\n").split("\t")
    kv = dict(x.split("=", 1) for x in f[4:] if "=" in x)
    rows.append((f[0], f[1], f[2], int(f[3]), kv))

def num(v):
    try:
        return float(v) if "." in v else int(v)
    except (TypeError, ValueError):
        return None if v in ("", "null", None) else v

def med(xs):
    xs = [x for x in xs if isinstance(x, (int, float))]
    return round(statistics.median(xs), 1) if xs else None

meta = {k: num(v) if k not in ("host", "kernel", "date", "rate", "workload", "perfdhcp") else v
        for p, _, _, _, kv in rows if p == "meta" for k, v in kv.items()}
labels = {"dhcpfod": "dhcpfod", "kea": "kea-dhcp4 (memfile)", "dhcpd": "ISC dhcpd"}
servers = {}
for p, s, net, rep, kv in rows:
    if p == "status":
        servers[s] = {"label": labels.get(s, s), "status": kv["status"],
                      "reason": kv.get("reason") or None, "version": kv.get("version") or None,
                      "throughput": None, "cpu": {}, "alloc": {}}
for p, s, net, rep, kv in rows:
    if s not in servers:
        continue
    e = servers[s]
    if p in ("cal", "tput"):
        t = e["throughput"] or {"capacity": None, "offered": None, "runs": [], "details": []}
        e["throughput"] = t
        if p == "cal":
            t["capacity"] = num(kv["capacity"])
        else:
            d = {k: num(v) for k, v in kv.items()}
            t["runs"].append(d["lps"])
            t["details"].append(d)
        t["offered"] = num(kv["offered"])
    elif p == "cpu":
        e["cpu"][kv["rate"]] = {k: (v == "true") if k == "below_saturation" else num(v)
                                if k != "skipped" else v for k, v in kv.items()}
    elif p == "allocfail":
        e["alloc"]["/" + net] = {"failed": kv["reason"], "runs": [], "median": None}
    elif p == "alloc":
        a = e["alloc"].setdefault("/" + net, {"offered": num(kv["offered"]), "runs": [], "bound": [],
                                              "clients": num(kv["clients"]), "us": []})
        a["runs"].append(num(kv["rate"]))
        a["bound"].append(num(kv["bound"]))
        a["us"].append(num(kv.get("us_per_alloc")))
for e in servers.values():
    if e["throughput"]:
        e["throughput"]["median"] = med(e["throughput"]["runs"])
    for a in e["alloc"].values():
        if "failed" in a:
            continue
        a["median"] = med(a["runs"])
        a["us_median"] = med(a["us"])
        # a median near the offered rate only says the server kept up: a lower bound
        a["offered_limited"] = a["median"] is not None and a["median"] >= 0.9 * a["offered"]

def mid(s):
    e = servers.get(s)
    if not e or e["status"] != "ok" or not e["throughput"]:
        return None
    return e["throughput"]["median"]

def ratio(a, b):
    x, y = mid(a), mid(b)
    return round(x / y, 3) if x is not None and y else None

ratios = {"dhcpfod_over_kea": ratio("dhcpfod", "kea"), "dhcpfod_over_dhcpd": ratio("dhcpfod", "dhcpd"),
          "kea_over_dhcpd": ratio("kea", "dhcpd")}
cpu_rates = str(meta.get("cpu_rates") or "").split()

def cpu_of(s, r):
    c = servers.get(s, {}).get("cpu", {}).get(r) or {}
    return c.get("us_per_lease") if c.get("below_saturation") else None

# CPU per lease, dhcpfod over kea, at each rate (target: <= 0.5)
for r in cpu_rates:
    x, y = cpu_of("dhcpfod", r), cpu_of("kea", r)
    ratios["cpu_dhcpfod_over_kea@%s" % r] = round(x / y, 3) if x is not None and y else None
# first-time allocation, /8 over /24, per server (target for dhcpfod: >= 0.9)
for s, e in servers.items():
    a8, a24 = (e["alloc"].get(n, {}).get("median") for n in ("/8", "/24"))
    if a8 is not None and a24:
        ratios["alloc_8_over_24_%s" % s] = round(a8 / a24, 3)
    # the same from the CPU each allocation cost (rate = 1 / cost): robust to the noise a
    # burst of a few tens of milliseconds picks up from anything else on the machine
    c8, c24 = (e["alloc"].get(n, {}).get("us_median") for n in ("/8", "/24"))
    if c8 and c24:
        ratios["alloc_cpu_8_over_24_%s" % s] = round(c24 / c8, 3)
cmds = {s: kv["line"] for p, s, _, _, kv in rows if p == "cmd"}
json.dump({"meta": meta, "commands": cmds, "servers": servers, "ratios": ratios},
          open(out, "w"), indent=2)

def f(v, fmt="{:.0f}"):
    return "-" if v is None else fmt.format(v)

print("DHCPv4 DORA benchmark (perfdhcp as relay agent, lab netns; %s workload, %s rounds of %ss)"
      % (meta.get("workload"), meta.get("reps"), meta.get("duration")))
hdr = ("server", "version", "offered/s", "leases/s runs", "median") + \
    tuple("us/lease@%s/s" % r for r in cpu_rates) + ("alloc/s /24", "alloc/s /8")
rowsout = []

def cpu_cell(c):
    if not c:
        return "-"
    if c.get("skipped"):
        return "n/a"
    return f(c.get("us_per_lease"), "{:.1f}") + ("" if c.get("below_saturation") else " SAT")

for s, e in servers.items():
    t = e["throughput"] or {}
    cpus = tuple(cpu_cell(e["cpu"].get(r)) for r in cpu_rates)
    def al(n):
        a = e["alloc"].get(n, {})
        if "failed" in a:
            return "failed"
        return f(a.get("median")) + (" >=" if a.get("offered_limited") else "")
    rowsout.append((e["label"], e["version"] or "-", f(t.get("offered")),
                    ",".join(f(x) for x in t.get("runs", [])) or "-", f(t.get("median"))) + cpus +
                   (al("/24"), al("/8")))
w = [max(len(r[i]) for r in rowsout + [hdr]) for i in range(len(hdr))]
for r in [hdr] + rowsout:
    print("  ".join(x.ljust(w[i]) for i, x in enumerate(r)).rstrip())
for n in ("/24", "/8"):
    for s, e in servers.items():
        a = e["alloc"].get(n)
        if a and "failed" in a:
            print("alloc %-3s %-20s failed: %s" % (n, e["label"], a["failed"]))
        elif a:
            print("alloc %-3s %-20s offered %s/s, runs %s (bound %s of %s), CPU us each %s (median %s)" % (
                n, e["label"], f(a["offered"]), ",".join(f(x) for x in a["runs"]),
                ",".join(f(x) for x in a["bound"]), f(a["clients"]),
                ",".join(f(x, "{:.1f}") for x in a["us"]), f(a["us_median"], "{:.1f}")))
for s, e in servers.items():
    t = e["throughput"]
    if t and t["details"]:
        print("throughput %-20s verdicts %s; perfdhcp socket drops %s; server CPU %%: %s" % (
            e["label"], ",".join(str(d.get("verdict")) for d in t["details"]),
            ",".join(f(d.get("cli_drops")) for d in t["details"]),
            ",".join(f(d.get("cpu_pct")) for d in t["details"])))
for r in cpu_rates:
    for s, e in servers.items():
        c = e["cpu"].get(r) or {}
        if c.get("do_p50") is None:
            continue
        print("latency %-20s at %s/s: DISCOVER-OFFER p50/p90/p99/max %s/%s/%s/%s ms, "
              "REQUEST-ACK %s/%s/%s/%s ms%s" % (
                  e["label"], r, *(c.get(k) for k in ("do_p50", "do_p90", "do_p99", "do_max",
                                                      "ra_p50", "ra_p90", "ra_p99", "ra_max")),
                  "" if c.get("below_saturation") else " (SATURATED)"))
for s, e in servers.items():
    t = e["throughput"]
    if t and t["details"]:
        print("memory %-20s peak RSS in the throughput rounds: %s KiB" % (
            e["label"], ",".join(f(d.get("rss_max_kib")) for d in t["details"])))
for k, v in ratios.items():
    print("%s = %s" % (k, "n/a" if v is None else v))
print("(us/lease: server CPU (utime+stime) per ACK at that offered rate; SAT = saturated there, n/a ="
      " above the server's capacity. alloc/s: new clients bound per second, %s per run; '>=' ="
      " offered-limited, a lower bound)" % meta.get("alloc_clients"))
for s, e in servers.items():
    if e["status"] != "ok":
        print("%s: %s: %s" % (e["label"], e["status"].upper(), e["reason"]))
PY
}

# --- run -----------------------------------------------------------------------------
LOAD0=$(cut -d' ' -f1 /proc/loadavg)
awk -v l="$LOAD0" 'BEGIN { exit !(l > 0.5) }' &&
	log "bench: WARNING: load average $LOAD0 before the start: something else is using the CPUs; figures will be low and noisy"
log "bench: $(date -u +%Y-%m-%dT%H:%M:%SZ) $(hostname) cpus=$(nproc) kernel=$(uname -r) perfdhcp $(perfdhcp -v 2>&1 | awk '{print $NF; exit}')"
log "bench: lab $LAB_SRV_NS ($LAB_SIF $LAB_SRV_IP) <-> $LAB_CLI_NS ($LAB_CIF $LAB_CLI_IP, the relay); servers: ${ACTIVE[*]}; pin=$PIN"

set_net 16
log "bench: == phase 1: throughput, /16 scope, $WORKLOAD workload, $REPS rounds of ${DURATION}s"
for s in "${ACTIVE[@]}"; do
	if [ "$RATE" = auto ]; then
		calibrate "$s"
	else
		OFFER[$s]=$RATE
	fi
done
has_phase throughput && for rep in $(seq "$REPS"); do
	for s in "${ACTIVE[@]}"; do running "$s" && tput_once "$s" "$rep"; done
done

CPU_LIST=""
for r in $CPU_RATES; do
	[ "$r" = auto ] && r=$(cpu_auto)
	case " $CPU_LIST " in *" $r "*) ;; *) CPU_LIST="$CPU_LIST $r" ;; esac
done
CPU_LIST=${CPU_LIST# }
if has_phase cpu; then
	log "bench: == phase 2: CPU per lease at ${CPU_LIST// //s, }/s for ${CPU_SECONDS}s each"
	for r in $CPU_LIST; do
		for s in "${ACTIVE[@]}"; do running "$s" && cpu_once "$s" "$r"; done
	done
fi

if has_phase alloc; then
	log "bench: == phase 3: first-time allocation, /24 scope (245 addresses) and /8 scope (8388607), $ALLOC_CLIENTS new clients, $ALLOC_REPS rounds, the two scopes alternating"
	for rep in $(seq "$ALLOC_REPS"); do
		for net in 24 8; do
			set_net "$net"
			for s in "${ACTIVE[@]}"; do
				running "$s" || continue
				[ -n "${ALLOC_OFF[$s.$net]:-}" ] && continue
				if [ "$s" = dhcpd ] && [ "$net" = 8 ] && [ "$ALLOC_DHCPD_8" != 1 ]; then
					[ "$rep" = 1 ] && log "bench: dhcpd left out of the /8: it builds (and writes out) one lease per address at start-up, 2.7 GB here, and answered no DORA within 135 s; ALLOC_DHCPD_8=1 tries anyway"
					continue
				fi
				alloc_once "$s" "$rep"
			done
		done
	done
fi

# --- report --------------------------------------------------------------------------
for s in $SERVERS; do
	record status "$s" - 0 "status=${STATUS[$s]}" "reason=${REASON[$s]:-}" "version=${VERSION[$s]:-}"
done
for k in "${!CMDS[@]}"; do record cmd "$k" - 0 "line=${CMDS[$k]}"; done
record meta - - 0 "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" "host=$(hostname)" "cpus=$(nproc)" \
	"kernel=$(uname -r)" "perfdhcp=$(perfdhcp -v 2>&1 | awk '{print $NF; exit}')" "reps=$REPS" \
	"duration=$DURATION" "rate=$RATE" "overload=$OVERLOAD" "clients=$CLIENTS" "workload=$WORKLOAD" \
	"cpu_rates=$CPU_LIST" "cpu_seconds=$CPU_SECONDS" "alloc_clients=$ALLOC_CLIENTS" \
	"alloc_rate=$ALLOC_RATE" "alloc_reps=$ALLOC_REPS" "pin=$PIN" "loadavg_start=$LOAD0"

report "$RES" "$OUT/results.json" | tee "$OUT/results.txt"
cp "$RES" "$OUT/results.tsv"
log "bench: results in $OUT/results.json"
if [ "$CHARTS" = 1 ]; then
	/usr/bin/python3 "$ROOT/scripts/bench-charts.py" bench "$OUT" >&2 ||
		log "bench: no charts (python3-matplotlib: scripts/install-deps)"
fi

failed=0
for s in "${ACTIVE[@]}"; do [ "${STATUS[$s]}" = ok ] || failed=1; done
exit "$failed"
