# shellcheck shell=bash
# disk_lib.sh: what the storage tests (t_disk_full.sh, t_disk_eio.sh) share,
# sourced after scripts/netns-lab.sh once the lab is up: a dhcpfod under
# perfdhcp load in phases, the capture of every DHCPACK on the wire, the
# checks of a failing and of a recovered storage (server.status, metrics,
# server.stats, the log), and the end: SIGKILL, restart, every captured ACK
# in the database, PRAGMA integrity_check clean. Uses DB (the database
# path) and LAB_* of the lab.

fails=0
checks=0
check() {
	checks=$((checks + 1))
	if ! eval "$1"; then fails=$((fails + 1)); echo "FAIL: $2"; fi
}
ctl() { "$BUILD/dhcpfoctl" -s "$LAB_SOCK" "$@"; }

# json EXPR: EXPR (Python, on the object j) of `dhcpfoctl -j` output on stdin
json() { python3 -c 'import json,sys; j=json.load(sys.stdin); v='"$1"'; print(json.dumps(v) if isinstance(v,(dict,list,bool)) or v is None else v)'; }
storage() { ctl -j status | json "j['storage']$1"; }
metric() { ctl metrics | awk -v m="$1" '$1 == m { print $2 }'; }
drops_storage() { ctl -j stats | json "j['drops']['storage']"; }

DISK_PHASES=0
# disk_start N [PREFIX...]: dhcpfod with its log in LAB_DIR/dhcpfod.log.N,
# started through PREFIX (env LD_PRELOAD=...) when given; DPID.
disk_start() {
	local n=$1
	shift
	DLOG=$LAB_DIR/dhcpfod.log.$n
	lab_run_server "$LAB_SRV_NS" "$DLOG" "$@" "$BUILD/dhcpfod" -c "$LAB_DIR/dhcpfod.conf"
	DPID=$LAB_LAST_PID
	lab_wait_socket "$LAB_SOCK" 10 "$DPID" || exit 1
}

# disk_capture: every DHCPACK the relay receives, into LAB_DIR/acks.pcap.
disk_capture() {
	PCAP=$LAB_DIR/acks.pcap
	lab_bg "$LAB_CLI_NS" "$LAB_DIR/tshark.out" timeout 240 tshark -q -i "$LAB_CIF" \
		-f "udp src port 67 and src host 10.77.0.1" -w "$PCAP"
	TPID=$LAB_LAST_PID
	sleep 2
}

# disk_load SECONDS NAME: perfdhcp as a relay for SECONDS, new clients; its
# output in LAB_DIR/perfdhcp.NAME (spaces as _), its ACKs by acks_in_phase.
disk_load() {
	local out=$LAB_DIR/perfdhcp.${2// /_}
	DISK_PHASES=$((DISK_PHASES + 1))
	lab_bg "$LAB_CLI_NS" "$out" timeout $(($1 + 20)) perfdhcp -4 -l 10.88.0.1 \
		-r 300 -R 20000 -p "$1" 10.77.0.1
	wait "$LAB_LAST_PID" 2>/dev/null
}
acks_in_phase() {
	awk '/Statistics for: REQUEST-ACK/ { s = 1 } s && /^received packets:/ { print $3; exit }' \
		"$LAB_DIR/perfdhcp.${1// /_}"
}

# disk_assert_failing KIND LOGTEXT RPCTEXT: the phase that just ran got no
# DHCPACK; status, metrics, stats and the log say the storage fails (one
# line for the episode, not one per packet); the management socket answers
# and a write there fails with 20013 and SQLite's message.
DISK_EPISODES=0
disk_assert_failing() {
	local kind=$1 logtext=$2 rpctext=$3 phase out n
	phase=$(ls -t "$LAB_DIR"/perfdhcp.* | head -n 1)
	phase=${phase##*/perfdhcp.}
	DISK_EPISODES=$((DISK_EPISODES + 1))
	n=$(acks_in_phase "$phase")
	check '[ "$n" = 0 ]' "phase $phase: no DHCPACK while the storage fails (got $n)"
	check '[ "$(storage "[\"ok\"]")" = false ]' "phase $phase: server.status storage.ok is false: $(ctl -j status | json "j['storage']")"
	check '[ "$(storage "[\"kind\"]")" = "$kind" ]' "phase $phase: storage.kind $kind: $(storage "['kind']")"
	check 'storage "[\"error\"]" | grep -qF "$DB"' "phase $phase: storage.error names the database: $(storage "['error']")"
	check '[ "$(storage "[\"since\"]")" -gt 0 ]' "phase $phase: storage.since set"
	check '[ "$(metric dhcpfod_storage_ok)" = 0 ]' "phase $phase: metric dhcpfod_storage_ok 0"
	check '[ "$(metric dhcpfod_storage_failures_total)" -gt 0 ]' "phase $phase: metric dhcpfod_storage_failures_total"
	n=$(drops_storage)
	check '[ "$n" -gt "${DISK_DROPS:-0}" ]' "phase $phase: requests counted as drops (storage): $n"
	DISK_DROPS=$n
	check 'grep -F "storage failing" "$DLOG" | tail -n 1 | grep -qF "$logtext"' \
		"phase $phase: the log names the cause ($logtext): $(grep -F "storage failing" "$DLOG" | tail -n 1)"
	n=$(grep -c "storage failing" "$DLOG")
	check '[ "$n" = "$DISK_EPISODES" ]' "phase $phase: one log line per failing episode, not per packet ($n lines for $DISK_EPISODES)"
	out=$(ctl scope create 10.99.0.0/24 --range 10.99.0.10 10.99.0.20 2>&1)
	check 'echo "$out" | grep -q 20013 && echo "$out" | grep -qF "$rpctext"' \
		"phase $phase: an RPC write fails with 20013 and SQLite's message: $out"
	check 'ctl scope get 10.99.0.0 >/dev/null 2>&1; [ $? != 0 ]' \
		"phase $phase: the refused RPC write left nothing behind"
	check 'ctl -j lease list 10.88.0.0 --limit 5 >/dev/null' "phase $phase: reads still work"
}

# disk_expect_ok SECONDS: the storage recovers by itself within SECONDS.
disk_expect_ok() {
	local i
	for i in $(seq $(($1 * 10))); do
		[ "$(storage "['ok']")" = true ] && break
		sleep 0.1
	done
	check '[ "$(storage "[\"ok\"]")" = true ]' "the storage recovers by itself within $1 s: $(ctl -j status | json "j['storage']")"
	check '[ "$(metric dhcpfod_storage_ok)" = 1 ]' "metric dhcpfod_storage_ok back to 1"
}

# disk_finish: SIGKILL, restart (DISK_RESTART_PREFIX), every captured ACK in
# the database with its client, a clean stop, integrity_check; the summary.
disk_finish() {
	sleep 1
	lab_stop "$TPID" 5
	kill -KILL "$DPID"
	wait "$DPID" 2>/dev/null
	tshark -r "$PCAP" -Y "dhcp.option.dhcp == 5" -T fields -E occurrence=f \
		-e dhcp.ip.your -e dhcp.hw.mac_addr 2>/dev/null | sort -u >"$LAB_DIR/acked.txt"
	check '[ "$(wc -l <"$LAB_DIR/acked.txt")" -ge 100 ]' "ACKs captured: $(wc -l <"$LAB_DIR/acked.txt")"
	disk_start 2
	python3 - "$LAB_DIR/acked.txt" "$BUILD/dhcpfoctl" "$LAB_SOCK" <<'EOF' || fails=$((fails + 1))
import json, subprocess, sys
acked = {}
for line in open(sys.argv[1]):
    ip, mac = line.split()
    acked[ip] = mac.lower()
have, frm = {}, None
while True:
    args = [sys.argv[2], "-s", sys.argv[3], "-j", "lease", "list", "10.88.0.0", "--limit", "10000"]
    if frm:
        args += ["--from", frm]
    r = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
    for l in r["leases"]:
        have[l["address"]] = (l["hwaddr"], l["state"])
    frm = r["next"]
    if not frm:
        break
missing = [ip for ip in acked if ip not in have]
wrong = [ip for ip in acked if ip in have and
         (have[ip][0] != acked[ip] or have[ip][1] != "ACTIVE")]
print("after restart: %d ACKed addresses, %d leases in the database, %d missing, %d wrong"
      % (len(acked), len(have), len(missing), len(wrong)))
for ip in (missing + wrong)[:10]:
    print("FAIL: ACKed %s to %s, database has %r" % (ip, acked[ip], have.get(ip)))
sys.exit(1 if missing or wrong else 0)
EOF
	checks=$((checks + 1))
	lab_stop "$DPID" 10
	local ic
	ic=$(sqlite3 "$DB" "PRAGMA integrity_check" 2>&1)
	check '[ "$ic" = ok ]' "PRAGMA integrity_check: $ic"
	echo "${0##*/}: $((checks - fails)) passed, $fails failed"
	[ "$fails" = 0 ]
}
