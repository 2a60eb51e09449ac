#!/bin/sh
# scripts/dhcpd-import against a live dhcpfod: see dhcpd_import_test.py.
exec python3 "$(dirname "$0")/dhcpd_import_test.py"
