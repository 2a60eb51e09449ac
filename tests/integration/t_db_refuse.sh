#!/bin/bash
# A database dhcpfod must not use is refused at start with a clear message
# and a non-zero exit, and never written: a file that is not a database, a
# damaged header, damaged pages (PRAGMA quick_check), a newer schema (with a
# WAL the newer dhcpfod left behind, and in another journal mode), a hot
# rollback journal. The files
# are compared byte for byte before and after. A sound copy of the same
# database starts. Needs sqlite3 and python3; no root.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}

for c in sqlite3 python3 sha256sum; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "SKIP: $c is missing (scripts/install-deps installs it)"
		exit 77
	}
done

T=$(mktemp -d "${TMPDIR:-/tmp}/dfo-refuse.XXXXXX") || exit 1
DPID=
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

fails=0
checks=0
check() {
	checks=$((checks + 1))
	if ! eval "$1"; then fails=$((fails + 1)); echo "FAIL: $2"; fi
}

DB=$T/dhcpfod.db
cat >"$T/dhcpfod.conf" <<EOF
[server]
database = $DB
control-socket = $T/ctl.sock
server-id = 10.77.0.1
log-level = info
EOF
ctl() { "$BUILD/dhcpfoctl" -s "$T/ctl.sock" "$@"; }

# start_bg: the daemon in the background until its socket answers; 1 if it
# exits first
start_bg() {
	"$BUILD/dhcpfod" -c "$T/dhcpfod.conf" 2>"$T/log" &
	DPID=$!
	for _ in $(seq 100); do
		ctl status >/dev/null 2>&1 && return 0
		kill -0 "$DPID" 2>/dev/null || { DPID=; return 1; }
		sleep 0.05
	done
	return 1
}
stop_bg() { kill "$DPID"; wait "$DPID" 2>/dev/null; DPID=; }

# a sound database: a scope and 3000 leases (rows on many pages)
start_bg || { cat "$T/log"; exit 1; }
ctl scope create 10.88.0.0/16 --range 10.88.0.10 10.88.255.250 >/dev/null || exit 1
stop_bg
sqlite3 "$DB" "WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c
	WHERE x < 2999) INSERT INTO lease(address, subnet, hwaddr, hostname, state,
	starts, ends, cltt, owner) SELECT 173539338 + x, 173539328, randomblob(6),
	'host-' || x, 2, 1700000000, 2000000000, 1700000000, 1 FROM c;" || exit 1
cp "$DB" "$T/sound.db"
pages=$(sqlite3 "$DB" "PRAGMA page_count")
psize=$(sqlite3 "$DB" "PRAGMA page_size")

# refused NAME TEXT: dhcpfod -c exits non-zero, says TEXT, and leaves every
# file of the database as it was (and makes no new one but a -shm)
refused() {
	local name=$1 want=$2 before after rc=0
	before=$(cd "$T" && sha256sum dhcpfod.db* 2>/dev/null | grep -v -- -shm)
	timeout 20 "$BUILD/dhcpfod" -c "$T/dhcpfod.conf" >"$T/out" 2>&1 || rc=$?
	after=$(cd "$T" && sha256sum dhcpfod.db* 2>/dev/null | grep -v -- -shm)
	check '[ "$rc" != 0 ] && [ "$rc" != 124 ]' "$name: dhcpfod exits non-zero (got $rc)"
	check 'grep -qF -- "$want" "$T/out"' "$name: the message says \"$want\": $(cat "$T/out")"
	check 'grep -qF "refusing to start" "$T/out" && grep -qF "$DB" "$T/out"' \
		"$name: the message names the file and the refusal: $(cat "$T/out")"
	check '[ "$before" = "$after" ]' "$name: the files are unchanged: before $before, after $after"
	rm -f "$T"/dhcpfod.db*
}

printf 'dhcpfod.db is no database\n' >"$DB"
refused "text" "is not an SQLite database"

cp "$T/sound.db" "$DB"
printf 'SQLXXX' | dd of="$DB" bs=1 conv=notrunc status=none
refused "magic damaged" "is not an SQLite database (bad header)"

cp "$T/sound.db" "$DB"
printf '\000\003' | dd of="$DB" bs=1 seek=16 conv=notrunc status=none	# page size 3
refused "page size damaged" "cannot be read (file is not a database)"

cp "$T/sound.db" "$DB"
head -c "$psize" /dev/urandom | dd of="$DB" bs="$psize" seek=$((pages / 2)) \
	conv=notrunc status=none
refused "a page damaged" "is damaged (PRAGMA quick_check:"

# a newer dhcpfod's database, its last transactions still in the WAL (it was
# killed): neither file may change (no checkpoint, no journal mode change)
cp "$T/sound.db" "$DB"
python3 - "$DB" <<'EOF'
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA wal_autocheckpoint = 0")
c.execute("PRAGMA user_version = 99")
c.execute("UPDATE lease SET hostname = 'newer' WHERE address % 7 = 0")
os._exit(0)	# killed: the WAL is left as it is
EOF
check '[ -s "$DB-wal" ]' "the newer database has a WAL"
refused "newer schema, with its WAL" "schema version 99 is newer than this dhcpfod knows"

cp "$T/sound.db" "$DB"
sqlite3 "$DB" "PRAGMA journal_mode = DELETE; PRAGMA user_version = 42" >/dev/null
refused "newer schema, rollback journal" "schema version 42 is newer than this dhcpfod knows"

# a rollback journal left hot beside it (its writer killed mid-transaction,
# pages already spilled): a read-only look cannot roll it back, so the file is
# refused, and neither it nor the journal is touched
cp "$T/sound.db" "$DB"
sqlite3 "$DB" "PRAGMA journal_mode = DELETE" >/dev/null
python3 - "$DB" <<'EOF'
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA cache_size = 5")	# spill: the file itself changes
c.execute("BEGIN")
c.execute("UPDATE lease SET hostname = 'x' || hostname")
os._exit(0)
EOF
check '[ -s "$DB-journal" ]' "a hot rollback journal was left"
refused "hot rollback journal" "cannot be read"

# the sound copy starts, and its leases are all there
cp "$T/sound.db" "$DB"
if start_bg; then
	check '[ "$(ctl -j status | python3 -c "import json,sys; print(json.load(sys.stdin)[\"counts\"][\"leases\"])")" = 3000 ]' \
		"the sound database starts with its 3000 leases"
	stop_bg
else
	check false "the sound database starts: $(cat "$T/log")"
fi
check '[ "$(sqlite3 "$DB" "PRAGMA integrity_check")" = ok ]' "the sound database stays sound"

echo "t_db_refuse: $((checks - fails)) passed, $fails failed"
[ "$fails" = 0 ]
