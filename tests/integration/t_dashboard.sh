#!/bin/sh
# The dashboard in headless Chromium against a failover pair, and the HTTP
# listener's limits with DHCP service undisturbed: see dashboard_test.py.
exec python3 "$(dirname "$0")/dashboard_test.py"
