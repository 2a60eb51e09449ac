#!/bin/sh
# Two dhcpfod servers in failover, clients in a third namespace: see failover_test.py.
exec python3 "$(dirname "$0")/failover_test.py"
