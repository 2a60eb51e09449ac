#!/bin/sh
# Management RPC and dhcpfoctl end to end (SPEC §4, §6, §7): see rpc_test.py.
exec python3 "$(dirname "$0")/rpc_test.py"
