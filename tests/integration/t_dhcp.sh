#!/bin/bash
# The DHCP engine end to end (issue 3) with real clients in network namespaces:
# busybox udhcpc and ISC dhclient obtain, release and re-obtain leases with the
# scope's options, and renew them at T1; a reservation is honoured; a declined
# address is abandoned and never offered again; a relayed client (giaddr) gets
# an address of the relay's scope; perfdhcp completes thousands of exchanges
# with no drop or NAK; an exhausted scope offers nothing and counts it;
# malformed datagrams are dropped and counted; the leases are in the database.
# Needs root (namespaces); skipped with a message otherwise. Everything runs in
# namespaces this script creates and tears down, even on failure.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the DHCP tests need root for network namespaces (run: sudo make check)"
	exit 77
fi
for c in busybox dhclient perfdhcp; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "SKIP: $c is missing (scripts/install-deps --bench installs the peers)"
		exit 77
	}
done

. scripts/netns-lab.sh

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if eval "$1"; then ok; else bad "$2"; fi; }

ctl() { "$BUILD/dhcpfoctl" -s "$LAB_SOCK" "$@"; }
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

finish() {
	if [ "$fail" -gt 0 ] && [ -f "$LAB_DIR/dhcpfod.log" ]; then
		echo "---- dhcpfod log (tail) ----"
		tail -n 40 "$LAB_DIR/dhcpfod.log"
	fi
	echo "dhcp: $pass passed, $fail failed"
}

lab_require
lab_init
lab_install_trap
trap 'rc=$?; finish; (exit $rc); _lab_on_exit' EXIT
lab_up
CMAC=$(ip netns exec "$LAB_CLI_NS" cat "/sys/class/net/$LAB_CIF/address")

lab_dhcpfod_conf "$LAB_DIR/dhcpfod.conf" 67 debug
lab_run_server "$LAB_SRV_NS" "$LAB_DIR/dhcpfod.log" "$BUILD/dhcpfod" -c "$LAB_DIR/dhcpfod.conf"
DPID=$LAB_LAST_PID
lab_wait_socket "$LAB_SOCK" 10 "$DPID" || exit 1

ctl scope create 10.77.0.0/24 --range 10.77.0.100 10.77.0.109 --name lab \
	--option routers=10.77.0.1 --option domain_name_servers=10.77.0.53 \
	--option domain_name=lab.example --lease-time 600 >/dev/null
check '[ $? = 0 ]' "scope create"

# 1. udhcpc obtains a lease with the options
out=$(lab_lease_udhcpc "$LAB_CLI_NS" "$LAB_CIF" 3)
check 'echo "$out" | grep -q "ip=10.77.0.10[0-9] mask=24 router=10.77.0.1 serverid=10.77.0.1 lease=600"' \
	"udhcpc lease: $out"
IP1=$(echo "$out" | sed -n 's/.*ip=\([0-9.]*\).*/\1/p')
st=$(ctl -j lease get "${IP1:-0.0.0.0}" 2>&1)
check 'echo "$st" | grep -q "\"state\": \"ACTIVE\"" && echo "$st" | grep -q "$CMAC"' \
	"lease of $IP1 in the database: $st"
check 'echo "$st" | grep -q "\"hostname\": \"dfo-lab\""' "hostname recorded: $st"

# 2. the same client again gets the same address (renewal of its binding)
out2=$(lab_lease_udhcpc "$LAB_CLI_NS" "$LAB_CIF" 3)
check 'echo "$out2" | grep -q "ip=$IP1 "' "same client, same address: $out2"

# 3. dhclient obtains a lease too (its own client identifier: a new binding)
out3=$(lab_lease_dhclient "$LAB_CLI_NS" "$LAB_CIF" 10)
check 'echo "$out3" | grep -q "ip=10.77.0.10[0-9] mask=255.255.255.0 router=10.77.0.1 serverid=10.77.0.1 lease=600"' \
	"dhclient lease: $out3"

# 4. release: dhclient -r releases the lease it holds (from its address, which
# the lab's client script never configures: configure it for this step)
IP3=$(echo "$out3" | sed -n 's/.*ip=\([0-9.]*\).*/\1/p')
d=$LAB_DIR/dhclient
ip -n "$LAB_CLI_NS" addr add "${IP3:-10.77.0.250}/24" dev "$LAB_CIF"
ip netns exec "$LAB_CLI_NS" timeout 20 dhclient -4 -r -cf "$d/dhclient.conf" \
	-lf "$d/dhclient.leases" -pf "$d/dhclient.pid" -sf "$d/script" "$LAB_CIF" \
	>"$LAB_DIR/release.out" 2>&1
sleep 0.5
ip -n "$LAB_CLI_NS" addr del "${IP3:-10.77.0.250}/24" dev "$LAB_CIF"
st=$(ctl -j lease get "${IP3:-0.0.0.0}" 2>&1)
check 'echo "$st" | grep -q "\"state\": \"FREE\""' "released $IP3: $st"
rel=$(ctl -j stats | jget 'd["packets_received"]["DHCPRELEASE"]')
check '[ "$rel" = 1 ]' "one DHCPRELEASE received: $rel"

# 5. a reservation is honoured
ctl reservation add 10.77.0.0 10.77.0.105 "$CMAC" resv >/dev/null
out4=$(lab_lease_udhcpc "$LAB_CLI_NS" "$LAB_CIF" 3)
check 'echo "$out4" | grep -q "ip=10.77.0.105 "' "reservation honoured: $out4"
ctl reservation remove 10.77.0.0 10.77.0.105 >/dev/null

# 5b. renewals: each client keeps running with an 8 s lease, configures the
# address (in the client namespace only) and renews it at T1 by unicast
# (RFC 2131 §4.4.5); udhcpc -R releases it when stopped; both re-obtain one
ctl scope set 10.77.0.0 --lease-time 8 >/dev/null
cat >"$LAB_DIR/renew.script" <<'EOF'
#!/bin/sh
case "$1" in
bound|renew) ip addr replace "$ip/$mask" dev "$interface"
	echo "EVENT $1 ip=$ip lease=$lease" ;;
deconfig) ip -4 addr flush dev "$interface" ;;
esac
exit 0
EOF
chmod 0755 "$LAB_DIR/renew.script"
# wait_line FILE REGEX SECONDS PID: until FILE has a line matching REGEX
wait_line() {
	for _ in $(seq $(($3 * 10))); do
		grep -q "$2" "$1" && return 0
		lab_alive "$4" || break
		sleep 0.1
	done
	grep -q "$2" "$1"
}
req0=$(ctl -j stats | jget 'd["packets_received"]["DHCPREQUEST"]')
rel0=$(ctl -j stats | jget 'd["packets_received"]["DHCPRELEASE"]')
lab_bg "$LAB_CLI_NS" "$LAB_DIR/renew-udhcpc.out" timeout 40 busybox udhcpc -i "$LAB_CIF" \
	-f -R -t 4 -T 1 -A 1 -s "$LAB_DIR/renew.script" -x hostname:dfo-lab
UPID=$LAB_LAST_PID
wait_line "$LAB_DIR/renew-udhcpc.out" '^EVENT renew' 20 "$UPID"
RIP=$(sed -n 's/^EVENT bound ip=\([0-9.]*\).*/\1/p' "$LAB_DIR/renew-udhcpc.out" | head -n 1)
check '[ -n "$RIP" ] && grep -q "^EVENT bound ip=$RIP lease=8" "$LAB_DIR/renew-udhcpc.out" &&
	grep -q "^EVENT renew ip=$RIP lease=8" "$LAB_DIR/renew-udhcpc.out"' \
	"udhcpc renews $RIP at T1: $(cat "$LAB_DIR/renew-udhcpc.out")"
lab_stop "$UPID" 5
st=$(ctl -j lease get "${RIP:-0.0.0.0}" 2>&1)
check 'echo "$st" | grep -q "\"state\": \"FREE\""' "udhcpc -R released $RIP when stopped: $st"
rel1=$(ctl -j stats | jget 'd["packets_received"]["DHCPRELEASE"]')
check '[ "$rel1" = $((rel0 + 1)) ]' "one more DHCPRELEASE: $rel0 -> $rel1"
ip -n "$LAB_CLI_NS" -4 addr flush dev "$LAB_CIF"
out6=$(lab_lease_udhcpc "$LAB_CLI_NS" "$LAB_CIF" 3)
check 'echo "$out6" | grep -q "ip=10.77.0.10[0-9] .*lease=8"' "udhcpc re-obtains a lease: $out6"

d=$LAB_DIR/dhclient
cat >"$d/renew-script" <<'EOF'
#!/bin/sh
case "$reason" in
BOUND|RENEW|REBIND|REBOOT)
	ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface"
	echo "LEASE $reason ip=$new_ip_address lease=$new_dhcp_lease_time" ;;
RELEASE|EXPIRE|STOP) ip -4 addr flush dev "$interface" ;;
esac
exit 0
EOF
chmod 0755 "$d/renew-script"
: >"$d/dhclient.leases"
lab_bg "$LAB_CLI_NS" "$LAB_DIR/renew-dhclient.out" timeout 40 dhclient -4 -1 -d -v \
	-cf "$d/dhclient.conf" -lf "$d/dhclient.leases" -pf "$d/dhclient.pid" \
	-sf "$d/renew-script" "$LAB_CIF"
DPID2=$LAB_LAST_PID
wait_line "$LAB_DIR/renew-dhclient.out" '^LEASE RENEW' 20 "$DPID2"
DIP=$(sed -n 's/^LEASE BOUND ip=\([0-9.]*\).*/\1/p' "$LAB_DIR/renew-dhclient.out" | head -n 1)
check '[ -n "$DIP" ] && grep -q "^LEASE RENEW ip=$DIP lease=8" "$LAB_DIR/renew-dhclient.out"' \
	"dhclient renews $DIP at T1: $(grep '^LEASE' "$LAB_DIR/renew-dhclient.out")"
lab_stop "$DPID2" 3
ip netns exec "$LAB_CLI_NS" timeout 20 dhclient -4 -r -cf "$d/dhclient.conf" \
	-lf "$d/dhclient.leases" -pf "$d/dhclient.pid" -sf "$d/renew-script" "$LAB_CIF" \
	>"$LAB_DIR/release2.out" 2>&1
sleep 0.5
st=$(ctl -j lease get "${DIP:-0.0.0.0}" 2>&1)
check 'echo "$st" | grep -q "\"state\": \"FREE\""' "dhclient -r released $DIP: $st"
ip -n "$LAB_CLI_NS" -4 addr flush dev "$LAB_CIF"
out7=$(lab_lease_dhclient "$LAB_CLI_NS" "$LAB_CIF" 10)
check 'echo "$out7" | grep -q "ip=10.77.0.10[0-9] .*lease=8"' "dhclient re-obtains a lease: $out7"
req1=$(ctl -j stats | jget 'd["packets_received"]["DHCPREQUEST"]')
check '[ "$req1" -ge $((req0 + 6)) ]' "requests answered meanwhile: $req0 -> $req1"
ctl scope set 10.77.0.0 --lease-time 600 >/dev/null

# 5c. DECLINE: udhcpc's ARP check (-a) finds the offered address in use (the
# server's side answers ARP for it) and declines it: ABANDONED (RFC 2131 §4.3.3).
# Broadcast replies (-B): a reply unicast to that address would stay local there
ctl reservation add 10.77.0.0 10.77.0.108 "$CMAC" taken >/dev/null
ip -n "$LAB_SRV_NS" addr add 10.77.0.108/32 dev "$LAB_SIF"
dec0=$(ctl -j stats | jget 'd["packets_received"]["DHCPDECLINE"]')
ip netns exec "$LAB_CLI_NS" timeout 30 busybox udhcpc -i "$LAB_CIF" -n -q -f -B -t 2 -T 1 -A 1 \
	-a1000 -s "$LAB_DIR/udhcpc.script" >"$LAB_DIR/decline.out" 2>&1
dec1=$(ctl -j stats | jget 'd["packets_received"]["DHCPDECLINE"]')
st=$(ctl -j lease get 10.77.0.108 2>&1)
check '[ "$dec1" = $((dec0 + 1)) ] && echo "$st" | grep -q "\"state\": \"ABANDONED\""' \
	"a declined address is abandoned (DECLINEs $dec0 -> $dec1): $st $(tail -n 3 "$LAB_DIR/decline.out")"
# never offered again, not even to its reservation: the client gets another
check 'grep -q "^LEASE ip=10.77.0.10[0-7] " "$LAB_DIR/decline.out" &&
	[ "$(grep -c declining "$LAB_DIR/decline.out")" = 1 ]' \
	"after the DECLINE the client is offered another address: $(grep -E 'select|declin|LEASE' "$LAB_DIR/decline.out")"
ip -n "$LAB_SRV_NS" addr del 10.77.0.108/32 dev "$LAB_SIF"
ctl reservation remove 10.77.0.0 10.77.0.108 >/dev/null
ip -n "$LAB_CLI_NS" -4 addr flush dev "$LAB_CIF"

# 6. a relayed client gets an address of the relay's scope (perfdhcp as relay)
ctl scope create 10.88.0.0/24 --range 10.88.0.10 10.88.0.200 --name relayed >/dev/null
LAB_CLI_IP=10.77.0.2
ip -n "$LAB_CLI_NS" addr add 10.77.0.2/24 dev "$LAB_CIF"
lab_static_neigh
ip -n "$LAB_SRV_NS" route add 10.88.0.0/24 via 10.77.0.2 dev "$LAB_SIF"
ip -n "$LAB_CLI_NS" addr add 10.88.0.1/24 dev "$LAB_CIF"
ip netns exec "$LAB_CLI_NS" timeout 30 perfdhcp -4 -l 10.88.0.1 -r 100 -R 150 -n 150 -p 10 \
	10.77.0.1 >"$LAB_DIR/perfdhcp.out" 2>&1
prc=$?
# the REQUEST-ACK section of the final report
acks=$(awk '/Statistics for: REQUEST-ACK/ { s = 1 } s && /^received packets:/ { print $3; exit }' \
	"$LAB_DIR/perfdhcp.out")
check '[ "$prc" -le 3 ] && [ -n "$acks" ] && [ "$acks" -ge 140 ]' \
	"perfdhcp relayed exchanges (rc=$prc, ACKs $acks of 150): $(tail -n 5 "$LAB_DIR/perfdhcp.out")"
n=$(ctl -j lease list 10.88.0.0 | jget 'len([l for l in d["leases"] if l["state"]=="ACTIVE"])')
check '[ "$n" -ge "$acks" ] && [ "$n" -le 150 ]' "relayed leases in 10.88.0.0/24: $n (ACKs received $acks)"

# 6b. perfdhcp, thousands of relayed exchanges: every one completes (2 000
# clients, each twice: the second DORA finds its binding), no NAK, no drop
# on either side, no lease lost (bounded: 4 000 exchanges at 1 000/s; 400/s
# under the sanitizers, whose daemon is slower: the kernel's socket buffer
# would drop what nobody counts)
rate=1000; [ -n "${DHCPFOD_SAN:-}" ] && rate=400
ctl scope create 10.66.0.0/16 --range 10.66.1.1 10.66.255.254 --name load >/dev/null
ip -n "$LAB_CLI_NS" addr add 10.66.0.1/16 dev "$LAB_CIF"
ip -n "$LAB_SRV_NS" route add 10.66.0.0/16 via 10.77.0.2 dev "$LAB_SIF"
s0=$(ctl -j stats)
ip netns exec "$LAB_CLI_NS" timeout 60 perfdhcp -4 -l 10.66.0.1 -r "$rate" -R 2000 -n 4000 \
	-p 20 -W 2000000 10.77.0.1 >"$LAB_DIR/perfdhcp3.out" 2>&1
prc=$?
s1=$(ctl -j stats)
pd() {	# pd SECTION KEY: a figure of perfdhcp's report (DO: DISCOVER-OFFER, RA)
	awk -v want="$1" -v key="$2" '
		/Statistics for: DISCOVER-OFFER/ { s = "DO" } /Statistics for: REQUEST-ACK/ { s = "RA" }
		s == want && $0 ~ "^" key ":" { print $NF; exit }' "$LAB_DIR/perfdhcp3.out"
}
check '[ "$prc" = 0 ] && [ "$(pd RA "received packets")" = 4000 ] &&
	[ "$(pd DO drops)" = 0 ] && [ "$(pd RA drops)" = 0 ] &&
	[ "$(pd RA "rejected leases")" = 0 ]' \
	"perfdhcp: 4000 of 4000 exchanges, no drop, no rejected lease (rc=$prc): $(grep -E \
	'^(sent|received) packets|^drops|^rejected' "$LAB_DIR/perfdhcp3.out" | tr '\n' ' ')"
delta() { python3 -c "import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); \
print(eval(sys.argv[3]))" "$s0" "$s1" "$1"; }
check '[ "$(delta "sum(b[\"drops\"].values()) - sum(a[\"drops\"].values())")" = 0 ] &&
	[ "$(delta "b[\"packets_sent\"][\"DHCPNAK\"] - a[\"packets_sent\"][\"DHCPNAK\"]")" = 0 ] &&
	[ "$(delta "b[\"packets_sent\"][\"DHCPACK\"] - a[\"packets_sent\"][\"DHCPACK\"]")" -ge 4000 ]' \
	"the server: no drop, no NAK, every ACK sent: drops $(delta 'b["drops"]'), NAKs \
$(delta 'b["packets_sent"]["DHCPNAK"] - a["packets_sent"]["DHCPNAK"]'), ACKs \
$(delta 'b["packets_sent"]["DHCPACK"] - a["packets_sent"]["DHCPACK"]')"
n=$(ctl -j lease list 10.66.0.0 --limit 5000 | jget 'len([l for l in d["leases"] if l["state"]=="ACTIVE"])')
check '[ "$n" = 2000 ]' "2000 clients, 2000 ACTIVE leases: $n"

# 7. an exhausted scope answers no OFFER and counts it
ctl scope create 10.99.0.0/24 --range 10.99.0.10 10.99.0.10 --name tiny >/dev/null
ip -n "$LAB_CLI_NS" addr add 10.99.0.1/24 dev "$LAB_CIF"
ip -n "$LAB_SRV_NS" route add 10.99.0.0/24 via 10.77.0.2 dev "$LAB_SIF"
ip netns exec "$LAB_CLI_NS" timeout 20 perfdhcp -4 -l 10.99.0.1 -r 10 -R 5 -n 5 -p 3 \
	10.77.0.1 >"$LAB_DIR/perfdhcp2.out" 2>&1
ex=$(ctl -j stats | jget 'd["drops"]["exhausted"]')
check '[ "$ex" -ge 1 ]' "exhausted counted: $ex"
n=$(ctl -j lease list 10.99.0.0 | jget 'len([l for l in d["leases"] if l["state"]=="ACTIVE"])')
check '[ "$n" = 1 ]' "tiny scope has exactly one lease: $n"

# 8. statistics reflect the leases
s=$(ctl -j failover stats 10.77.0.0)
check 'echo "$s" | jget "d[\"addr_in_use\"] >= 1 and d[\"num_addr\"] == 10" | grep -q True' \
	"scope statistics: $s"

# 9. malformed datagrams are counted and dropped, never a crash
before=$(ctl -j stats | jget 'sum(d["drops"].values())')
ip netns exec "$LAB_CLI_NS" python3 - <<'PY'
import socket, struct
def pkt(op=1, htype=1, hlen=6, opts=b"\x35\x01\x01\xff", cookie=b"\x63\x82\x53\x63"):
    return (struct.pack("!BBBBIHHIIII", op, htype, hlen, 0, 0x1234, 0, 0x8000, 0, 0, 0, 0)
            + b"\x02" * 16 + b"\0" * 192 + cookie + opts)
bad = [b"", b"\x01" * 100, pkt()[:239],                 # truncated
       pkt(cookie=b"\0\0\0\0"),                        # no magic cookie
       pkt(opts=b"\x35\x01\x01\x0c\xff\x41"),            # option length past the end
       pkt(opts=b"\x35\x01\x01\x34\x01\x03\xff"),        # overload into empty fields
       pkt(hlen=255), pkt(op=2), pkt(htype=6)]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for b in bad * 10:
    s.sendto(b, ("10.77.0.1", 67))
PY
sleep 1
after=$(ctl -j stats | jget 'sum(d["drops"].values())')
check '[ $((after - before)) -ge 80 ]' "malformed datagrams dropped and counted: $before -> $after"
out5=$(lab_lease_udhcpc "$LAB_CLI_NS" "$LAB_CIF" 3)
check 'echo "$out5" | grep -q "ip=10.77.0.10"' "served after the garbage: $out5"

# 10. the daemon survived and stops cleanly
lab_alive "$DPID"
check '[ $? = 0 ]' "dhcpfod alive"
lab_stop "$DPID" 10
rc=$?
check '[ "$rc" = 0 ]' "dhcpfod exit status on SIGTERM: $rc"

[ "$fail" = 0 ]
