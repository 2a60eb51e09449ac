#!/bin/bash
# Durability (issue 3, DESIGN §3 group commit): dhcpfod is killed with SIGKILL
# under perfdhcp load and restarted; every address a client received a
# DHCPACK for (from a capture of the ACKs on the wire) must be in the database
# with that client. Needs root, perfdhcp and tshark; skipped otherwise.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the durability test needs root for network namespaces (run: sudo make check)"
	exit 77
fi
for c in perfdhcp tshark; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "SKIP: $c is missing (scripts/install-deps --bench installs it)"
		exit 77
	}
done

. scripts/netns-lab.sh

fails=0
checks=0
check() {
	checks=$((checks + 1))
	if ! eval "$1"; then fails=$((fails + 1)); echo "FAIL: $2"; fi
}

lab_require
lab_init
lab_install_trap
LAB_CLI_IP=10.77.0.2
lab_up
lab_static_neigh
ip -n "$LAB_CLI_NS" addr add 10.88.0.1/16 dev "$LAB_CIF"
ip -n "$LAB_SRV_NS" route add 10.88.0.0/16 via 10.77.0.2 dev "$LAB_SIF"

lab_dhcpfod_conf "$LAB_DIR/dhcpfod.conf" 67 warning
start_daemon() {
	lab_run_server "$LAB_SRV_NS" "$LAB_DIR/dhcpfod.log.$1" "$BUILD/dhcpfod" \
		-c "$LAB_DIR/dhcpfod.conf"
	DPID=$LAB_LAST_PID
	lab_wait_socket "$LAB_SOCK" 10 "$DPID" || exit 1
}
ctl() { "$BUILD/dhcpfoctl" -s "$LAB_SOCK" "$@"; }

start_daemon 1
ctl scope create 10.88.0.0/16 --range 10.88.0.10 10.88.255.250 --name load >/dev/null ||
	exit 1

# capture every ACK the relay receives, then load, then kill -9 mid-load
PCAP=$LAB_DIR/acks.pcap
lab_bg "$LAB_CLI_NS" "$LAB_DIR/tshark.out" timeout 60 tshark -q -i "$LAB_CIF" \
	-f "udp src port 67 and src host 10.77.0.1" -w "$PCAP"
TPID=$LAB_LAST_PID
sleep 2
lab_bg "$LAB_CLI_NS" "$LAB_DIR/perfdhcp.out" timeout 30 perfdhcp -4 -l 10.88.0.1 \
	-r 1500 -R 30000 -p 8 10.77.0.1
PPID_=$LAB_LAST_PID
sleep 3
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null
sleep 1
lab_stop "$PPID_" 3
sleep 1
lab_stop "$TPID" 5

acked=$LAB_DIR/acked.txt
tshark -r "$PCAP" -Y "dhcp.option.dhcp == 5" -T fields -E occurrence=f -e dhcp.ip.your \
	-e dhcp.hw.mac_addr 2>/dev/null | sort -u >"$acked"
n=$(wc -l <"$acked")
check '[ "$n" -ge 100 ]' "ACKs captured before the kill: $n (want a loaded run)"

start_daemon 2
python3 - "$acked" "$BUILD/dhcpfoctl" "$LAB_SOCK" <<'EOF' || fails=$((fails + 1))
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
print("durability: %d ACKed addresses, %d leases in the database, %d missing, %d wrong"
      % (len(acked), len(have), len(missing), len(wrong)))
for ip in (missing + wrong)[:10]:
    print("FAIL: ACKed %s to %s, database has %r" % (ip, acked[ip], have.get(ip)))
sys.exit(1 if missing or wrong else 0)
EOF
checks=$((checks + 1))
lab_stop "$DPID" 10
echo "durability: $((checks - fails)) passed, $fails failed"
[ "$fails" = 0 ]
