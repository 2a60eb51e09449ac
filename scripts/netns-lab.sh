# shellcheck shell=bash
# netns-lab.sh: a private DHCP lab in network namespaces. A library for bash (not POSIX
# sh: it uses arrays and `local`); source it from scripts/demo.sh, scripts/bench.sh or a
# test, as root:
#
#   . scripts/netns-lab.sh
#   lab_init                      # names and a temp dir, all with this shell's PID
#   lab_install_trap              # lab_down on EXIT INT TERM HUP, exit status kept
#   lab_up                        # server ns + client ns + one veth pair between them
#   lab_dhcpfod_conf "$LAB_DIR/dhcpfod.conf"
#   lab_run_server "$LAB_SRV_NS" "$LAB_DIR/dhcpfod.log" build/dhcpfod -c "$LAB_DIR/dhcpfod.conf"
#   lab_wait_socket "$LAB_SOCK" 10 "$LAB_LAST_PID"
#   lab_lease_udhcpc "$LAB_CLI_NS" "$LAB_CIF" 3
#
# Safety: both namespaces are new and private; the veth pair is created directly inside
# them (it never exists in the host's namespace); no route leads out; no host interface is
# touched or moved. Everything the lab starts (lab_bg, lab_run_server, the clients) runs
# inside the two namespaces; lab_down kills, by PID, every process it finds there (and
# nothing else), then deletes the namespaces (and with them the veth). Names carry the PID (dfo-srv-PID, dfo-cli-PID,
# veths dfosPID/dfocPID) so parallel runs never collide.
#
# Addresses (defaults; set before lab_up): server side LAB_SRV_IP/LAB_PREFIX =
# 10.77.0.1/24; client side LAB_CLI_IP empty = unnumbered (a real client asks by
# broadcast), or e.g. 10.77.0.2 when the client namespace plays a relay agent (perfdhcp).

LAB_TAG=${LAB_TAG:-dfo}
LAB_SRV_IP=${LAB_SRV_IP:-10.77.0.1}
LAB_CLI_IP=${LAB_CLI_IP:-}
LAB_PREFIX=${LAB_PREFIX:-24}
LAB_KEEP=${LAB_KEEP:-0}         # 1: keep LAB_DIR (configs, logs, captures) after lab_down
LAB_DEBUG=${LAB_DEBUG:-0}
LAB_UP=0
LAB_PIDS=()
LAB_LAST_PID=""
LAB_LEASE=""

lab_log() { printf '%s\n' "$*" >&2; }
lab_dbg() { [ "$LAB_DEBUG" = 1 ] && printf 'lab: %s\n' "$*" >&2; return 0; }
lab_die() { lab_log "lab: error: $*"; exit 1; }

# lab_require: root, kernel network-namespace and veth support, the ip tool.
lab_require() {
	[ "$(id -u)" = 0 ] || lab_die "must run as root (network namespaces)"
	command -v ip >/dev/null 2>&1 || lab_die "missing command: ip (iproute2)"
	[ -e /proc/self/ns/net ] || lab_die "the kernel has no network-namespace support (no /proc/self/ns/net)"
	ip netns list >/dev/null 2>&1 || lab_die "'ip netns' does not work here"
}

# lab_init [ID]: names, addresses and a fresh temp dir (LAB_DIR); nothing is created yet.
lab_init() {
	LAB_ID=${1:-$$}
	LAB_SRV_NS=$LAB_TAG-srv-$LAB_ID
	LAB_CLI_NS=$LAB_TAG-cli-$LAB_ID
	LAB_SIF=${LAB_TAG}s$LAB_ID        # IFNAMSIZ: at most 15 characters
	LAB_CIF=${LAB_TAG}c$LAB_ID
	[ ${#LAB_SIF} -le 15 ] || lab_die "interface name $LAB_SIF too long (LAB_TAG too long?)"
	LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/$LAB_TAG-lab.$LAB_ID.XXXXXX") || lab_die "mktemp"
	LAB_SOCK=$LAB_DIR/dhcpfod/ctl.sock
	LAB_PIDS=()
	LAB_UP=0
}

# lab_install_trap: lab_down on any exit; INT/TERM/HUP end the script (through EXIT).
# A caller with its own cleanup calls lab_down from it instead.
lab_install_trap() {
	trap '_lab_on_exit' EXIT
	trap 'lab_log "interrupted"; exit 130' INT TERM HUP
}
_lab_on_exit() {
	local rc=$? was_up=$LAB_UP
	trap - EXIT INT TERM HUP
	lab_down
	if [ "$was_up" = 1 ]; then
		if lab_check_clean; then
			lab_log "lab: torn down: no namespace, veth or process of lab $LAB_ID left"
		else
			lab_log "lab: error: teardown left something behind (above)"
			[ "$rc" = 0 ] && rc=1
		fi
	fi
	exit "$rc"
}

_lab_ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }

# lab_up: both namespaces, loopback up in each, IPv6 off, the veth pair with addresses.
lab_up() {
	[ -n "${LAB_SRV_NS:-}" ] || lab_die "lab_up before lab_init"
	_lab_ns_exists "$LAB_SRV_NS" && lab_die "netns $LAB_SRV_NS exists already"
	_lab_ns_exists "$LAB_CLI_NS" && lab_die "netns $LAB_CLI_NS exists already"
	LAB_UP=1        # from here on lab_down has something to undo
	ip netns add "$LAB_SRV_NS" || lab_die "ip netns add $LAB_SRV_NS"
	ip netns add "$LAB_CLI_NS" || lab_die "ip netns add $LAB_CLI_NS"
	local ns
	for ns in "$LAB_SRV_NS" "$LAB_CLI_NS"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
		ip -n "$ns" link set lo up || lab_die "loopback up in $ns"
	done
	# created directly inside the two namespaces: the pair never appears on the host
	ip link add "$LAB_SIF" netns "$LAB_SRV_NS" type veth peer name "$LAB_CIF" netns "$LAB_CLI_NS" ||
		lab_die "cannot create the veth pair (no veth support in the kernel?)"
	lab_set_addrs "$LAB_PREFIX"
	ip -n "$LAB_SRV_NS" link set "$LAB_SIF" up
	ip -n "$LAB_CLI_NS" link set "$LAB_CIF" up
	local _
	for _ in $(seq 50); do
		ip -n "$LAB_SRV_NS" link show "$LAB_SIF" | grep -q LOWER_UP &&
			ip -n "$LAB_CLI_NS" link show "$LAB_CIF" | grep -q LOWER_UP && {
			lab_dbg "up: $LAB_SRV_NS/$LAB_SIF $LAB_SRV_IP/$LAB_PREFIX <-> $LAB_CLI_NS/$LAB_CIF ${LAB_CLI_IP:-unnumbered}"
			return 0
		}
		sleep 0.1
	done
	lab_die "the veth pair did not come up"
}

# lab_set_addrs PREFIX: (re)address both ends: LAB_SRV_IP/PREFIX, LAB_CLI_IP/PREFIX if set.
lab_set_addrs() {
	LAB_PREFIX=$1
	ip -n "$LAB_SRV_NS" addr flush dev "$LAB_SIF"
	ip -n "$LAB_CLI_NS" addr flush dev "$LAB_CIF"
	ip -n "$LAB_SRV_NS" addr add "$LAB_SRV_IP/$LAB_PREFIX" dev "$LAB_SIF" ||
		lab_die "address $LAB_SRV_IP/$LAB_PREFIX"
	if [ -n "$LAB_CLI_IP" ]; then
		ip -n "$LAB_CLI_NS" addr add "$LAB_CLI_IP/$LAB_PREFIX" dev "$LAB_CIF" ||
			lab_die "address $LAB_CLI_IP/$LAB_PREFIX"
	fi
}

# lab_static_neigh: permanent ARP entries for both ends (needs LAB_CLI_IP), so that the
# first burst of a load test does not die in the neighbour queue (a few packets per
# unresolved address) while ARP resolves.
lab_static_neigh() {
	local smac cmac
	[ -n "$LAB_CLI_IP" ] || return 0
	smac=$(ip netns exec "$LAB_SRV_NS" cat "/sys/class/net/$LAB_SIF/address")
	cmac=$(ip netns exec "$LAB_CLI_NS" cat "/sys/class/net/$LAB_CIF/address")
	ip -n "$LAB_SRV_NS" neigh replace "$LAB_CLI_IP" lladdr "$cmac" dev "$LAB_SIF" nud permanent &&
		ip -n "$LAB_CLI_NS" neigh replace "$LAB_SRV_IP" lladdr "$smac" dev "$LAB_CIF" nud permanent
}

# --- processes ---------------------------------------------------------------------

lab_alive() {   # PID: running and not a zombie
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}

# _lab_ours PID: the process lives in one of this lab's namespaces (so a PID that was
# reaped and reused by someone else is never signalled)
_lab_ours() {
	local ns
	ns=$(ip netns identify "$1" 2>/dev/null) || return 1
	[ -n "$ns" ] && { [ "$ns" = "$LAB_SRV_NS" ] || [ "$ns" = "$LAB_CLI_NS" ]; }
}

lab_ns_pids() { # NS: live processes in that namespace
	local p
	for p in $(ip netns pids "$1" 2>/dev/null); do lab_alive "$p" && echo "$p"; done
}

# lab_bg NS LOG CMD...: start CMD in NS in the background, output to LOG; LAB_LAST_PID.
# (`ip netns exec` execs CMD, so the PID is CMD's own.)
lab_bg() {
	local ns=$1 out=$2
	shift 2
	ip netns exec "$ns" "$@" >"$out" 2>&1 </dev/null &
	LAB_LAST_PID=$!
	LAB_PIDS+=("$LAB_LAST_PID")
	lab_dbg "started pid $LAB_LAST_PID in $ns: $*"
}

# lab_run_server NS LOG CMD...: as lab_bg, pinned to LAB_SRV_CPU when that is set.
lab_run_server() {
	local ns=$1 out=$2
	shift 2
	if [ -n "${LAB_SRV_CPU:-}" ]; then
		lab_bg "$ns" "$out" taskset -c "$LAB_SRV_CPU" "$@"
	else
		lab_bg "$ns" "$out" "$@"
	fi
}

# lab_stop PID [SECONDS]: SIGTERM, then SIGKILL after SECONDS (5), only while PID is in
# one of the lab's namespaces; reaps it. Returns the process's exit status when it was
# our child (143 = killed by TERM, 137 = KILL).
lab_stop() {
	local pid=$1 lim=${2:-5} _ rc=0
	[ -n "$pid" ] || return 0
	_lab_ours "$pid" && kill -TERM "$pid" 2>/dev/null
	for _ in $(seq $((lim * 20))); do lab_alive "$pid" || break; sleep 0.05; done
	if lab_alive "$pid" && _lab_ours "$pid"; then
		lab_log "lab: pid $pid ignored SIGTERM for ${lim}s: SIGKILL"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null || rc=$?
	return "$rc"
}

# lab_kill_ns NS: kill (by PID) every process living in NS, TERM first, KILL last.
lab_kill_ns() {
	local ns=$1 sig pids p _
	for sig in TERM TERM KILL; do
		pids=$(lab_ns_pids "$ns")
		[ -z "$pids" ] && return 0
		for p in $pids; do kill -s "$sig" "$p" 2>/dev/null; done
		for _ in $(seq 20); do
			[ -z "$(lab_ns_pids "$ns")" ] && return 0
			sleep 0.1
		done
	done
}

# lab_down: idempotent teardown: every process in the two namespaces (everything the lab
# started runs there), both namespaces (the veth goes with them), the temp dir unless
# LAB_KEEP=1.
lab_down() {
	local p ns
	if [ "$LAB_UP" = 1 ]; then
		for ns in "$LAB_CLI_NS" "$LAB_SRV_NS"; do
			_lab_ns_exists "$ns" || continue
			lab_kill_ns "$ns"
		done
	fi
	for p in "${LAB_PIDS[@]}"; do
		wait "$p" 2>/dev/null       # reap (a no-op for what is not our child)
	done
	LAB_PIDS=()
	if [ "$LAB_UP" = 1 ]; then
		ip -n "$LAB_SRV_NS" link del "$LAB_SIF" 2>/dev/null
		for ns in "$LAB_CLI_NS" "$LAB_SRV_NS"; do
			_lab_ns_exists "$ns" && ip netns del "$ns"
		done
		LAB_UP=0
	fi
	if [ -n "${LAB_DIR:-}" ] && [ -d "$LAB_DIR" ]; then
		if [ "$LAB_KEEP" = 1 ]; then
			lab_log "lab: kept $LAB_DIR"
		else
			rm -rf "$LAB_DIR"
		fi
	fi
	return 0
}

# lab_check_clean: after lab_down, 0 when nothing of this lab is left (namespaces, veths,
# processes); prints what is left otherwise.
lab_check_clean() {
	local left=0 p ns ifc
	for ns in "$LAB_SRV_NS" "$LAB_CLI_NS"; do
		_lab_ns_exists "$ns" && { lab_log "lab: left behind: netns $ns"; left=1; }
	done
	for ifc in "$LAB_SIF" "$LAB_CIF"; do
		ip link show "$ifc" >/dev/null 2>&1 && { lab_log "lab: left behind: link $ifc"; left=1; }
	done
	# anything still running with this lab's temp dir or namespaces on its command line
	for p in $(pgrep -f "$LAB_TAG-(lab\.$LAB_ID\.|srv-$LAB_ID( |\$)|cli-$LAB_ID( |\$))" 2>/dev/null); do
		lab_log "lab: left behind: pid $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
		left=1
	done
	return "$left"
}

# --- waiting -----------------------------------------------------------------------

# lab_wait_socket PATH [SECONDS] [PID]: until PATH is a Unix socket that accepts a
# connection (10 s); fails at once when PID (the server) has exited.
lab_wait_socket() {
	local path=$1 lim=${2:-10} pid=${3:-} _
	for _ in $(seq $((lim * 20))); do
		if [ -S "$path" ]; then
			if ! command -v python3 >/dev/null 2>&1 ||
				python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])' \
					"$path" 2>/dev/null; then
				return 0
			fi
		fi
		if [ -n "$pid" ] && ! lab_alive "$pid"; then
			lab_log "lab: pid $pid exited before $path accepted connections"
			return 1
		fi
		sleep 0.05
	done
	lab_log "lab: $path did not accept connections within ${lim}s"
	return 1
}

# lab_wait_udp NS PORT [SECONDS] [PID]: until something in NS listens on UDP PORT.
lab_wait_udp() {
	local ns=$1 port=$2 lim=${3:-15} pid=${4:-} _
	for _ in $(seq $((lim * 10))); do
		[ -n "$(ip netns exec "$ns" ss -Hlun "sport = :$port" 2>/dev/null)" ] && return 0
		if [ -n "$pid" ] && ! lab_alive "$pid"; then
			lab_log "lab: pid $pid exited before listening on UDP $port"
			return 1
		fi
		sleep 0.1
	done
	lab_log "lab: nothing listens on UDP $port in $ns after ${lim}s"
	return 1
}

# --- dhcpfod -------------------------------------------------------------------------

# lab_dhcpfod_conf FILE [DHCP_PORT] [LOG_LEVEL] [DIR]: a dhcpfod config for the lab: DHCP
# on the server veth only, database and control socket in DIR (LAB_DIR/dhcpfod; sets
# LAB_SOCK), the failover listener on the server namespace's own loopback (no partner).
lab_dhcpfod_conf() {
	local f=$1 port=${2:-67} level=${3:-info} dir=${4:-$LAB_DIR/dhcpfod}
	mkdir -p "$dir"
	LAB_SOCK=$dir/ctl.sock
	cat >"$f" <<EOF
; dhcpfod in the netns lab $LAB_ID (scripts/netns-lab.sh)
[server]
interfaces = $LAB_SIF
database = $dir/dhcpfod.db
control-socket = $LAB_SOCK
control-socket-mode = 0600
control-socket-group = root
server-id = $LAB_SRV_IP
log-level = $level
dhcp-port = $port

[failover]
listen = 127.0.0.1:647
EOF
}

# --- real clients --------------------------------------------------------------------
# Both only print what they were given: their scripts never configure the interface.
# Each sets LAB_LEASE to "LEASE ip=... mask=... router=... serverid=... lease=...",
# prints it and returns 0 when bound; returns 1 with LAB_LEASE empty when no lease came.
# The client's own output is in LAB_DIR/<client>.out. Call them directly, not in $(...),
# so that whatever they start is known to lab_down.

# lab_lease_udhcpc NS IFACE [TRIES]: busybox udhcpc, TRIES DISCOVERs 1 s apart (3).
lab_lease_udhcpc() {
	local ns=$1 ifc=$2 tries=${3:-3} script=$LAB_DIR/udhcpc.script out=$LAB_DIR/udhcpc.out rc=0
	LAB_LEASE=""
	cat >"$script" <<'EOF'
#!/bin/sh
# prints the lease; never configures the interface
case "$1" in
bound|renew) echo "LEASE ip=$ip mask=$mask router=$router serverid=$serverid lease=$lease" ;;
esac
exit 0
EOF
	chmod 0755 "$script"
	ip netns exec "$ns" timeout $((tries * 3 + 10)) busybox udhcpc -i "$ifc" -n -q -f \
		-t "$tries" -T 1 -A 1 -s "$script" -x hostname:dfo-lab >"$out" 2>&1 || rc=$?
	lab_dbg "udhcpc exit status $rc"
	LAB_LEASE=$(grep '^LEASE ' "$out" | tail -n 1)
	[ -n "$LAB_LEASE" ] && printf '%s\n' "$LAB_LEASE"
}

# lab_lease_dhclient NS IFACE [SECONDS]: ISC dhclient, one attempt (-1) of SECONDS (10),
# with its own config, lease file, PID file and script in LAB_DIR, so nothing of the
# host's (/var/lib/dhcp, /etc/resolv.conf, dhclient-script) is read or written.
lab_lease_dhclient() {
	local ns=$1 ifc=$2 secs=${3:-10} d=$LAB_DIR/dhclient pid _ rc=0
	LAB_LEASE=""
	mkdir -p "$d"
	cat >"$d/dhclient.conf" <<EOF
timeout $secs;
retry 1;
initial-interval 1;
send host-name "dfo-lab";
request subnet-mask, routers, domain-name-servers, dhcp-lease-time, dhcp-server-identifier;
EOF
	cat >"$d/script" <<'EOF'
#!/bin/sh
# prints the lease; never configures the interface
case "$reason" in
BOUND|RENEW|REBIND|REBOOT)
	echo "LEASE ip=$new_ip_address mask=$new_subnet_mask router=$new_routers serverid=$new_dhcp_server_identifier lease=$new_dhcp_lease_time" ;;
esac
exit 0
EOF
	chmod 0755 "$d/script"
	: >"$d/dhclient.leases"
	# -d: stay in the foreground (after a lease it would keep running to renew: stopped
	# here by PID); -1: one try, exit status 2 when it fails.
	lab_bg "$ns" "$LAB_DIR/dhclient.out" timeout $((secs + 10)) dhclient -4 -1 -d -v \
		-cf "$d/dhclient.conf" -lf "$d/dhclient.leases" -pf "$d/dhclient.pid" \
		-sf "$d/script" "$ifc"
	pid=$LAB_LAST_PID
	for _ in $(seq $(((secs + 12) * 10))); do
		grep -q '^LEASE ' "$LAB_DIR/dhclient.out" && break
		lab_alive "$pid" || break
		sleep 0.1
	done
	lab_stop "$pid" 3 || rc=$?
	lab_dbg "dhclient exit status $rc"
	LAB_LEASE=$(grep '^LEASE ' "$LAB_DIR/dhclient.out" | tail -n 1)
	[ -n "$LAB_LEASE" ] && printf '%s\n' "$LAB_LEASE"
}
