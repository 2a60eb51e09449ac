#!/bin/sh
# A failover pair managed from a console over mutual TLS: failover diff and
# replicate between the two servers, in network namespaces (docs/REMOTE.md §7):
# see fleet_test.py.
exec python3 "$(dirname "$0")/fleet_test.py"
