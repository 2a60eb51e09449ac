#!/bin/sh
# Management RPC and dhcpfoctl end to end (docs/RPC.md, dhcpfoctl(8)): see rpc_test.py.
exec python3 "$(dirname "$0")/rpc_test.py"
