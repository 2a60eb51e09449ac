#!/bin/sh
# Planned maintenance and resync of a dhcpfod pair with real clients: see maint_test.py.
exec python3 "$(dirname "$0")/maint_test.py"
