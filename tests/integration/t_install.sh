#!/bin/bash
# `make install` (issue 6) into a scratch DESTDIR: exactly the expected files
# with their modes; the unit's paths follow PREFIX; an existing configuration is
# kept; `make uninstall` removes all but the configuration. The installed
# unit passes `systemd-analyze verify` (its man pages found) with nothing
# printed, and its `systemd-analyze security` exposure stays below 2.0 (the
# score is printed). The man pages pass `mandoc -Tlint` at warning level and
# render with `man -l` without a message. The bash completion knows exactly
# the commands and options `dhcpfoctl --help` lists. As root, the sysusers and
# tmpfiles entries create the user and the directories in a scratch root.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if eval "$1"; then ok; else bad "$2"; fi; }
skip() { echo "SKIP (part): $*"; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dhcpfod-install.XXXXXX") || exit 1
trap 'rm -rf "$TMP"; echo "install: $pass passed, $fail failed"' EXIT
MAKE_INSTALL=(make -s --no-print-directory BUILD="$BUILD")

# ---- the layout, PREFIX=/usr/local (the default) ----
D=$TMP/root
"${MAKE_INSTALL[@]}" install DESTDIR="$D" >"$TMP/install.out" 2>&1
check '[ $? = 0 ]' "make install: $(tail -n 5 "$TMP/install.out")"
expected="0644 /etc/dhcpfod/dhcpfod.conf
0644 /usr/local/lib/systemd/system/dhcpfod.service
0644 /usr/local/lib/sysusers.d/dhcpfod.conf
0644 /usr/local/lib/tmpfiles.d/dhcpfod.conf
0755 /usr/local/sbin/dhcpfoctl
0755 /usr/local/sbin/dhcpfod
0644 /usr/local/share/bash-completion/completions/dhcpfoctl
0644 /usr/local/share/dhcpfod/www/dashboard.css
0644 /usr/local/share/dhcpfod/www/dashboard.js
0644 /usr/local/share/dhcpfod/www/favicon.svg
0644 /usr/local/share/dhcpfod/www/index.html
0644 /usr/local/share/man/man5/dhcpfod.conf.5
0644 /usr/local/share/man/man8/dhcpfoctl.8
0644 /usr/local/share/man/man8/dhcpfod.8"
got=$(cd "$D" && find . -type f -printf '%m /%P\n' | sed 's/^\([0-7]\{3\}\) /0\1 /' | sort -k2)
check '[ "$got" = "$expected" ]' "installed files:
$got
expected:
$expected"
UNIT=$D/usr/local/lib/systemd/system/dhcpfod.service
check 'grep -qx "ExecStart=/usr/local/sbin/dhcpfod -c /etc/dhcpfod/dhcpfod.conf" "$UNIT"' \
	"unit ExecStart follows PREFIX: $(grep ExecStart "$UNIT")"
check 'diff <(sed "s/^control-socket-group = root   ;/control-socket-group = dhcpfod ;/" conf/dhcpfod.conf) "$D/etc/dhcpfod/dhcpfod.conf" >/dev/null' \
	"installed example = conf/dhcpfod.conf with control-socket-group = dhcpfod"
check 'grep -q "^control-socket-group = dhcpfod " "$D/etc/dhcpfod/dhcpfod.conf"' \
	"installed example's control-socket-group"
check 'cmp -s "$BUILD/dhcpfod" "$D/usr/local/sbin/dhcpfod"' "installed daemon is the build's"

# ---- an existing configuration is never overwritten ----
echo "; edited by the operator" >>"$D/etc/dhcpfod/dhcpfod.conf"
"${MAKE_INSTALL[@]}" install DESTDIR="$D" >"$TMP/install2.out" 2>&1
check 'tail -n 1 "$D/etc/dhcpfod/dhcpfod.conf" | grep -q "edited by the operator"' \
	"second install kept the configuration"
check 'grep -q "^kept " "$TMP/install2.out"' "second install says it kept it: $(cat "$TMP/install2.out")"

# ---- PREFIX=/usr: the unit as shipped ----
"${MAKE_INSTALL[@]}" install DESTDIR="$TMP/usr-root" PREFIX=/usr >"$TMP/install3.out" 2>&1
check 'cmp -s conf/dhcpfod.service "$TMP/usr-root/usr/lib/systemd/system/dhcpfod.service"' \
	"PREFIX=/usr installs conf/dhcpfod.service unchanged"
check '[ -x "$TMP/usr-root/usr/sbin/dhcpfod" ]' "PREFIX=/usr: /usr/sbin/dhcpfod"

# ---- uninstall leaves only the configuration ----
"${MAKE_INSTALL[@]}" uninstall DESTDIR="$TMP/usr-root" PREFIX=/usr >/dev/null 2>&1
left=$(cd "$TMP/usr-root" && find . -type f | sort)
check '[ "$left" = "./etc/dhcpfod/dhcpfod.conf" ]' "after uninstall: $left"

# ---- the unit: verify (with its man pages) and the security exposure ----
if command -v systemd-analyze >/dev/null 2>&1; then
	# ExecStart must exist on this host: point it at the DESTDIR copy
	sed "s|/usr/local/sbin/|$D/usr/local/sbin/|" "$UNIT" >"$TMP/dhcpfod.service"
	out=$(MANPATH=$D/usr/local/share/man systemd-analyze verify "$TMP/dhcpfod.service" 2>&1)
	rc=$?
	check '[ "$rc" = 0 ] && [ -z "$out" ]' "systemd-analyze verify: rc=$rc $out"
	sec=$(systemd-analyze security --offline=true "$TMP/dhcpfod.service" 2>&1 |
		sed -n 's/.*Overall exposure level for dhcpfod.service: \([0-9.]*\).*/\1/p')
	check '[ -n "$sec" ] && awk -v s="$sec" "BEGIN { exit !(s < 2.0) }"' \
		"systemd-analyze security exposure: ${sec:-none} (want < 2.0)"
	echo "systemd-analyze security --offline: exposure ${sec:-?}"
else
	skip "systemd-analyze is missing: the unit is not verified"
fi

# ---- man pages ----
for m in docs/dhcpfod.8 docs/dhcpfoctl.8 docs/dhcpfod.conf.5; do
	if command -v mandoc >/dev/null 2>&1; then
		out=$(mandoc -Tlint -W warning "$m" 2>&1)
		check '[ -z "$out" ]' "mandoc -Tlint $m: $out"
	fi
	if command -v man >/dev/null 2>&1; then
		out=$(MANWIDTH=80 man -l "$m" 2>&1 >"$TMP/man.txt")
		check '[ -z "$out" ] && grep -q "^NAME" "$TMP/man.txt"' "man -l $m: $out"
	fi
done
command -v mandoc >/dev/null 2>&1 || skip "mandoc is missing (scripts/install-deps installs it)"

# ---- the bash completion against dhcpfoctl's own help ----
COMP=conf/dhcpfoctl.bash-completion
check 'bash -n "$COMP"' "bash -n $COMP"
# "group name" of every command, as the completion knows them and as --help lists them
comp_cmds=$(bash -c '. "$1"; for w in $_dhcpfoctl_top; do
	if [ -n "${_dhcpfoctl_sub[$w]:-}" ]; then
		for s in ${_dhcpfoctl_sub[$w]}; do echo "$w $s"; done
	elif [ "$w" != help ]; then echo "$w"; fi; done | sort' _ "$COMP")
help_cmds=$("$BUILD/dhcpfoctl" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit }
	on { sub(/^  /, ""); sub(/  +[A-Z].*$/, ""); print }' | sort)
check '[ -n "$help_cmds" ] && [ "$comp_cmds" = "$help_cmds" ]' "completion commands differ from --help:
$(diff <(echo "$comp_cmds") <(echo "$help_cmds"))"
# each command's --options
while read -r cmd; do
	[ -n "$cmd" ] || continue
	# shellcheck disable=SC2086
	want=$("$BUILD/dhcpfoctl" $cmd --help | sed -n 's/^  \(--[a-z-]*\).*/\1/p' | sort | tr '\n' ' ')
	have=$(bash -c '. "$1"; echo ${_dhcpfoctl_opts[$2]:-}' _ "$COMP" "$cmd" | tr ' ' '\n' |
		sed '/^$/d' | sort | tr '\n' ' ')
	check '[ "$want" = "$have" ]' "completion options of '$cmd': have '$have', --help says '$want'"
done <<<"$help_cmds"
# and it completes
out=$(bash -c '. "$1"; COMP_WORDS=(dhcpfoctl failover create r1 --mode ""); COMP_CWORD=5
	_dhcpfoctl; echo "${COMPREPLY[*]}"' _ "$COMP")
check '[ "$out" = "load-balance hot-standby" ]' "completing --mode: $out"

# ---- sysusers and tmpfiles in a scratch root (root: they chown) ----
if [ "$(id -u)" != 0 ]; then
	skip "sysusers/tmpfiles need root (they chown)"
elif ! command -v systemd-sysusers >/dev/null 2>&1 || ! command -v systemd-tmpfiles >/dev/null 2>&1; then
	skip "systemd-sysusers or systemd-tmpfiles is missing"
else
	R=$TMP/sysroot
	mkdir -p "$R/etc" "$R/usr/local/lib"
	cp -r "$D/usr/local/lib/sysusers.d" "$D/usr/local/lib/tmpfiles.d" "$R/usr/local/lib/"
	systemd-sysusers --root="$R" >/dev/null 2>&1
	check 'grep -q "^dhcpfod:x:[0-9]*:[0-9]*:dhcpfod DHCP failover server:" "$R/etc/passwd" &&
		grep -q "^dhcpfod:" "$R/etc/group"' "sysusers: $(grep dhcpfod "$R/etc/passwd" 2>&1)"
	systemd-tmpfiles --root="$R" --create >/dev/null 2>&1
	uid=$(awk -F: '$1 == "dhcpfod" { print $3 }' "$R/etc/passwd")
	check '[ "$(stat -c "%a %u" "$R/var/lib/dhcpfod")" = "700 $uid" ]' \
		"tmpfiles /var/lib/dhcpfod: $(stat -c "%a %u" "$R/var/lib/dhcpfod" 2>&1)"
	check '[ "$(stat -c "%a %u" "$R/run/dhcpfod")" = "755 $uid" ]' \
		"tmpfiles /run/dhcpfod: $(stat -c "%a %u" "$R/run/dhcpfod" 2>&1)"
fi

[ "$fail" = 0 ]
