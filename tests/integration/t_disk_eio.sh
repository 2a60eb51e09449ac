#!/bin/bash
# A disk that returns I/O errors (the faultfs LD_PRELOAD shim, tests/shim):
# under perfdhcp load, first every fsync of the database fails, then every
# write. While it fails dhcpfod sends no DHCPACK, logs the cause once (not a
# line per packet), shows it in server.status and the metrics, counts the
# dropped requests, keeps answering the management socket (a write there
# fails with 20013 and SQLite's message) and recovers by itself once the
# errors stop. At the end dhcpfod is killed with SIGKILL and restarted: every
# ACK captured on the wire is in the database, and PRAGMA integrity_check is
# clean. Needs root, perfdhcp, tshark and sqlite3; skipped otherwise.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
SHIM=$(realpath "$BUILD/tests/faultfs.so" 2>/dev/null)

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the I/O error test needs root for network namespaces (run: sudo make check)"
	exit 77
fi
for c in perfdhcp tshark sqlite3; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "SKIP: $c is missing (scripts/install-deps installs it)"
		exit 77
	}
done
[ -f "$SHIM" ] || { echo "FAIL: $BUILD/tests/faultfs.so is missing (make check builds it)"; exit 1; }

. scripts/netns-lab.sh
. tests/integration/disk_lib.sh

lab_require
lab_init
lab_install_trap
LAB_CLI_IP=10.77.0.2
lab_up
lab_static_neigh
ip -n "$LAB_CLI_NS" addr add 10.88.0.1/16 dev "$LAB_CIF"
ip -n "$LAB_SRV_NS" route add 10.88.0.0/16 via 10.77.0.2 dev "$LAB_SIF"

lab_dhcpfod_conf "$LAB_DIR/dhcpfod.conf" 67 info
DB=$LAB_DIR/dhcpfod/dhcpfod.db
export DFO_FAULT_CTL=$LAB_DIR/fault DFO_FAULT_PATH=$DB
# the shim is not built with the sanitizers: let ASan come second (make asan)
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
disk_start 1 env LD_PRELOAD="$SHIM"
ctl scope create 10.88.0.0/16 --range 10.88.0.10 10.88.255.250 --name load >/dev/null ||
	exit 1
disk_capture

# healthy: leases are granted
disk_load 2 healthy
check '[ "$(acks_in_phase healthy)" -ge 50 ]' "ACKs while healthy: $(acks_in_phase healthy)"

# every fsync fails: the syncer's failure, then recovery attempts (each a
# checkpoint, which fsyncs too) fail; nothing is acknowledged meanwhile
echo fsync >"$DFO_FAULT_CTL"
disk_load 3 fsync
disk_assert_failing io_error "fsync of its WAL: Input/output error" "disk I/O error"
rm -f "$DFO_FAULT_CTL"
disk_expect_ok 10
disk_load 2 "after fsync errors"
check '[ "$(acks_in_phase "after fsync errors")" -ge 50 ]' \
	"ACKs after the fsync errors stopped: $(acks_in_phase "after fsync errors")"

# every write fails
echo write >"$DFO_FAULT_CTL"
disk_load 3 write
disk_assert_failing io_error "disk I/O error" "disk I/O error"
rm -f "$DFO_FAULT_CTL"
disk_expect_ok 10
disk_load 2 "after write errors"
check '[ "$(acks_in_phase "after write errors")" -ge 50 ]' \
	"ACKs after the write errors stopped: $(acks_in_phase "after write errors")"
check '[ -s "$DFO_FAULT_CTL.count" ]' "the shim injected faults"
check 'grep -q "storage recovered" "$LAB_DIR/dhcpfod.log.1"' "the recovery is logged"

disk_finish
