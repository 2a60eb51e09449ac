#!/bin/sh
# A failover secondary whose disk fails sends no BNDACK: see disk_failover_test.py.
exec python3 "$(dirname "$0")/disk_failover_test.py"
