#!/bin/sh
# dhcpfod paired with ISC dhcpd 4.4, clients in a third namespace: see isc_test.py.
# Skips (77) without root or without /usr/sbin/dhcpd (Debian: isc-dhcp-server).
exec python3 "$(dirname "$0")/isc_test.py"
