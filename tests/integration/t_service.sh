#!/bin/bash
# dhcpfod as a service (issue 6), in a network-namespace lab with a real client
# (busybox udhcpc), both ways the daemon can run unprivileged:
#   A. as conf/dhcpfod.service starts it: already the service user, with
#      CAP_NET_BIND_SERVICE and CAP_NET_RAW as ambient capabilities and nothing
#      else in its bounding set (setpriv does what systemd would);
#   B. started as root with `user = ...`: the daemon drops privileges itself.
# Each serves a lease; /proc/PID/status (every thread) shows the service
# user's ids and exactly net_bind_service+net_raw (ambient as decided: A keeps
# the unit's, B has none); the control socket answers a non-member uid with
# ERROR_ACCESS_DENIED (5) and serves a member of control-socket-group; reload
# after the drop applies log-level and says what needs a restart. The daemon
# refuses a database or control-socket directory others may write, a database
# directory the user cannot write, and an unknown user. When strace is there,
# every system call of A is checked against the unit's SystemCallFilter=.
# Needs root; creates throwaway users and groups, removed on exit.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the service test needs root (users, namespaces; run: sudo make check)"
	exit 77
fi
for c in busybox setpriv useradd userdel groupadd groupdel python3; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "SKIP: $c is missing (scripts/install-deps installs the test tools)"
		exit 77
	}
done

. scripts/netns-lab.sh

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if eval "$1"; then ok; else bad "$2"; fi; }

# CAP_NET_BIND_SERVICE (10) and CAP_NET_RAW (13), as /proc/PID/status shows them
KEPT=0000000000002400
NONE=0000000000000000

# ---- throwaway users: the service user (its own group), an operator who is a
# member of the service group and of a separate operators' group ----
SVC=dfosvc$$
OPS=dfoops$$
OP=dfoop$$
users_remove() {
	userdel "$OP" >/dev/null 2>&1
	userdel "$SVC" >/dev/null 2>&1
	groupdel "$OPS" >/dev/null 2>&1
	groupdel "$SVC" >/dev/null 2>&1
	getent passwd "$OP" "$SVC" >/dev/null && echo "FAIL: users left behind"
	getent group "$OPS" "$SVC" >/dev/null && echo "FAIL: groups left behind"
	return 0
}
finish() {
	if [ "$fail" -gt 0 ]; then
		for f in "$LAB_DIR"/*.log; do
			[ -f "$f" ] || continue
			echo "---- $(basename "$f") (tail) ----"
			tail -n 15 "$f"
		done
	fi
	# the users' processes (the daemons, all in the lab) must be gone first
	if [ "$LAB_UP" = 1 ]; then
		lab_kill_ns "$LAB_SRV_NS"
		lab_kill_ns "$LAB_CLI_NS"
	fi
	users_remove
	echo "service: $pass passed, $fail failed"
}

lab_require
lab_init
lab_install_trap
trap 'rc=$?; finish; (exit $rc); _lab_on_exit' EXIT
useradd --system --no-create-home --shell /usr/sbin/nologin --user-group "$SVC" ||
	exit 1
groupadd --system "$OPS" || exit 1
useradd --system --no-create-home --shell /usr/sbin/nologin -G "$SVC,$OPS" "$OP" ||
	exit 1
SVC_UID=$(id -u "$SVC")
SVC_GID=$(id -g "$SVC")
lab_up
chmod 0755 "$LAB_DIR"	# the service user must reach its directories

# svc_dirs NAME: LAB_DIR/NAME/{state,run}, the service user's, as the unit's
# StateDirectory= (0700) and RuntimeDirectory= (0755) are
svc_dirs() {
	mkdir -p "$LAB_DIR/$1/state" "$LAB_DIR/$1/run"
	chmod 0755 "$LAB_DIR/$1" "$LAB_DIR/$1/run"
	chmod 0700 "$LAB_DIR/$1/state"
	chown "$SVC:$SVC" "$LAB_DIR/$1/state" "$LAB_DIR/$1/run"
}

# svc_conf NAME USER GROUP [INTERFACES]: LAB_DIR/NAME/dhcpfod.conf
svc_conf() {
	local d=$LAB_DIR/$1
	cat >"$d/dhcpfod.conf" <<EOF
[server]
interfaces = ${4-$LAB_SIF}
database = $d/state/dhcpfod.db
control-socket = $d/run/dhcpfod.sock
control-socket-mode = 0666
control-socket-group = $3
server-id = $LAB_SRV_IP
user = $2
log-level = info
dhcp-port = 67

[failover]
listen = 127.0.0.1:647
EOF
}

ctl() { "$BUILD/dhcpfoctl" -s "$SOCK" "$@"; }
ctl_as() { # USER|UID ARGS...: dhcpfoctl as that user with its groups (or none)
	local u=$1
	shift
	if [ "$u" = 65534 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$BUILD/dhcpfoctl" -s "$SOCK" "$@"
	else
		setpriv --reuid="$u" --regid="$u" --init-groups "$BUILD/dhcpfoctl" -s "$SOCK" "$@"
	fi
}
field() { awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "$1"; }

# check_ids PID: every id of every thread is the service user's
check_ids() {
	local t
	for t in /proc/"$1"/task/*; do
		check '[ "$(field "$t/status" Uid)" = "$SVC_UID $SVC_UID $SVC_UID $SVC_UID" ]' \
			"$2: uids of thread ${t##*/}: $(field "$t/status" Uid)"
		check '[ "$(field "$t/status" Gid)" = "$SVC_GID $SVC_GID $SVC_GID $SVC_GID" ]' \
			"$2: gids of thread ${t##*/}: $(field "$t/status" Gid)"
		check '[ "$(field "$t/status" NoNewPrivs)" = 1 ]' "$2: no_new_privs"
		check '[ "$(field "$t/status" CapBnd)" = "$KEPT" ]' \
			"$2: CapBnd of thread ${t##*/}: $(field "$t/status" CapBnd)"
	done
}

# check_caps PID WHAT INH AMB: the main thread's sets
check_caps() {
	local s=/proc/$1/status inh=$3 amb=$4
	check '[ "$(field "$s" CapPrm)" = "$KEPT" ] && [ "$(field "$s" CapEff)" = "$KEPT" ]' \
		"$2: CapPrm/CapEff $(field "$s" CapPrm)/$(field "$s" CapEff), want $KEPT"
	check '[ "$(field "$s" CapInh)" = "$inh" ] && [ "$(field "$s" CapAmb)" = "$amb" ]' \
		"$2: CapInh/CapAmb $(field "$s" CapInh)/$(field "$s" CapAmb), want $inh/$amb"
}

# check_access WHAT: docs/RPC.md §1 (access) through the daemon's SO_PEERCRED check (the socket
# is 0666 here so that the daemon, not the file mode, decides)
check_access() {
	local out rc
	out=$(ctl_as 65534 status 2>&1)
	rc=$?
	check '[ "$rc" = 1 ] && echo "$out" | grep -q "ERROR_ACCESS_DENIED (5)"' \
		"$1: a non-member is denied with 5: rc=$rc $out"
	out=$(ctl_as "$OP" status 2>&1)
	rc=$?
	check '[ "$rc" = 0 ] && echo "$out" | grep -q "^pid:"' \
		"$1: a member of control-socket-group is served: rc=$rc $out"
	out=$(ctl status 2>&1)
	check '[ $? = 0 ]' "$1: root is served: $out"
}

# serve WHAT: a real client obtains a lease, which is in the database
serve() {
	local out st ip
	out=$(lab_lease_udhcpc "$LAB_CLI_NS" "$LAB_CIF" 4)
	check 'echo "$out" | grep -q "ip=10.77.0.1[0-9][0-9] .*serverid=10.77.0.1"' \
		"$1: udhcpc lease: $out"
	ip=$(echo "$out" | sed -n 's/.*ip=\([0-9.]*\).*/\1/p')
	st=$(ctl -j lease get "${ip:-0.0.0.0}" 2>&1)
	check 'echo "$st" | grep -q "\"state\": \"ACTIVE\""' "$1: lease in the database: $st"
}

# start WHAT LOG CMD...: the daemon in the server namespace; DPID, SOCK
start() {
	local what=$1 log=$2
	shift 2
	lab_run_server "$LAB_SRV_NS" "$log" "$@"
	DPID=$LAB_LAST_PID
	if ! lab_wait_socket "$SOCK" 10 "$DPID" || ! lab_wait_udp "$LAB_SRV_NS" 67 10 "$DPID"; then
		bad "$what: the daemon did not start: $(tail -n 5 "$log")"
		return 1
	fi
	ctl scope create 10.77.0.0/24 --range 10.77.0.100 10.77.0.199 --name svc \
		--option routers=10.77.0.1 --lease-time 600 >/dev/null 2>&1
	return 0
}

# stop WHAT: SIGTERM, exit 0
stop() {
	lab_stop "$DPID" 10
	local rc=$?
	check '[ "$rc" = 0 ]' "$1: exit status on SIGTERM: $rc"
}

# wait_log LOG TEXT: until the log has TEXT (5 s)
wait_log() {
	local _
	for _ in $(seq 50); do grep -qF -- "$2" "$1" && return 0; sleep 0.1; done
	return 1
}

CAPS=+net_bind_service,+net_raw
UNIT_LIKE=(setpriv --reuid="$SVC" --regid="$SVC" --init-groups
	--inh-caps=-all,$CAPS --ambient-caps=-all,$CAPS --bounding-set=-all,$CAPS
	--no-new-privs)

# ==== A: started the way the unit starts it ====
svc_dirs a
svc_conf a "" "$SVC"
SOCK=$LAB_DIR/a/run/dhcpfod.sock
LOG=$LAB_DIR/a.log
if start A "$LOG" "${UNIT_LIKE[@]}" "$BUILD/dhcpfod" -c "$LAB_DIR/a/dhcpfod.conf"; then
	serve A
	check_ids "$DPID" A
	check_caps "$DPID" A "$KEPT" "$KEPT"
	check_access A
	check '[ "$(stat -c %U "$LAB_DIR/a/state/dhcpfod.db")" = "$SVC" ]' \
		"A: the database is the service user's"
	# reload as the service user: log-level applies, a port change waits
	sed -i 's/^log-level = info/log-level = debug/; s/^dhcp-port = 67/dhcp-port = 6767/' \
		"$LAB_DIR/a/dhcpfod.conf"
	kill -HUP "$DPID"
	check 'wait_log "$LOG" "configuration reloaded"' "A: SIGHUP reload"
	check 'grep -q "dhcp-port changed to 6767; it takes effect at restart (still 67)" "$LOG"' \
		"A: reload says the port needs a restart"
	serve "A after reload"
	stop A
fi

# ==== B: started as root, `user =` in the config: the daemon drops itself ====
svc_dirs b
svc_conf b "$SVC" "$OPS"
SOCK=$LAB_DIR/b/run/dhcpfod.sock
LOG=$LAB_DIR/b.log
if start B "$LOG" "$BUILD/dhcpfod" -c "$LAB_DIR/b/dhcpfod.conf"; then
	serve B
	check_ids "$DPID" B
	check_caps "$DPID" B "$NONE" "$NONE"
	n=0
	for t in /proc/"$DPID"/task/*; do
		[ "${t##*/}" = "$DPID" ] && continue
		n=$((n + 1))
		check '[ "$(field "$t/status" CapPrm)$(field "$t/status" CapEff)" = "$NONE$NONE" ]' \
			"B: thread ${t##*/} has capabilities: $(field "$t/status" CapPrm)"
	done
	check '[ "$n" -ge 1 ]' "B: the syncer thread was checked ($n threads)"
	check 'grep -q "running as user $SVC (uid $SVC_UID, gid $SVC_GID) with CAP_NET_BIND_SERVICE and CAP_NET_RAW only" "$LOG"' \
		"B: the drop is logged"
	check '[ "$(stat -c %U:%G "$LAB_DIR/b/run/dhcpfod.sock")" = "$SVC:$OPS" ]' \
		"B: socket owner and group: $(stat -c %U:%G "$LAB_DIR/b/run/dhcpfod.sock")"
	for f in "$LAB_DIR"/b/state/dhcpfod.db*; do
		check '[ "$(stat -c %U "$f")" = "$SVC" ]' "B: $f is $(stat -c %U "$f")'s"
	done
	check_access B
	# a group change needs the privileges that are gone; log-level applies
	sed -i "s/^control-socket-group = $OPS/control-socket-group = root/; s/^log-level = info/log-level = debug/" \
		"$LAB_DIR/b/dhcpfod.conf"
	kill -HUP "$DPID"
	check 'wait_log "$LOG" "configuration reloaded"' "B: SIGHUP reload"
	check 'grep -q "control-socket-mode/-group not applied, still 0666 and $OPS: changing the group needs the privileges dropped at start" "$LOG"' \
		"B: reload says the group change needs a restart"
	out=$(ctl_as "$OP" status 2>&1)
	check '[ $? = 0 ]' "B: the operators' group still works after the reload: $out"
	serve "B after reload"
	stop B
fi

# ==== refusals: exit 1 with a sentence naming the path ====
# refuse NAME WHAT TEXT CMD...: the daemon exits 1 and says TEXT
refuse() {
	local name=$1 what=$2 text=$3 out rc
	shift 3
	out=$(ip netns exec "$LAB_SRV_NS" timeout 20 "$@" -c "$LAB_DIR/$name/dhcpfod.conf" 2>&1)
	rc=$?
	check '[ "$rc" = 1 ] && echo "$out" | grep -qF -- "$text"' "$what: rc=$rc $out"
}
svc_dirs r
svc_conf r "$SVC" "$OPS" ""
chmod 1777 "$LAB_DIR/r/state"
refuse r "world-writable (sticky) database directory" \
	"database directory $LAB_DIR/r/state is writable by others (mode 1777)" "$BUILD/dhcpfod"
chmod 0777 "$LAB_DIR/r/state"
refuse r "world-writable database directory, as the unit starts it" \
	"database directory $LAB_DIR/r/state is writable by others (mode 0777)" \
	"${UNIT_LIKE[@]}" "$BUILD/dhcpfod"
chmod 0700 "$LAB_DIR/r/state"
chmod 0777 "$LAB_DIR/r/run"
refuse r "world-writable control socket directory" \
	"control socket directory $LAB_DIR/r/run is writable by others (mode 0777)" "$BUILD/dhcpfod"
chmod 0755 "$LAB_DIR/r/run"
chown root:root "$LAB_DIR/r/state"
refuse r "database directory the user cannot write" \
	"database directory $LAB_DIR/r/state is not writable by user $SVC" "$BUILD/dhcpfod"
check '[ ! -e "$LAB_DIR/r/run/dhcpfod.sock" ]' "refused start leaves no socket"
chown "$SVC:$SVC" "$LAB_DIR/r/state"
svc_conf r "no-such-user-$$" "$OPS" ""
refuse r "unknown user" "user = no-such-user-$$: no such user" "$BUILD/dhcpfod"

# ==== the unit's system call filter, against every call the daemon makes ====
if ! command -v strace >/dev/null 2>&1 || ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP (part): strace or systemd-analyze missing: the system call check"
else
	svc_dirs s
	svc_conf s "" "$SVC"
	SOCK=$LAB_DIR/s/run/dhcpfod.sock
	TRACE=$LAB_DIR/s.trace
	# (LeakSanitizer cannot run under ptrace: no leak check in a sanitizer build)
	if start S "$LAB_DIR/s.log" env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -o "$TRACE" "${UNIT_LIKE[@]}" \
		"$BUILD/dhcpfod" -c "$LAB_DIR/s/dhcpfod.conf"; then
		serve S
		ctl reload >/dev/null
		ctl -j failover stats 10.77.0.0 >/dev/null
		# stop the daemon itself (DPID is strace's, which then exits with
		# the daemon's status)
		for p in $(lab_ns_pids "$LAB_SRV_NS"); do
			[ "$(cat "/proc/$p/comm" 2>/dev/null)" = dhcpfod ] && kill -TERM "$p"
		done
		lab_stop "$DPID" 10
		rc=$?
		check '[ "$rc" = 0 ]' "S: exit status on SIGTERM under strace: $rc"
		out=$(python3 tests/integration/syscall_filter.py "$TRACE" "$BUILD/dhcpfod" \
			conf/dhcpfod.service 2>&1)
		check '[ $? = 0 ]' "system calls outside the unit's filter: $out"
		echo "$out" | tail -n 1
	fi
fi

[ "$fail" = 0 ]
