#!/bin/bash
# A full disk: the database directory is a small tmpfs (mounted in a private
# mount namespace of this test, so it vanishes with it), filled up while
# perfdhcp asks for leases. While it is full dhcpfod sends no DHCPACK, logs
# the cause once, shows it in server.status and the metrics, counts the
# dropped requests and keeps answering the management socket (a write there
# fails with 20013, "database or disk is full"); once space is freed it
# serves again without a restart. At the end dhcpfod is killed with SIGKILL
# and restarted: every ACK captured on the wire is in the database, and
# PRAGMA integrity_check is clean. Needs root, perfdhcp, tshark and sqlite3.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the disk-full test needs root for a tmpfs and network namespaces (run: sudo make check)"
	exit 77
fi
for c in perfdhcp tshark sqlite3 unshare; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "SKIP: $c is missing (scripts/install-deps installs it)"
		exit 77
	}
done
# the tmpfs lives in a mount namespace of our own: nothing on the host sees
# it, and it goes away with this script whatever happens
if [ "${DFO_DISK_FULL_NS:-}" != 1 ]; then
	DFO_DISK_FULL_NS=1 exec unshare -m --propagation private \
		"$PWD/tests/integration/t_disk_full.sh" "$@"
fi

. scripts/netns-lab.sh
. tests/integration/disk_lib.sh

lab_require
lab_init
MNT=$LAB_DIR/db
mkdir -p "$MNT"
cleanup() {
	local rc=$1
	[ -n "${DPID:-}" ] && lab_stop "$DPID" 5
	mountpoint -q "$MNT" && umount "$MNT"
	(exit "$rc")
	_lab_on_exit
}
trap 'cleanup $?' EXIT
trap 'lab_log "interrupted"; exit 130' INT TERM HUP
# mode 0700: dhcpfod refuses a database directory others may write
mount -t tmpfs -o size=16m,mode=0700 dfo-disk-full "$MNT" || exit 1
LAB_CLI_IP=10.77.0.2
lab_up
lab_static_neigh
ip -n "$LAB_CLI_NS" addr add 10.88.0.1/16 dev "$LAB_CIF"
ip -n "$LAB_SRV_NS" route add 10.88.0.0/16 via 10.77.0.2 dev "$LAB_SIF"

lab_dhcpfod_conf "$LAB_DIR/dhcpfod.conf" 67 info
DB=$MNT/dhcpfod.db
sed -i "s|^database = .*|database = $DB|" "$LAB_DIR/dhcpfod.conf"
disk_start 1
ctl scope create 10.88.0.0/16 --range 10.88.0.10 10.88.255.250 --name load >/dev/null ||
	exit 1
disk_capture

# fill the tmpfs: the WAL cannot grow, so no commit can be made
cat /dev/zero >"$MNT/filler" 2>/dev/null
check '[ "$(stat -f -c %a "$MNT")" = 0 ]' "the tmpfs is full: $(stat -f -c %a "$MNT") blocks free"
disk_load 3 full
disk_assert_failing disk_full "database or disk is full (No space left on device)" \
	"database or disk is full"

# space again: dhcpfod serves again by itself
rm -f "$MNT/filler"
disk_expect_ok 10
disk_load 3 "space freed"
check '[ "$(acks_in_phase "space freed")" -ge 100 ]' \
	"ACKs once space was freed: $(acks_in_phase "space freed")"
check 'grep -q "storage recovered" "$DLOG"' "the recovery is logged"

disk_finish
